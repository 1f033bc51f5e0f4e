using System.Globalization;
using System.Net.Http.Headers;
using Diagnostics.Protocol;

namespace Diagnostics.Agent.Collectors.Ipp;

/// <summary>Why an IPP request failed.</summary>
public enum IppRequestFailure
{
    Timeout,
    Connection,
    HttpStatus,
    TooLarge,
    Malformed,
    IppStatus,
}

/// <summary>An IPP request that got no usable answer: the printer is unreachable, slow, or answered nonsense.</summary>
public sealed class IppRequestException(IppRequestFailure failure, string message, Exception? inner = null, short? statusCode = null, UnreachableCause? cause = null)
    : Exception(message, inner), IUnreachableCause
{
    public IppRequestFailure Failure { get; } = failure;

    /// <summary>The IPP status-code when <see cref="Failure"/> is <see cref="IppRequestFailure.IppStatus"/> (0x0406 client-error-not-found ...).</summary>
    public short? StatusCode { get; } = statusCode;

    /// <summary>The cause in plain words, for the device page and the knowledge base (<c>agent:unreachable-not-ipp</c> ...).</summary>
    public UnreachableCause Cause { get; } = cause ?? new UnreachableCause(failure switch
    {
        IppRequestFailure.Timeout => UnreachableCauses.Timeout,
        IppRequestFailure.HttpStatus => UnreachableCauses.HttpError,
        IppRequestFailure.TooLarge => UnreachableCauses.Oversized,
        IppRequestFailure.Malformed => UnreachableCauses.NotIpp,
        IppRequestFailure.IppStatus => UnreachableCauses.IppError,
        _ => UnreachableCauses.ConnectionLost,
    }, message);
}

/// <summary>
/// Sends IPP requests over HTTP POST (<c>application/ipp</c>) with the given <see cref="HttpClient"/>, which it does
/// not own. ipp:// goes as http:// to the same port (631 by default), ipps:// as https://.
/// </summary>
public sealed class IppClient
{
    public const string MediaType = "application/ipp";

    /// <summary>Who the agent says it is in requests that name a user (subscriptions, printer operations).</summary>
    public const string RequestingUserName = "diagnostics-agent";

    /// <summary>What the collector asks for: state, reasons, alerts, supplies, trays, counters, identity.</summary>
    public static readonly IReadOnlyList<string> StatusAttributes =
    [
        "printer-state", "printer-state-reasons", "printer-state-message", "printer-alert", "printer-alert-description",
        "printer-supply", "printer-supply-description", "marker-names", "marker-levels", "marker-types", "marker-colors",
        "marker-low-levels", "marker-high-levels", "printer-input-tray", "printer-up-time", "printer-impressions-completed",
        "printer-impressions-completed-col", "printer-media-sheets-completed", "printer-pages-completed",
        "printer-make-and-model", "printer-firmware-name", "printer-firmware-string-version", "printer-firmware-version",
        "printer-device-id", "printer-uuid", "operations-supported", "notify-pull-method-supported",
    ];

    private readonly HttpClient _http;
    private readonly Uri _printerUri;
    private readonly Uri _httpUri;
    private readonly TimeSpan _timeout;
    private readonly int _maxResponseBytes;
    private int _requestId;

    public IppClient(HttpClient http, Uri printerUri, TimeSpan requestTimeout, int maxResponseBytes)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(printerUri);
        _http = http;
        _printerUri = printerUri;
        _httpUri = ToHttpUri(printerUri);
        _timeout = requestTimeout;
        _maxResponseBytes = maxResponseBytes;
    }

    public Uri PrinterUri => _printerUri;

    public static Uri ToHttpUri(Uri printerUri)
    {
        ArgumentNullException.ThrowIfNull(printerUri);
        var (scheme, defaultPort) = printerUri.Scheme switch
        {
            "ipp" => ("http", 631),
            "ipps" => ("https", 631),
            "http" => ("http", 80),
            "https" => ("https", 443),
            _ => throw new ArgumentException($"Not an IPP URI: {printerUri}", nameof(printerUri)),
        };
        var port = printerUri.IsDefaultPort || printerUri.Port < 0 ? defaultPort : printerUri.Port;
        return new UriBuilder(printerUri) { Scheme = scheme, Port = port }.Uri;
    }

    /// <summary>The operation attributes every request starts with (RFC 8011 4.1.4).</summary>
    public IppAttributeGroup OperationAttributes(params IppAttribute[] more) => new(IppGroupTag.Operation,
    [
        new IppAttribute("attributes-charset", new IppStringValue(IppValueTag.Charset, "utf-8")),
        new IppAttribute("attributes-natural-language", new IppStringValue(IppValueTag.NaturalLanguage, "en")),
        new IppAttribute("printer-uri", new IppStringValue(IppValueTag.Uri, _printerUri.OriginalString)),
        .. more,
    ]);

    public Task<IppMessage> GetPrinterAttributesAsync(IEnumerable<string> requestedAttributes, CancellationToken cancellationToken)
    {
        var requested = requestedAttributes.Select(IppValue (name) => new IppStringValue(IppValueTag.Keyword, name)).ToArray();
        var request = new IppMessage(2, 0, IppOperations.GetPrinterAttributes, NextRequestId(),
            [OperationAttributes(new IppAttribute("requested-attributes", requested))]);
        return SendAsync(request, cancellationToken);
    }

    public int NextRequestId() => Interlocked.Increment(ref _requestId);

    /// <summary>Sends one request; returns a successful response or throws <see cref="IppRequestException"/>.</summary>
    public async Task<IppMessage> SendAsync(IppMessage request, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            using var content = new ByteArrayContent(IppCodec.Encode(request));
            content.Headers.ContentType = new MediaTypeHeaderValue(MediaType);
            using var httpRequest = new HttpRequestMessage(HttpMethod.Post, _httpUri) { Content = content };
            using var response = await _http.SendAsync(httpRequest, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
                throw new IppRequestException(IppRequestFailure.HttpStatus, $"{_printerUri} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}.",
                    cause: new(UnreachableCauses.HttpError, $"the printer answered HTTP {(int)response.StatusCode} {response.ReasonPhrase} instead of IPP"));
            if (response.Content.Headers.ContentLength > _maxResponseBytes)
                throw TooLarge($"{_printerUri} sent {response.Content.Headers.ContentLength} bytes, above the limit of {_maxResponseBytes}.");
            var body = await ReadLimitedAsync(response.Content, timeout.Token);
            var decoded = IppCodec.Decode(body, _maxResponseBytes);
            if (!decoded.IsSuccess)
                throw new IppRequestException(IppRequestFailure.Malformed, $"{_printerUri} sent an undecodable IPP response ({decoded.Error}): {decoded.Detail}",
                    cause: decoded.Error == IppDecodeError.Truncated && LooksLikeIpp(body)
                        ? new(UnreachableCauses.Truncated, string.Create(CultureInfo.InvariantCulture, $"the printer's answer was cut off: {body.Length} bytes, ending inside the IPP message"))
                        : new(UnreachableCauses.NotIpp, $"the printer answered with something that is not IPP ({Describe(response, body)})"));
            var message = decoded.Message!;
            if (!message.IsSuccessStatus)
                throw new IppRequestException(IppRequestFailure.IppStatus, $"{_printerUri} answered IPP status 0x{message.Code:X4}.", statusCode: message.Code,
                    cause: new(UnreachableCauses.IppError, $"the printer refused the request with IPP status {IppStatusCodes.Name(message.Code)} (0x{message.Code:X4})"));
            return message;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IppRequestException(IppRequestFailure.Timeout, $"{_printerUri} did not answer within {_timeout.TotalSeconds:0.###} s.", ex,
                cause: new(UnreachableCauses.Timeout, string.Create(CultureInfo.InvariantCulture, $"the printer took longer than {_timeout.TotalSeconds:0.###} s to answer")));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            // The printer closed the connection in the middle of its answer (fewer bytes than its Content-Length).
            if (ex is HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded } || ex.InnerException is HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded })
                throw new IppRequestException(IppRequestFailure.Malformed, $"{_printerUri} ended its answer early: {ex.Message}", ex,
                    cause: new(UnreachableCauses.Truncated, "the printer's answer was cut off: the connection closed before the end of the IPP message"));
            throw new IppRequestException(IppRequestFailure.Connection, $"{_printerUri} is unreachable: {ex.Message}", ex,
                cause: UnreachableCause.OfConnection(ex, _httpUri.Host, _httpUri.Port));
        }
    }

    /// <summary>The host and port requests go to (for a cheap TCP probe while the printer is away).</summary>
    public (string Host, int Port) Endpoint => (_httpUri.Host, _httpUri.Port);

    private IppRequestException TooLarge(string message) => new(IppRequestFailure.TooLarge, message,
        cause: new(UnreachableCauses.Oversized, string.Create(CultureInfo.InvariantCulture, $"the printer's answer is larger than the {_maxResponseBytes} bytes allowed (Ipp:MaxResponseBytes)")));

    // An IPP response starts with a version (1.x or 2.x); anything else that fails to decode is not IPP at all.
    private static bool LooksLikeIpp(byte[] body) => body.Length >= 2 && body[0] is 1 or 2 && body[1] <= 2;

    private static string Describe(HttpResponseMessage response, byte[] body)
    {
        var type = response.Content.Headers.ContentType?.MediaType;
        var what = body.Length == 0 ? "an empty body" : string.Create(CultureInfo.InvariantCulture, $"{body.Length} bytes");
        return type is null || type == MediaType ? what : $"{what} of {type}";
    }

    // Reads at most the limit plus one byte, so a server that lies about (or omits) Content-Length cannot make us buffer more.
    private async Task<byte[]> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > _maxResponseBytes)
                throw TooLarge($"{_printerUri} sent more than the limit of {_maxResponseBytes} bytes.");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
