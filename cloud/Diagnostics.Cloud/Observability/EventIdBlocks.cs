namespace Diagnostics.Cloud.Observability;

/// <summary>
/// Where the cloud's log event ids live: one small <c>&lt;Folder&gt;EventIds</c> class per capability folder, so a change
/// to one capability edits only its own list. Every id kept the number it had when they were all in one file, so logs
/// and dashboards stay comparable; a few capabilities therefore still hold ids outside their block (listed as "also").
/// A new id takes the next free number in its folder's block. <c>EventIdTests</c> fails when two ids collide.
/// </summary>
/// <remarks>
/// <code>
/// Folder         Block        also (kept from before the split)
/// Devices        100-149      257-258, 285-289, 420-421; 150-152 (fleet history)
/// Web            101          160-161, 502
/// Http           102          (the ready line, logged by Web or the demo fleet)
/// Broker         200-279
/// Certificates   280-284
/// Ingestion      300-399      951-953 (telemetry partitions)
/// Accounts       400-419      (408 is Mail's)
/// Mail           408
/// Demo           430-439      900-949
/// Live           500-501, 503-505 (signals between instances)
/// Notifications  530-549
/// Knowledge      600-619
/// Fixes          620-639
/// Updates        640-659
/// Support        660-679
/// Hosts          680-699
/// Storage        950, 960     (951-953 are Ingestion's; 960 leases)
/// </code>
/// </remarks>
internal static class EventIdBlocks;
