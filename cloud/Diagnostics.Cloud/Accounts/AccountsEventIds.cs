namespace Diagnostics.Cloud.Accounts;

/// <summary>Log event ids of Accounts; its block and the next free number are in <see cref="Diagnostics.Cloud.Observability.EventIdBlocks"/>.</summary>
internal static class AccountsEventIds
{
    public const int AccountCreated = 400;
    public const int SignInRefused = 401;
    public const int SignedIn = 402;
    public const int SignInThrottled = 403;
    public const int PasswordChanged = 404;
    public const int PasswordResetMailed = 405;
    public const int PasswordResetRefused = 406;
    public const int PasswordReset = 407;
    public const int DevicePaired = 410;
    public const int PairingRefused = 411;
    public const int DeviceUnpaired = 412;
    public const int PairingListenerFailed = 413;
}
