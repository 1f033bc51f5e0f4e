namespace Diagnostics.Cloud.Messaging;

/// <summary>
/// When each connected device was last heard, told at receipt (before ingestion stores anything), so a heartbeat still
/// queued for the store does not count as missed. Ingestion tells it what arrived; the broker's presence keeps it; neither
/// owns the other, so the contract sits here.
/// </summary>
public interface IHeardDevices
{
    /// <summary>The broker received an uplink from the device (stored or not yet).</summary>
    void Heard(string deviceId);
}
