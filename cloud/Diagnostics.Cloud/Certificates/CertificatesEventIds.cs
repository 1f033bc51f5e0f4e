namespace Diagnostics.Cloud.Certificates;

/// <summary>Log event ids of Certificates; its block and the next free number are in <see cref="Diagnostics.Cloud.Observability.EventIdBlocks"/>.</summary>
internal static class CertificatesEventIds
{
    public const int ServerCertificateLoaded = 280;
    public const int ServerCertificateReloaded = 281;
    public const int ServerCertificateReloadFailed = 282;
    public const int DevelopmentCertificates = 283;
    public const int DeviceCaLoaded = 284;
}
