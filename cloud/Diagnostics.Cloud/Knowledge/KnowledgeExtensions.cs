using Diagnostics.Cloud.Messaging;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Diagnostics.Cloud.Knowledge;

public static class KnowledgeExtensions
{
    /// <summary>The knowledge base: article store, the in-memory matching index, and the import of the article folder at start.</summary>
    public static IHostApplicationBuilder AddKnowledgeBase(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<KnowledgeOptions>().BindConfiguration(KnowledgeOptions.SectionName).ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<IKnowledgeStore, KnowledgeStore>();
        builder.Services.AddSingleton<KnowledgeBase>();
        builder.Services.AddSingleton<IInstanceRelayed>(services => services.GetRequiredService<KnowledgeBase>());
        builder.Services.TryAddSingleton<TrainingPhraseStore>();
        builder.Services.AddSingleton<TrainingPhrases>();
        builder.Services.AddHostedService<KnowledgeLoader>();
        return builder;
    }
}
