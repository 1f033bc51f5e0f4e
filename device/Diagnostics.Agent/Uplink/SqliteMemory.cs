using System.Runtime.InteropServices;

namespace Diagnostics.Agent.Uplink;

/// <summary>
/// SQLite's process-wide memory settings for an agent holding many small outboxes (a gateway: one per printer). By
/// default every connection takes a lookaside buffer (about 47 KB) when it opens and a bulk of 20 page-cache pages
/// (about 86 KB) when it first reads a page, whatever the size of its database; an outbox holds a handful of pages, so
/// 20 outboxes kept about 2 MB that they never used (tests/Diagnostics.LoadTest/README.md, sixth pass). Without them a
/// connection allocates the pages and the small objects it needs one by one: a few more allocations for statements that
/// run once per poll.
/// </summary>
internal static class SqliteMemory
{
    // sqlite3.h: SQLITE_CONFIG_PAGECACHE (void* buffer, int slotSize, int slots), SQLITE_CONFIG_LOOKASIDE (int slotSize, int slots).
    private const int ConfigPageCache = 7;
    private const int ConfigLookaside = 13;
    private const int Ok = 0;

    // sqlite3_config is variadic. On Linux (x64 and arm64) integer and pointer arguments after the fixed one are passed
    // as a call with fixed arguments passes them, which is how SQLitePCLRaw calls it too; it exposes no overload with
    // these arguments. The library is the one Microsoft.Data.Sqlite loads (e_sqlite3 beside the agent).
    [DllImport("e_sqlite3", EntryPoint = "sqlite3_config")]
    private static extern int ConfigPageCacheBuffer(int option, nint buffer, int slotSize, int slots);

    [DllImport("e_sqlite3", EntryPoint = "sqlite3_config")]
    private static extern int ConfigSlots(int option, int slotSize, int slots);

    /// <summary>
    /// Turns off the page-cache bulk and the lookaside buffers for every connection this process opens later. Call it
    /// once at the process's start, before anything opens a database: SQLite accepts it only before it initializes
    /// (later it answers SQLITE_MISUSE and nothing changes), and it must not run while another thread uses SQLite.
    /// Returns whether both settings took effect.
    /// </summary>
    public static bool ConfigureBeforeFirstUse()
    {
        if (!OperatingSystem.IsLinux())
            return false;
        var pageCache = ConfigPageCacheBuffer(ConfigPageCache, 0, 0, 0);
        var lookaside = ConfigSlots(ConfigLookaside, 0, 0);
        return pageCache == Ok && lookaside == Ok;
    }
}
