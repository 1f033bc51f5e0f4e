namespace Diagnostics.Cloud.Accounts;

/// <summary>
/// Told after an account paired or unpaired a device, whichever way it was done (the API, the companion page): a
/// capability that follows an account's devices (the notification inbox's live watches) registers one, so every
/// pairing path has the same effects without Accounts knowing who listens.
/// </summary>
public interface IPairingListener
{
    Task DevicesChangedAsync(string accountId, CancellationToken cancellationToken);
}
