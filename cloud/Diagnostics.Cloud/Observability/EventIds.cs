namespace Diagnostics.Cloud.Observability;

/// <summary>Every log event id of the cloud, in one place so they stay stable and unique.</summary>
internal static class EventIds
{
    // Devices 1xx
    public const int DeviceRegistered = 100;
    public const int ApiListening = 101;
    public const int StartupReady = 102;

    // Dashboard and fleet history 15x
    public const int FleetSampled = 150;
    public const int FleetSampleFailed = 151;
    public const int FleetHistoryTrimmed = 152;
    public const int LiveRefreshFailed = 160;
    public const int LiveFeedFailed = 161;

    // Broker 2xx
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

    // External broker 25x
    public const int ExternalBrokerConnected = 250;
    public const int ExternalBrokerLost = 251;
    public const int ExternalBrokerConnectFailed = 252;
    public const int ExternalBrokerTlsRefused = 253;
    public const int ExternalBrokerHandlerFailed = 254;
    public const int BrokerAccountChanged = 255;
    public const int BrokerCloudRole = 256;
    public const int BrokerAccountFailed = 257;
    public const int BrokerAccountRemovalDeferred = 258;

    // Transport security and device sessions 27x
    public const int PlainListener = 270;
    public const int DeviceSessionEnded = 271;
    public const int RevocationWatchFailed = 272;
    public const int CertificateRenewalRefused = 273;

    // Certificates and device credentials 28x
    public const int ServerCertificateLoaded = 280;
    public const int ServerCertificateReloaded = 281;
    public const int ServerCertificateReloadFailed = 282;
    public const int DevelopmentCertificates = 283;
    public const int DeviceCaLoaded = 284;
    public const int DeviceCertificateIssued = 285;
    public const int CertificateRequestHeld = 286;
    public const int CertificateRequestDecided = 287;
    public const int DeviceCredentialsRevoked = 288;
    public const int DeviceCredentialsRotated = 289;

    // Ingestion 3xx
    public const int UplinkRejected = 300;
    public const int BatchStored = 310;
    public const int BatchFailed = 311;
    public const int GapSkipped = 312;
    public const int AckFailed = 313;
    public const int StreamsRebuilt = 320;

    // Accounts and access 4xx
    public const int AccountCreated = 400;
    public const int SignInRefused = 401;
    public const int SignedIn = 402;
    public const int SignInThrottled = 403;
    public const int PasswordChanged = 404;
    public const int PasswordResetMailed = 405;
    public const int PasswordResetRefused = 406;
    public const int PasswordReset = 407;
    public const int MailFailed = 408;
    public const int DevicePaired = 410;
    public const int PairingRefused = 411;
    public const int DeviceUnpaired = 412;
    public const int DeviceAccessRefused = 420;
    public const int EnrollmentRefused = 421;
    public const int DemoAccountsSeeded = 430;
    public const int DemoAccountsReady = 431;

    // Live updates and web 5xx
    public const int LiveBroadcastFailed = 500;
    public const int LiveWatchRefused = 501;
    public const int CrossSiteRefused = 502;

    // Notifications and the companion app 530-549
    public const int NotificationsMarkedRead = 530;
    public const int NotificationWatchFailed = 531;

    // Knowledge base 60x
    public const int KnowledgeImported = 600;
    public const int KnowledgeArticleRefused = 601;
    public const int KnowledgeDraftSaved = 602;
    public const int KnowledgePublished = 603;
    public const int KnowledgeStoredVersionInvalid = 604;
    public const int KnowledgePhraseProposed = 605;
    public const int KnowledgePhraseDecided = 606;

    // Fix loop 62x
    public const int FixProposed = 620;
    public const int FixDecided = 621;
    public const int FixCommandPublished = 622;
    public const int FixResult = 623;
    public const int FixClosed = 624;
    public const int FixUnknownResult = 625;
    public const int FixPolicy = 626;
    public const int FixPublishFailed = 627;
    public const int FixInboxFailed = 628;
    public const int FixLoopFailed = 629;
    public const int FixInboxBatchFailed = 630;

    // Updates 64x
    public const int PackagePublished = 640;
    public const int PackageRefused = 641;
    public const int RolloutCreated = 642;
    public const int RolloutStateChanged = 643;
    public const int RolloutHalted = 644;
    public const int RolloutWaveAdvanced = 645;
    public const int UpdateOfferPublished = 646;
    public const int UpdateReportApplied = 647;
    public const int UpdateReportUnknown = 648;
    public const int RolloutSchedulerFailed = 649;

    // Support sessions 66x
    public const int SupportSessionOpened = 660;
    public const int SupportHandedOver = 661;
    public const int SupportAssigned = 662;
    public const int SupportClosed = 663;
    public const int SupportBotFailed = 664;
    public const int SupportWatchFailed = 665;
    public const int SupportReviewed = 666;

    // Hosts 68x (computers and print servers that print to registered printers)
    public const int HostReportApplied = 680;
    public const int HostQueuesMatched = 681;
    public const int HostInventoryFailed = 682;

    // Storage 95x
    public const int SchemaMigrated = 950;
    public const int TelemetryPartitionAdded = 951;
    public const int TelemetryPartitionDropped = 952;
    public const int TelemetryRetentionFailed = 953;

    // Many instances 96x (leases, signals between instances, shared keys)
    public const int LeaseBusy = 960;
    public const int InstanceSignalsListening = 961;
    public const int InstanceSignalsLost = 962;
    public const int InstanceSignalDropped = 963;

    // Demo fleet 9xx
    public const int DemoFleetStarted = 900;
    public const int DemoFleetStale = 901;
    public const int DemoFleetFailed = 902;
}
