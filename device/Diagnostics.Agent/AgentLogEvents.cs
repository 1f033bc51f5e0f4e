namespace Diagnostics.Agent;

/// <summary>Stable log event ids of the agent, in one place so they never collide.</summary>
internal static class AgentLogEvents
{
    // Telemetry 100-199
    public const int CollectorReadFailed = 100;
    public const int TelemetryPumpStarted = 101;
    public const int FloodFinished = 102;
    public const int CollectorStillFailing = 103;
    public const int CollectorRecovered = 104;

    // Uplink 200-299
    public const int Connecting = 200;
    public const int Connected = 201;
    public const int Disconnected = 202;
    public const int RetryScheduled = 203;
    public const int AckTimedOut = 204;
    public const int UnknownDownlink = 205;
    public const int MalformedAck = 206;
    public const int PublishFailed = 207;
    public const int ConnectFailed = 208;
    public const int MalformedCommand = 209;
    public const int MalformedConsentSet = 210;
    public const int DownlinkHandlerFailed = 211;
    public const int ReconnectRequested = 212;
    public const int MalformedUpdateOffer = 213;
    public const int BrokerCertificateRefused = 220;

    // Runtime and provisioning 300-399
    public const int Provisioned = 300;
    public const int CredentialsLoaded = 301;
    public const int AgentStarted = 302;
    public const int AgentStopped = 303;
    public const int CloudUnreachable = 304;
    public const int PairingCodeShown = 305;
    public const int CertificateEnrolled = 320;
    public const int CertificateRequestWaiting = 321;
    public const int CertificateRenewalRequested = 322;
    public const int CertificateRenewed = 323;
    public const int CertificateRenewalIgnored = 324;
    public const int CloudCertificateRefused = 325;

    // Commands 400-449 (Commands/: the executor, its journal and the consents it checks)
    public const int CommandReceived = 400;
    public const int CommandRefused = 401;
    public const int CommandExpired = 402;
    public const int CommandRan = 403;
    public const int CommandRepeated = 404;
    public const int CommandActionFailed = 405;
    public const int ConsentSetApplied = 406;
    public const int ConsentSetIgnored = 407;
    public const int CommandJournalUnreadable = 408;
    public const int AgentRestartRequested = 409;
    public const int CommandInterrupted = 410;
    public const int DiagnosticsUploaded = 411;
    public const int DiagnosticsUploadFailed = 412;

    // Updates 430-459 (Updates/: offers, checks, download, A/B slots, installer hooks, health check, rollback)
    public const int UpdateOfferReceived = 430;
    public const int UpdateRefused = 431;
    public const int UpdateRepeated = 432;
    public const int UpdateWithdrawn = 433;
    public const int UpdateWaiting = 434;
    public const int UpdateDownloadProgress = 435;
    public const int UpdateDownloadRetry = 436;
    public const int UpdateDownloadFailed = 437;
    public const int UpdateInstalling = 438;
    public const int UpdateInstallFailed = 439;
    public const int UpdateRebooting = 440;
    public const int UpdateHealthCheck = 441;
    public const int UpdateSucceeded = 442;
    public const int UpdateRolledBack = 443;
    public const int UpdateResumed = 444;
    public const int UpdateJournalUnreadable = 445;
    public const int UpdateSlotUnbootable = 446;
    public const int UpdateBooted = 447;
    public const int UpdateHookRan = 448;
    public const int UpdateFailed = 449;
    public const int UpdateAgentFailed = 450;
    public const int UpdateBootFailed = 451;

    // ----- IPP printer collector 600-649 (Collectors/Ipp) -----
    public const int IppReadFailed = 600;
    public const int IppBackingOff = 601;
    public const int IppRecovered = 602;
    public const int IppUpdateModeChosen = 603;
    public const int IppSubscribed = 604;
    public const int IppSubscriptionFailed = 605;
    public const int IppNotificationsReceived = 606;
    public const int IppSubscriptionRenewed = 607;
    public const int IppSubscriptionLost = 608;
    public const int IppSubscriptionCancelled = 609;
    public const int IppSubscriptionCancelFailed = 610;
    public const int IppOperationAnswered = 611;
    public const int IppRecoveryProbed = 612;
    public const int IppSubscriptionAbandoned = 613;

    // SNMP printer collector 650-699
    public const int SnmpResponseDiscarded = 650;
    public const int SnmpRequestRetried = 651;
    public const int SnmpAgentUnreachable = 652;
    public const int SnmpAgentReachableAgain = 653;
    public const int SnmpBackingOff = 654;
    public const int SnmpWalkTruncated = 655;
    public const int SnmpRecoveryProbed = 656;

    // Board collectors 700-749 (GPIO inputs, SHT3x environment sensor); kept apart so parallel collectors do not clash.
    public const int GpioInputsOpened = 700;
    public const int GpioInputChanged = 701;
    public const int GpioInputsOpenFailed = 702;
    public const int EnvironmentSensorReadFailed = 710;
    public const int EnvironmentSensorFault = 711;
    public const int EnvironmentSensorRecovered = 712;
    public const int EnvironmentThresholdCrossed = 713;

    // Host role 750-799 (Hosts/: print queues, driver installs)
    public const int HostQueuesRead = 750;
    public const int HostQueuesUnreadable = 751;
    public const int HostPrinterUnanswered = 752;
    public const int HostReportSent = 753;
    public const int DriverChecked = 754;
    public const int DriverRefused = 755;
    public const int DriverInstalled = 756;
    public const int DriverTestJob = 757;
    public const int DriverRolledBack = 758;
    public const int DriverRollbackFailed = 759;
    public const int DriverHookRan = 760;
    public const int DriverlessSwitched = 761;
}
