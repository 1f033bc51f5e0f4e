using Diagnostics.Cloud.Storage;

namespace Diagnostics.Cloud.Audit;

/// <summary>
/// <c>audit verify</c>: recomputes the audit trail's hash chain in the configured store and says whether every record
/// still fits the one before it (exit 0) or which record first does not (exit 1). Other arguments are configuration
/// overrides, as for the service.
/// </summary>
public static class AuditCli
{
    public static bool IsCommand(string[] args) => args is ["audit", ..];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (args is not ["audit", "verify", ..])
        {
            await error.WriteLineAsync("usage: audit verify [--Storage:Path=<file>]");
            return 2;
        }
        using var host = await StoreOnlyHost.StartAsync(args[2..], _ => { }, cancellationToken);
        AuditVerification result;
        await using (var db = await host.Services.GetRequiredService<Database>().OpenAsync(cancellationToken))
            result = await AuditTrail.VerifyAsync(db, cancellationToken);
        if (result.Intact)
        {
            await output.WriteLineAsync($"Audit trail intact: {result.Records} records, every hash fits the record before it.");
            return 0;
        }
        await error.WriteLineAsync($"Audit trail BROKEN at record {result.FirstBrokenSequence}: {result.Problem}.");
        return 1;
    }
}
