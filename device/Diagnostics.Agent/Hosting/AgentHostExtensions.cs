using System.Diagnostics.CodeAnalysis;
using Diagnostics.Agent.Collectors.Simulated;
using Diagnostics.Agent.Commands;
using Diagnostics.Agent.Reports;
using Diagnostics.Agent.Updates;
using Diagnostics.Agent.Uplink;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Diagnostics.Agent.Hosting;

/// <summary>Registers the single-device agent in a Generic Host.</summary>
public static class AgentHostExtensions
{
    /// <summary>Configuration: appsettings.json, then environment (standard and <c>DX_</c>-prefixed), then the command line.</summary>
    public static HostApplicationBuilder AddAgentConfiguration(this HostApplicationBuilder builder, string[] args)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration.AddEnvironmentVariables("DX_");
        builder.Configuration.AddCommandLine(args);
        return builder;
    }

    public static HostApplicationBuilder AddDeviceAgent(this HostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var isGateway = builder.Configuration.GetSection($"{GatewayOptions.Section}:{nameof(GatewayOptions.Devices)}").GetChildren().Any();
        var configuration = builder.Configuration;
        // Each binding names its type here, so the configuration binder's source generator writes it (no reflection).
        builder.AddValidatedOptions<AgentOptions>(o => configuration.GetSection(AgentOptions.Section).Bind(o), o => o.Validate(isGateway));
        builder.AddValidatedOptions<GatewayOptions>(o => configuration.GetSection(GatewayOptions.Section).Bind(o),
            o => o.Validate(configuration.GetSection(AgentOptions.Section).Get<AgentOptions>() ?? new AgentOptions()));
        builder.AddValidatedOptions<BrokerOptions>(o => configuration.GetSection(BrokerOptions.Section).Bind(o), o => o.Validate().Concat(
            !o.UseTls && configuration.GetSection(AgentOptions.Section).Get<AgentOptions>()?.Authentication == DeviceAuthentication.Certificate
                ? [$"{AgentOptions.Section}:Authentication=Certificate presents the certificate over TLS: set {BrokerOptions.Section}:UseTls=true."]
                : []));
        builder.AddValidatedOptions<OutboxOptions>(o => configuration.GetSection(OutboxOptions.Section).Bind(o), o => o.Validate());
        builder.AddValidatedOptions<SimulatorOptions>(o => configuration.GetSection(SimulatorOptions.Section).Bind(o), o => o.Validate());
        builder.AddValidatedOptions<CommandOptions>(o => configuration.GetSection(CommandOptions.Section).Bind(o), o => o.Validate());
        builder.AddValidatedOptions<UpdateOptions>(o => configuration.GetSection(UpdateOptions.Section).Bind(o), o => o.Validate());
        builder.Services.TryAddSingleton(TimeProvider.System);
        // The log tail a diagnostics report carries: every line the host logs also lands in this bounded ring.
        var logRing = new AgentLogRing(TimeProvider.System);
        builder.Logging.AddProvider(logRing);
        builder.Services.AddSingleton(logRing);
        // Reconnect jitter must differ between devices so a broker restart is not followed by a thundering herd.
        builder.Services.TryAddSingleton(_ => new Random());
        builder.Services.AddHostedService<AgentWorker>();
        return builder;
    }

    private static void AddValidatedOptions<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(
        this HostApplicationBuilder builder, Action<TOptions> bind, Func<TOptions, IEnumerable<string>> validate)
        where TOptions : class
    {
        // Read once at start (the agent watches no configuration for changes), then validated before anything runs.
        builder.Services.AddOptions<TOptions>().Configure(bind).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(new OptionsValidator<TOptions>(validate));
    }
}
