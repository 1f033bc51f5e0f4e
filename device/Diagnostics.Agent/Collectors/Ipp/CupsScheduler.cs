using System.Net;
using System.Text;

namespace Diagnostics.Agent.Collectors.Ipp;

/// <summary>The CUPS extensions to IPP (CUPS Implementation of IPP, "CUPS Operations") and the job operations the host role uses.</summary>
public static class CupsOperations
{
    public const short CancelJob = 0x0008;
    public const short GetJobAttributes = 0x0009;
    public const short GetPrinters = 0x4002;
    public const short AddModifyPrinter = 0x4003;
    public const short AcceptJobs = 0x4008;
}

/// <summary>IPP job-state (RFC 8011 5.3.7).</summary>
public enum IppJobState
{
    Pending = 3,
    PendingHeld = 4,
    Processing = 5,
    ProcessingStopped = 6,
    Canceled = 7,
    Aborted = 8,
    Completed = 9,
}

/// <summary>One queue as CUPS-Get-Printers describes it.</summary>
/// <param name="QueueUri">The queue's own IPP address (<c>ipp://localhost:631/printers/office</c>), for operations on it.</param>
public sealed record CupsQueueAttributes(
    string Name, Uri QueueUri, string DeviceUri, string MakeAndModel, int State, string StateMessage, IReadOnlyList<string> StateReasons,
    bool AcceptingJobs, long ConfigChangeTime, string CupsVersion);

/// <summary>A job's state as Get-Job-Attributes answers it.</summary>
public sealed record CupsJobState(IppJobState State, IReadOnlyList<string> Reasons, string Message);

/// <summary>
/// The local print system (cupsd) over IPP and HTTP: its queues (CUPS-Get-Printers), a queue's PPD (CUPS serves it at
/// <c>/printers/NAME.ppd</c>), installing a PPD (CUPS-Add-Modify-Printer with the PPD as the request's document),
/// printing and following a job, enabling a queue. Uses <see cref="IppClient"/> with the caller's
/// <see cref="HttpClient"/>, which it does not own; on a real host that client carries cupsd's "Local" root certificate
/// (<see cref="CupsAuthorizationHandler"/>), because cupsd lets only administrators change a queue.
/// </summary>
/// <param name="server">cupsd's address, <c>ipp://localhost:631/</c>.</param>
public sealed class CupsScheduler(HttpClient http, Uri server, TimeSpan requestTimeout)
{
    /// <summary>Attributes the host role reads of each queue.</summary>
    public static readonly IReadOnlyList<string> QueueAttributes =
    [
        "printer-name", "printer-uri-supported", "device-uri", "printer-make-and-model", "printer-state", "printer-state-message",
        "printer-state-reasons", "printer-is-accepting-jobs", "printer-config-change-time", "printer-type", "cups-version",
    ];

    /// <summary>Where a job's words are: the printer's message while the job ran (cupsd), else the job's own.</summary>
    private static readonly string[] JobMessageAttributes = ["job-printer-state-message", "job-state-message"];

    /// <summary>printer-type bits (CUPS): a class, or a queue shared from another server, is not this host's own printer.</summary>
    private const int ClassBit = 0x0001;
    private const int RemoteBit = 0x0002;

    /// <summary>The largest PPD the host role reads; real ones are tens of kilobytes, a few reach a megabyte.</summary>
    public const int MaxPpdBytes = 4 * 1024 * 1024;

    public Uri Server { get; } = server;

    /// <summary>The local queues (classes and other servers' shared queues left out), by name.</summary>
    public async Task<IReadOnlyList<CupsQueueAttributes>> GetQueuesAsync(CancellationToken cancellationToken)
    {
        var client = Client(Server);
        var requested = QueueAttributes.Select(IppValue (name) => new IppStringValue(IppValueTag.Keyword, name)).ToArray();
        var request = new IppMessage(2, 0, CupsOperations.GetPrinters, client.NextRequestId(),
            [Operation(client, Server, new IppAttribute("requested-attributes", requested))]);
        IppMessage response;
        try
        {
            response = await client.SendAsync(request, cancellationToken);
        }
        catch (IppRequestException ex) when (ex.StatusCode == 0x0406)
        {
            // client-error-not-found: cupsd has no printers at all.
            return [];
        }
        var queues = new List<CupsQueueAttributes>();
        foreach (var group in response.Groups.Where(g => g.Tag == IppGroupTag.Printer))
        {
            string Text(string name) => group.Attributes.FirstOrDefault(a => a.Name == name)?.Strings.FirstOrDefault() ?? "";
            int Integer(string name) => group.Attributes.FirstOrDefault(a => a.Name == name)?.Integers.FirstOrDefault() ?? 0;
            var name = Text("printer-name");
            if (name.Length == 0 || (Integer("printer-type") & (ClassBit | RemoteBit)) != 0)
                continue;
            var accepting = group.Attributes.FirstOrDefault(a => a.Name == "printer-is-accepting-jobs")?.Values.OfType<IppBooleanValue>().FirstOrDefault()?.Value ?? false;
            var reasons = group.Attributes.FirstOrDefault(a => a.Name == "printer-state-reasons")?.Strings.Where(r => r != "none").ToList() ?? [];
            queues.Add(new CupsQueueAttributes(name, QueueUri(name), Text("device-uri"), Text("printer-make-and-model"), Integer("printer-state"),
                Text("printer-state-message"), reasons, accepting, Integer("printer-config-change-time"), Text("cups-version")));
        }
        return queues.OrderBy(q => q.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The queue's PPD as CUPS serves it, or null when the queue has none (raw, or a queue CUPS made without one).</summary>
    public async Task<byte[]?> GetPpdAsync(string queue, CancellationToken cancellationToken)
    {
        var url = new Uri(IppClient.ToHttpUri(Server), $"printers/{Uri.EscapeDataString(queue)}.ppd");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(requestTimeout);
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.StatusCode == HttpStatusCode.NotFound)
                return null;
            if (!response.IsSuccessStatusCode)
                throw new IppRequestException(IppRequestFailure.HttpStatus, $"{url} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}.");
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, timeout.Token)) > 0)
            {
                if (buffer.Length + read > MaxPpdBytes)
                    throw new IppRequestException(IppRequestFailure.TooLarge, $"{url} is larger than {MaxPpdBytes} bytes.");
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IppRequestException(IppRequestFailure.Timeout, $"{url} did not answer within {requestTimeout.TotalSeconds:0.###} s.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new IppRequestException(IppRequestFailure.Connection, $"{url} is unreachable: {ex.Message}", ex);
        }
    }

    /// <summary>Gives the queue this PPD (CUPS-Add-Modify-Printer with the PPD as the document); cupsd keeps it as it is sent.</summary>
    public async Task SetPpdAsync(string queue, ReadOnlyMemory<byte> ppd, CancellationToken cancellationToken)
    {
        var uri = QueueUri(queue);
        var client = Client(uri);
        var request = new IppMessage(2, 0, CupsOperations.AddModifyPrinter, client.NextRequestId(), [Operation(client, uri)]) { Data = ppd };
        await client.SendAsync(request, cancellationToken);
    }

    /// <summary>Prints one document on the queue; answers the job id.</summary>
    /// <param name="hold">Hold the job (job-hold-until indefinite): the queue accepts it, nothing prints until it is released.</param>
    public async Task<int> PrintAsync(string queue, string jobName, string documentFormat, ReadOnlyMemory<byte> document, bool hold, CancellationToken cancellationToken)
    {
        var uri = QueueUri(queue);
        var client = Client(uri);
        IppAttributeGroup[] job = hold ? [new IppAttributeGroup(IppGroupTag.Job, [new IppAttribute("job-hold-until", new IppStringValue(IppValueTag.Keyword, "indefinite"))])] : [];
        var request = new IppMessage(2, 0, IppOperations.PrintJob, client.NextRequestId(),
        [
            Operation(client, uri,
                new IppAttribute("requesting-user-name", new IppStringValue(IppValueTag.NameWithoutLanguage, IppClient.RequestingUserName)),
                new IppAttribute("job-name", new IppStringValue(IppValueTag.NameWithoutLanguage, jobName)),
                new IppAttribute("document-format", new IppStringValue(IppValueTag.MimeMediaType, documentFormat))),
            .. job,
        ]) { Data = document };
        var response = await client.SendAsync(request, cancellationToken);
        return response.Find("job-id", IppGroupTag.Job)?.Integers.FirstOrDefault() is > 0 and var id
            ? id
            : throw new IppRequestException(IppRequestFailure.Malformed, $"{uri} accepted the job but named no job-id.");
    }

    public async Task<CupsJobState> GetJobStateAsync(string queue, int jobId, CancellationToken cancellationToken)
    {
        var uri = QueueUri(queue);
        var client = Client(uri);
        var request = new IppMessage(2, 0, CupsOperations.GetJobAttributes, client.NextRequestId(),
        [
            Operation(client, uri,
                new IppAttribute("job-id", new IppIntegerValue(IppValueTag.Integer, jobId)),
                new IppAttribute("requested-attributes",
                    new IppStringValue(IppValueTag.Keyword, "job-state"), new IppStringValue(IppValueTag.Keyword, "job-state-reasons"),
                    new IppStringValue(IppValueTag.Keyword, "job-state-message"), new IppStringValue(IppValueTag.Keyword, "job-printer-state-message"))),
        ]);
        var response = await client.SendAsync(request, cancellationToken);
        var state = response.Find("job-state", IppGroupTag.Job)?.Integers.FirstOrDefault() ?? 0;
        var reasons = response.Find("job-state-reasons", IppGroupTag.Job)?.Strings.Where(r => r != "none").ToList() ?? [];
        var message = JobMessageAttributes
            .Select(name => response.Find(name, IppGroupTag.Job)?.Strings.FirstOrDefault() ?? "").FirstOrDefault(m => m.Length > 0) ?? "";
        return new CupsJobState((IppJobState)state, reasons, message);
    }

    /// <summary>Cancels a job; one that already ended is left as it is.</summary>
    public async Task CancelJobAsync(string queue, int jobId, CancellationToken cancellationToken)
    {
        var uri = QueueUri(queue);
        var client = Client(uri);
        var request = new IppMessage(2, 0, CupsOperations.CancelJob, client.NextRequestId(),
        [
            Operation(client, uri,
                new IppAttribute("job-id", new IppIntegerValue(IppValueTag.Integer, jobId)),
                new IppAttribute("requesting-user-name", new IppStringValue(IppValueTag.NameWithoutLanguage, IppClient.RequestingUserName)),
                new IppAttribute("purge-job", new IppBooleanValue(true))),
        ]);
        try
        {
            await client.SendAsync(request, cancellationToken);
        }
        catch (IppRequestException ex) when (ex.StatusCode == IppStatusCodes.ClientErrorNotPossible)
        {
            // client-error-not-possible: the job has ended already.
        }
    }

    /// <summary>Starts the queue again (Resume-Printer) and lets it take jobs (CUPS-Accept-Jobs).</summary>
    public async Task EnableAsync(string queue, CancellationToken cancellationToken)
    {
        var uri = QueueUri(queue);
        var client = Client(uri);
        foreach (var operation in new[] { IppOperations.ResumePrinter, CupsOperations.AcceptJobs })
        {
            var request = new IppMessage(2, 0, operation, client.NextRequestId(),
            [
                Operation(client, uri, new IppAttribute("requesting-user-name", new IppStringValue(IppValueTag.NameWithoutLanguage, IppClient.RequestingUserName))),
            ]);
            await client.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>The queue's address on this cupsd.</summary>
    public Uri QueueUri(string queue) => new UriBuilder(Server) { Path = $"/printers/{Uri.EscapeDataString(queue)}" }.Uri;

    private IppClient Client(Uri uri) => new(http, uri, requestTimeout, IppCodec.DefaultMaxMessageBytes);

    /// <summary>The operation attributes, with printer-uri naming <paramref name="uri"/> (the client was made for it).</summary>
    private static IppAttributeGroup Operation(IppClient client, Uri uri, params IppAttribute[] more)
    {
        System.Diagnostics.Debug.Assert(client.PrinterUri == uri, "one client per target");
        return client.OperationAttributes(more);
    }
}

/// <summary>
/// Adds cupsd's "Local" authorization to every request, as libcups does on a local connection: <c>Local</c> and the
/// root certificate cupsd writes to <c>{StateDir}/certs/0</c> (readable by root only). Read per request, because cupsd
/// renews it every few minutes; nothing is added when there is none to read (a cupsd that asks no one).
/// </summary>
public sealed class CupsAuthorizationHandler(string certificateDirectory) : DelegatingHandler(new SocketsHttpHandler())
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Read() is { } certificate)
            request.Headers.TryAddWithoutValidation("Authorization", "Local " + certificate);
        return base.SendAsync(request, cancellationToken);
    }

    private string? Read()
    {
        try
        {
            var certificate = File.ReadAllText(Path.Combine(certificateDirectory, "0"), Encoding.ASCII).Trim();
            return certificate.Length > 0 ? certificate : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
