using System.Web;
using Diagnostics.Agent.Collectors.Ipp;

namespace Diagnostics.Agent.Hosts;

/// <summary>Who a queue's printer is: what the cloud ties the queue to a registered device by.</summary>
/// <param name="Uuid">printer-uuid (<c>urn:uuid:…</c>), or empty.</param>
/// <param name="Serial">The serial number (IEEE 1284 <c>SN:</c>, or a USB URI's <c>serial=</c>), or empty.</param>
/// <param name="Model">printer-make-and-model as the printer reports it, or empty.</param>
public sealed record PrinterIdentity(string Uuid, string Serial, string Model)
{
    public static readonly PrinterIdentity Unknown = new("", "", "");

    /// <summary>
    /// What the device URI itself says: <c>dnssd://…/?uuid=…</c> carries the uuid, <c>usb://Maker/Model?serial=…</c>
    /// the serial and the model (CUPS's usb backend writes them so).
    /// </summary>
    public static PrinterIdentity FromDeviceUri(string deviceUri)
    {
        if (!Uri.TryCreate(deviceUri, UriKind.Absolute, out var uri))
            return Unknown;
        var query = HttpUtility.ParseQueryString(uri.Query);
        var uuid = query["uuid"] is { Length: > 0 } u ? (u.StartsWith("urn:uuid:", StringComparison.OrdinalIgnoreCase) ? u : "urn:uuid:" + u) : "";
        var serial = query["serial"] ?? "";
        var model = uri.Scheme == "usb" ? $"{Uri.UnescapeDataString(uri.Host)} {Uri.UnescapeDataString(uri.AbsolutePath.Trim('/'))}".Trim() : "";
        return new PrinterIdentity(uuid, serial, model);
    }

    /// <summary>The SN:/SERN: field of an IEEE 1284 device id (<c>MFG:Acme;MDL:LaserPro 500;SN:X123;</c>), or empty.</summary>
    public static string SerialOf(string deviceId)
    {
        foreach (var part in deviceId.Split(';', StringSplitOptions.TrimEntries))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && part[..colon].ToUpperInvariant() is "SN" or "SERN" or "SERIALNUMBER" && part.Length > colon + 1)
                return part[(colon + 1)..].Trim();
        }
        return "";
    }

    /// <summary>This identity, with what <paramref name="other"/> knows filled in where this one knows nothing.</summary>
    public PrinterIdentity Or(PrinterIdentity other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new(Uuid.Length > 0 ? Uuid : other.Uuid, Serial.Length > 0 ? Serial : other.Serial, Model.Length > 0 ? Model : other.Model);
    }
}

/// <summary>
/// Asks the printers behind the host's queues who they are (Get-Printer-Attributes: printer-uuid, printer-device-id,
/// printer-make-and-model) when a queue prints over IPP, and keeps each answer for a while: queues are read every few
/// seconds, printers change identity never.
/// </summary>
public sealed class PrinterIdentities(HttpClient http, TimeSpan timeout, TimeSpan keepFor, TimeProvider time)
{
    private static readonly string[] IdentityAttributes = ["printer-uuid", "printer-device-id", "printer-make-and-model"];

    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, (PrinterIdentity Identity, DateTimeOffset At)> _known = new(StringComparer.Ordinal);

    /// <summary>The identity of the printer at <paramref name="deviceUri"/>; a printer that does not answer is reported by what its URI says.</summary>
    /// <param name="problem">Why the printer could not be asked, when it could not.</param>
    public async Task<(PrinterIdentity Identity, string? Problem)> IdentifyAsync(string deviceUri, CancellationToken cancellationToken)
    {
        var fromUri = PrinterIdentity.FromDeviceUri(deviceUri);
        if (!Uri.TryCreate(deviceUri, UriKind.Absolute, out var uri) || uri.Scheme is not ("ipp" or "ipps"))
            return (fromUri, null);
        var now = time.GetUtcNow();
        lock (_known)
        {
            if (_known.TryGetValue(deviceUri, out var known) && now - known.At < keepFor)
                return (known.Identity, null);
        }
        try
        {
            var answer = await new IppClient(http, uri, timeout, IppCodec.DefaultMaxMessageBytes).GetPrinterAttributesAsync(IdentityAttributes, cancellationToken);
            string First(string name) => answer.Find(name)?.Strings.FirstOrDefault() ?? "";
            var identity = new PrinterIdentity(First("printer-uuid"), PrinterIdentity.SerialOf(First("printer-device-id")), First("printer-make-and-model")).Or(fromUri);
            lock (_known)
                _known[deviceUri] = (identity, now);
            return (identity, null);
        }
        catch (IppRequestException ex)
        {
            // A printer that is off now may be on in a minute: asked again then, not at every read meanwhile.
            var retryIn = keepFor < RetryAfterFailure ? keepFor : RetryAfterFailure;
            lock (_known)
            {
                var stale = _known.TryGetValue(deviceUri, out var before) ? before.Identity : fromUri;
                _known[deviceUri] = (stale, now - keepFor + retryIn);
                return (stale, ex.Message);
            }
        }
    }
}
