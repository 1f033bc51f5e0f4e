using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Diagnostics.Cloud.Certificates;

public static class CertificatesExtensions
{
    /// <summary>The server certificate (HTTPS, MQTT over TLS) and the device CA; created at first start when none is configured.</summary>
    public static IHostApplicationBuilder AddCertificates(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<CertificateOptions>()
            .Bind(builder.Configuration.GetSection(CertificateOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.ServerCertificatePath.Length > 0 || o.ServerKeyPath.Length == 0, "Certificates:ServerKeyPath needs Certificates:ServerCertificatePath.")
            .Validate(o => o.ServerCertificatePath.Length == 0 || File.Exists(o.ServerCertificatePath), "Certificates:ServerCertificatePath names a file that does not exist.")
            .Validate(o => o.DeviceCaCertificatePath.Length > 0 || o.DeviceCaKeyPath.Length == 0, "Certificates:DeviceCaKeyPath needs Certificates:DeviceCaCertificatePath.")
            .Validate(o => o.DeviceCaCertificatePath.Length == 0 || File.Exists(o.DeviceCaCertificatePath), "Certificates:DeviceCaCertificatePath names a file that does not exist.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<CertificateDirectory>();
        builder.Services.AddSingleton<ServerCertificate>();
        builder.Services.AddSingleton<DeviceCertificateAuthority>();
        builder.Services.AddHostedService<CertificatesAtStart>();
        return builder;
    }

    /// <summary>Loads (or makes) both at start, so a broken file stops the host at once and the log says where they are.</summary>
    private sealed class CertificatesAtStart(ServerCertificate server, DeviceCertificateAuthority devices) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = server.Current;
            _ = devices.Certificate;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
