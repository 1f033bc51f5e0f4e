using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;

namespace Diagnostics.Cloud.Observability;

public static class ObservabilityExtensions
{
    /// <summary>The <c>Diagnostics.Cloud</c> meter, OpenTelemetry metrics with a Prometheus exporter, health checks.</summary>
    public static IHostApplicationBuilder AddObservability(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<CloudMetrics>();
        builder.Services.AddHealthChecks();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(CloudMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        return builder;
    }

    /// <summary>
    /// <c>/metrics</c> (Prometheus) and <c>/health</c>: healthy or not for anyone (load balancers, uptime probes), one
    /// entry per check with its data (file paths, counts) only for whom <paramref name="showsDetailsTo"/> admits (staff
    /// signed in: the role check is the accounts' to say, so the caller passes it in).
    /// </summary>
    public static WebApplication MapObservability(this WebApplication app, Func<ClaimsPrincipal, bool> showsDetailsTo)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(showsDetailsTo);
        app.MapPrometheusScrapingEndpoint();
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = (context, report) => WriteHealthJsonAsync(context, report, showsDetailsTo) });
        return app;
    }

    private static Task WriteHealthJsonAsync(HttpContext context, HealthReport report, Func<ClaimsPrincipal, bool> showsDetailsTo)
    {
        context.Response.ContentType = "application/json";
        if (!showsDetailsTo(context.User))
            return context.Response.WriteAsync(JsonSerializer.Serialize(new { status = report.Status.ToString() }, HealthJson), context.RequestAborted);
        var body = new
        {
            status = report.Status.ToString(),
            totalDurationMs = report.TotalDuration.TotalMilliseconds,
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new
                {
                    status = e.Value.Status.ToString(),
                    description = e.Value.Description,
                    data = e.Value.Data,
                    error = e.Value.Exception?.Message,
                }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, HealthJson), context.RequestAborted);
    }

    private static readonly JsonSerializerOptions HealthJson = new(JsonSerializerDefaults.Web);
}
