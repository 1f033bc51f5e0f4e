using System.Diagnostics;
using System.Globalization;
using Diagnostics.Cloud.Audit;
using Diagnostics.Cloud.Ingestion;
using Diagnostics.Cloud.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Diagnostics.Cloud.EngineMigration;

/// <summary>
/// <c>migrate-sqlite-to-postgres --from &lt;sqlite file&gt; [--batch-size N] --Storage:ConnectionString=&lt;npgsql&gt;</c>:
/// moves an installation's data from its SQLite file into PostgreSQL. Both schemas are brought up to date first (the
/// SQLite file in place, as the service does at start); then every table is copied (<see cref="SqliteToPostgresCopy"/>)
/// from one snapshot of the file, with progress per batch, in one transaction. The target must be empty — or already
/// hold exactly the source's rows, table by table (a re-run: nothing is copied); anything else is refused, naming the
/// tables. Verified at the end by per-table counts and the audit trail's hash chain recomputed on PostgreSQL.
/// Exit codes: 0 done (or nothing to do), 1 refused or verification failed, 2 usage.
/// It lives outside Storage because it uses capabilities (telemetry partitions, the audit chain) that Storage must not know.
/// </summary>
public static class SqliteToPostgresCli
{
    public const string Command = "migrate-sqlite-to-postgres";
    public const int DefaultBatchSize = 5000;

    public static bool IsCommand(string[] args) => args is [Command, ..];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!TryParse(args[1..], out var from, out var batchSize, out var configuration))
        {
            await error.WriteLineAsync($"usage: {Command} --from <sqlite file> [--batch-size <rows, default {DefaultBatchSize}>] --Storage:ConnectionString=<npgsql connection string>");
            return 2;
        }
        if (!File.Exists(from))
        {
            await error.WriteLineAsync($"No SQLite database at '{from}': nothing to migrate.");
            return 1;
        }
        using var sourceHost = await StoreOnlyHost.StartAsync([.. configuration, "--Storage:Provider=Sqlite", $"--Storage:Path={from}"], _ => { }, cancellationToken);
        using var targetHost = await StoreOnlyHost.StartAsync([.. configuration, "--Storage:Provider=PostgreSQL"], builder =>
        {
            builder.Services.TryAddSingleton(TimeProvider.System);
            builder.Services.AddSingleton<TelemetryPartitions>();
            builder.Services.AddSingleton<IAuditLog, AuditLog>();
        }, cancellationToken);
        var sourceConnections = sourceHost.Services.GetRequiredService<ConnectionFactory>();
        var targetConnections = targetHost.Services.GetRequiredService<ConnectionFactory>();
        await output.WriteLineAsync($"From {sourceConnections.Location} (schema {sourceConnections.LastMigration?.Version}) to {targetConnections.Location} (schema {targetConnections.LastMigration?.Version}).");

        await using var sourceConnection = (SqliteConnection)await sourceConnections.OpenConnectionAsync(cancellationToken);
        await using var targetConnection = (NpgsqlConnection)await targetConnections.OpenConnectionAsync(cancellationToken);
        await using var copy = new SqliteToPostgresCopy(sourceConnection, targetConnection);
        copy.BeginSnapshot();
        var tables = await copy.SourceTablesAsync(cancellationToken);
        var problems = await copy.ProblemsAsync(tables, cancellationToken);
        if (problems.Count > 0)
        {
            await error.WriteLineAsync("Refused: the PostgreSQL schema does not match the SQLite one: " + string.Join("; ", problems) + ".");
            return 1;
        }
        var before = await copy.CountAsync(tables, cancellationToken);
        if (before.All(c => c.Target == 0))
        {
            var clock = Stopwatch.StartNew();
            var partitions = targetHost.Services.GetRequiredService<TelemetryPartitions>();
            await copy.CopyAsync(tables, batchSize, (table, ct) => table == "telemetry" ? EnsurePartitionsAsync(copy, partitions, ct) : Task.CompletedTask,
                new Progress(output), cancellationToken);
            var rows = before.Sum(c => c.Source);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Copied {rows:N0} rows in {tables.Count} tables in {clock.Elapsed.TotalSeconds:F1} s ({rows / Math.Max(clock.Elapsed.TotalSeconds, 1e-6):N0} rows/s)."));
        }
        else if (before.All(c => c.Matches))
        {
            await output.WriteLineAsync("The PostgreSQL database already holds every table's rows: nothing copied.");
        }
        else
        {
            await error.WriteLineAsync("Refused: the PostgreSQL database already holds data that is not this SQLite file's: "
                + string.Join(", ", before.Where(c => c.Target > 0).Select(c => $"{c.Table} ({c.Target} rows there, {c.Source} here)"))
                + ". Migrate into an empty database (made with `storage migrate`), or drop and re-create this one.");
            return 1;
        }
        return await VerifyAsync(copy, tables, targetHost.Services.GetRequiredService<IAuditLog>(), output, error, cancellationToken);
    }

    private static async Task<int> VerifyAsync(
        SqliteToPostgresCopy copy, IReadOnlyList<string> tables, IAuditLog targetAudit, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var after = await copy.CountAsync(tables, cancellationToken);
        foreach (var count in after)
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"  {count.Table,-28} {count.Source,12:N0} -> {count.Target,12:N0}{(count.Matches ? "" : "   MISMATCH")}"));
        if (after.Any(c => !c.Matches))
        {
            await error.WriteLineAsync("Verification FAILED: row counts differ for " + string.Join(", ", after.Where(c => !c.Matches).Select(c => c.Table)) + ".");
            return 1;
        }
        var audit = await targetAudit.VerifyAsync(cancellationToken);
        if (!audit.Intact)
        {
            await error.WriteLineAsync($"Verification FAILED: the audit trail on PostgreSQL breaks at record {audit.FirstBrokenSequence}: {audit.Problem}.");
            return 1;
        }
        await output.WriteLineAsync($"Verified: every table's count matches, and the audit trail's {audit.Records} records chain intact on PostgreSQL.");
        return 0;
    }

    /// <summary>The time partitions the copied telemetry falls in, made before its rows arrive (else they would sit in the default partition).</summary>
    private static async Task EnsurePartitionsAsync(SqliteToPostgresCopy copy, TelemetryPartitions partitions, CancellationToken cancellationToken)
    {
        var low = await copy.SourceScalarAsync("SELECT COALESCE(MIN(device_time_ms), 0) FROM telemetry;", cancellationToken);
        var high = await copy.SourceScalarAsync("SELECT COALESCE(MAX(device_time_ms), 0) FROM telemetry;", cancellationToken);
        var hour = (long)TimeSpan.FromHours(1).TotalMilliseconds;
        // One time per hour of the range: finer than any partition width, and TelemetryPartitions keeps only the ranges inside its window.
        var times = new List<long>();
        for (var t = low; t <= high && times.Count < 200_000; t += hour)
            times.Add(t);
        times.Add(high);
        await partitions.EnsureAsync(times, cancellationToken);
    }

    private static bool TryParse(string[] args, out string from, out int batchSize, out List<string> configuration)
    {
        from = "";
        batchSize = DefaultBatchSize;
        configuration = [];
        for (var i = 0; i < args.Length; i++)
        {
            var (name, inline) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], null);
            if (name is "--from" or "--batch-size")
            {
                var value = inline ?? (i + 1 < args.Length ? args[++i] : null);
                if (value is null)
                    return false;
                if (name == "--from")
                    from = value;
                else if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out batchSize) || batchSize < 1)
                    return false;
            }
            else
            {
                configuration.Add(args[i]);
            }
        }
        return from.Length > 0;
    }

    /// <summary>Writes each batch's progress as it comes (synchronously: <see cref="Progress{T}"/> would post it later, out of order).</summary>
    private sealed class Progress(TextWriter output) : IProgress<CopyProgress>
    {
        public void Report(CopyProgress value) => output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {value.Table}: {value.Copied:N0}/{value.Total:N0} rows ({value.RowsPerSecond:N0} rows/s)"));
    }
}
