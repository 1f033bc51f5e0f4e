namespace Diagnostics.Cloud.Devices;

/// <summary>Log event ids of Devices; its block and the next free number are in <see cref="Diagnostics.Cloud.Observability.EventIdBlocks"/>.</summary>
internal static class DevicesEventIds
{
    public const int DeviceRegistered = 100;
    public const int DeviceCertificateSentAgain = 103;
    public const int FleetSampled = 150;
    public const int FleetSampleFailed = 151;
    public const int FleetHistoryTrimmed = 152;
    public const int BrokerAccountFailed = 257;
    public const int BrokerAccountRemovalDeferred = 258;
    public const int DeviceCertificateIssued = 285;
    public const int CertificateRequestHeld = 286;
    public const int CertificateRequestDecided = 287;
    public const int DeviceCredentialsRevoked = 288;
    public const int DeviceCredentialsRotated = 289;
    public const int DeviceAccessRefused = 420;
    public const int EnrollmentRefused = 421;
}
