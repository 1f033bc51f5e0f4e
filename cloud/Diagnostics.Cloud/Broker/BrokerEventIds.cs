namespace Diagnostics.Cloud.Broker;

/// <summary>Log event ids of Broker; its block and the next free number are in <see cref="Diagnostics.Cloud.Observability.EventIdBlocks"/>.</summary>
internal static class BrokerEventIds
{
    public const int BrokerStarted = 200;
    public const int BrokerStopped = 201;
    public const int AuthRefused = 210;
    public const int AuthError = 211;
    public const int PublishDenied = 220;
    public const int SubscribeDenied = 221;
    public const int HookError = 222;
    public const int DeviceConnected = 230;
    public const int DeviceDisconnected = 231;
    public const int PresenceChanged = 232;
    public const int PresenceMalformed = 233;
    public const int DevicesTimedOut = 234;
    public const int PresenceError = 235;
    public const int PresenceCheckFailed = 236;
    public const int PacketTooLarge = 240;
    public const int ClientLimited = 241;
    public const int ExternalBrokerConnected = 250;
    public const int ExternalBrokerLost = 251;
    public const int ExternalBrokerConnectFailed = 252;
    public const int ExternalBrokerTlsRefused = 253;
    public const int ExternalBrokerHandlerFailed = 254;
    public const int BrokerAccountChanged = 255;
    public const int BrokerCloudRole = 256;
    public const int RevocationListWritten = 275;
    public const int RevocationListFailed = 259;
    public const int BrokerHookCallerRefused = 260;
    public const int BrokerHookDenied = 261;
    public const int BrokerHookBadRequest = 262;
    public const int PlainListener = 270;
    public const int DeviceSessionEnded = 271;
    public const int RevocationWatchFailed = 272;
    public const int CertificateRenewalRefused = 273;
    public const int RenewedCertificatesSuperseded = 274;
}
