using Diagnostics.Cloud.Audit;
using Diagnostics.Cloud.Messaging;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Diagnostics.Cloud.Fixes;

public static class FixesExtensions
{
    /// <summary>The fix loop: proposals, consents, commands to devices, verification and the audit trail.</summary>
    public static IHostApplicationBuilder AddFixes(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<FixOptions>().BindConfiguration(FixOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SqliteFixStore>();
        // Takes what it needs of each uplink in the transaction ingestion stores it in.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IStoredUplinkHandOff, FixInboxWriter>());
        builder.Services.TryAddSingleton<IAuditLog, AuditLog>();
        builder.Services.AddSingleton<ConsentPolicies>();
        builder.Services.AddSingleton<FixCommandSender>();
        builder.Services.AddSingleton<FixWorkflow>();
        builder.Services.AddSingleton<SupportProposals>();
        builder.Services.AddSingleton<DiagnosticsReports>();
        builder.Services.AddSingleton<CustomerFixes>();
        builder.Services.AddSingleton<StaffFixes>();
        builder.Services.AddHostedService<FixLoopService>();
        return builder;
    }
}
