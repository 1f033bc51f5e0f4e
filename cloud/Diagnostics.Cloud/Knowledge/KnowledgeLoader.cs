using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Knowledge;

/// <summary>At start: imports the configured article folder (when set) and builds the matching index before requests arrive.</summary>
public sealed class KnowledgeLoader(KnowledgeBase knowledge, IOptions<KnowledgeOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.ImportOnStart && !string.IsNullOrWhiteSpace(settings.ImportPath))
            await knowledge.ImportFolderAsync(settings.ImportPath, KnowledgeAuthors.OfFolder(settings.ImportPath), cancellationToken);
        else
            await knowledge.ReloadAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
