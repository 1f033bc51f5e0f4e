using Diagnostics.Agent.Hosting;
using Microsoft.Extensions.Hosting;

namespace Diagnostics.Agent.Tests.Hosting;

/// <summary>The agent's Generic Host as <c>run</c> builds it, without appsettings.json, from command-line arguments.</summary>
internal static class AgentHosts
{
    public static IHost Build(params string[] args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, DisableDefaults = true });
        builder.AddAgentConfiguration(args);
        builder.AddDeviceAgent();
        return builder.Build();
    }
}
