using System.Net;
using System.Net.Http.Headers;
using Diagnostics.Agent.Collectors;
using Diagnostics.Agent.Collectors.Ipp;
using Diagnostics.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace Diagnostics.Agent.Tests.Collectors.Ipp;

/// <summary>
/// Commands as IPP operations, against the real thing: ippeveprinter (Identify-Printer; no Resume-Printer, Cancel-Jobs
/// or Purge-Jobs) and a private cupsd (Resume-Printer, Cancel-Jobs and Purge-Jobs; no Identify-Printer). A scripted
/// HTTP handler stands in only for what neither does (a printer that hides its operations, or refuses one).
/// </summary>
public sealed class IppPrinterActionsTests
{
    private static readonly Dictionary<string, string> NoParameters = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IppPrinterCollector Collector(HttpClient http, Uri printerUri) => new(
        http,
        new IppCollectorOptions { PrinterUri = printerUri, RequestTimeout = TimeSpan.FromSeconds(3), Notifications = false },
        TimeProvider.System,
        NullLogger<IppPrinterCollector>.Instance);

    [Fact]
    public async Task Identify_sends_Identify_Printer_to_ippeveprinter_with_a_sound_unless_asked_for_its_display()
    {
        await using var printer = await IppEvePrinter.StartAsync();
        await using var collector = Collector(printer.Http, printer.Uri);

        var sound = await collector.RunAsync(DeviceCommands.Identify, NoParameters, Ct);
        var display = await collector.RunAsync(DeviceCommands.Identify, new Dictionary<string, string> { ["action"] = "display" }, Ct);

        Assert.Equal(ActionOutcome.Succeeded("Identify-Printer accepted: the printer identifies itself by sound"), sound);
        Assert.Equal(ActionOutcome.Succeeded("Identify-Printer accepted: the printer identifies itself by display"), display);
        await Eventually.TrueAsync(() => printer.Output.Split('\n').Count(l => l.Contains("Identify-Printer successful-ok", StringComparison.Ordinal)) == 2,
            "ippeveprinter logged both Identify-Printer requests");
    }

    [Fact]
    public async Task Identify_by_a_means_the_printer_lacks_fails_and_names_what_it_offers()
    {
        await using var printer = await IppEvePrinter.StartAsync();
        await using var collector = Collector(printer.Http, printer.Uri);

        var outcome = await collector.RunAsync(DeviceCommands.Identify, new Dictionary<string, string> { ["action"] = "flash" }, Ct);

        Assert.Equal(ActionOutcome.Failed("the printer cannot identify itself by 'flash' (it offers display, sound)"), outcome);
        Assert.DoesNotContain("Identify-Printer", printer.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task What_ippeveprinter_does_not_offer_is_not_supported_and_never_sent()
    {
        await using var printer = await IppEvePrinter.StartAsync();
        await using var collector = Collector(printer.Http, printer.Uri);

        var resume = await collector.RunAsync(DeviceCommands.ResumePrinter, NoParameters, Ct);
        var cancel = await collector.RunAsync(DeviceCommands.CancelStuckJobs, NoParameters, Ct);
        var clear = await collector.RunAsync(DeviceCommands.ClearPaperPath, NoParameters, Ct);

        Assert.Equal(ActionOutcome.NotSupported("not supported by this printer: it does not offer Resume-Printer"), resume);
        Assert.Equal(ActionOutcome.NotSupported("not supported by this printer: it offers neither Cancel-Jobs nor Purge-Jobs"), cancel);
        Assert.Equal(ActionOutcome.NotSupported("not supported by this printer"), clear);
        Assert.DoesNotContain("Resume-Printer", printer.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Cancel-Jobs", printer.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resume_printer_resumes_a_paused_cups_queue()
    {
        await using var cups = await CupsDaemon.StartAsync();
        await using var collector = Collector(cups.Http, cups.QueueUri);
        await cups.DisableAsync("paused for the test");
        var paused = await collector.ReadAsync(Ct);
        Assert.Equal(DeviceState.Stopped, paused.State);
        Assert.Contains(paused.Conditions, c => c.Code == "ipp:paused");

        var resumed = await collector.RunAsync(DeviceCommands.ResumePrinter, NoParameters, Ct);
        var again = await collector.RunAsync(DeviceCommands.ResumePrinter, NoParameters, Ct);

        Assert.Equal(ActionOutcome.Succeeded("resumed: Resume-Printer accepted; the printer is idle now"), resumed);
        Assert.Equal(ActionOutcome.Succeeded("the printer was not paused (Resume-Printer accepted anyway); it is idle now"), again);
        var idle = await collector.ReadAsync(Ct);
        Assert.Equal(DeviceState.Idle, idle.State);
        Assert.DoesNotContain(idle.Conditions, c => c.Code == "ipp:paused");
    }

    [Fact]
    public async Task Cancel_stuck_jobs_cancels_the_jobs_held_in_a_cups_queue_with_Cancel_Jobs()
    {
        await using var cups = await CupsDaemon.StartAsync();
        await using var collector = Collector(cups.Http, cups.QueueUri);
        var client = new IppClient(cups.Http, cups.QueueUri, TimeSpan.FromSeconds(5), IppCodec.DefaultMaxMessageBytes);
        await SubmitHeldJobAsync(client);
        await SubmitHeldJobAsync(client);
        Assert.Equal(2, await WaitingJobsAsync(client));

        var cancelled = await collector.RunAsync(DeviceCommands.CancelStuckJobs, NoParameters, Ct);
        var nothingLeft = await collector.RunAsync(DeviceCommands.CancelStuckJobs, NoParameters, Ct);

        Assert.Equal(ActionOutcome.Succeeded("cancelled 2 waiting jobs (Cancel-Jobs)"), cancelled);
        Assert.Equal(ActionOutcome.Succeeded("no jobs waiting: nothing to cancel"), nothingLeft);
        Assert.Equal(0, await WaitingJobsAsync(client));
    }

    [Fact]
    public async Task Cups_does_not_offer_Identify_Printer_so_identify_is_not_supported()
    {
        await using var cups = await CupsDaemon.StartAsync();
        await using var collector = Collector(cups.Http, cups.QueueUri);

        var outcome = await collector.RunAsync(DeviceCommands.Identify, NoParameters, Ct);

        Assert.Equal(ActionOutcome.NotSupported("not supported by this printer: it does not offer Identify-Printer"), outcome);
    }

    [Fact]
    public async Task A_printer_that_does_not_list_its_operations_is_asked_and_falls_back_from_Cancel_Jobs_to_Purge_Jobs()
    {
        var printer = new ScriptedIppPrinter
        {
            [IppOperations.GetJobs] = _ => (0, [new IppAttributeGroup(IppGroupTag.Job, [new IppAttribute("job-id", new IppIntegerValue(IppValueTag.Integer, 7))])]),
            [IppOperations.CancelJobs] = _ => (IppStatusCodes.ServerErrorOperationNotSupported, []),
            [IppOperations.PurgeJobs] = _ => (0, []),
        };
        using var http = new HttpClient(printer);
        await using var collector = Collector(http, new Uri("ipp://printer.test/ipp/print"));

        var outcome = await collector.RunAsync(DeviceCommands.CancelStuckJobs, NoParameters, Ct);

        Assert.Equal(ActionOutcome.Succeeded("cancelled 1 waiting job (Purge-Jobs)"), outcome);
        Assert.Equal([IppOperations.GetPrinterAttributes, IppOperations.GetJobs, IppOperations.CancelJobs, IppOperations.PurgeJobs], printer.Operations);
    }

    [Fact]
    public async Task A_refused_operation_fails_with_the_printers_status_and_an_unreachable_printer_fails_saying_so()
    {
        var printer = new ScriptedIppPrinter
        {
            [IppOperations.GetPrinterAttributes] = _ => (0, [new IppAttributeGroup(IppGroupTag.Printer,
            [
                new IppAttribute("operations-supported", new IppIntegerValue(IppValueTag.Enum, IppOperations.ResumePrinter)),
                new IppAttribute("printer-state", new IppIntegerValue(IppValueTag.Enum, 5)),
            ])]),
            [IppOperations.ResumePrinter] = _ => (0x0403, []),
        };
        using var http = new HttpClient(printer);
        await using var collector = Collector(http, new Uri("ipp://printer.test/ipp/print"));
        using var nowhere = new HttpClient();
        await using var unreachable = Collector(nowhere, new Uri($"ipp://127.0.0.1:{FreePort.Next()}/ipp/print"));

        var refused = await collector.RunAsync(DeviceCommands.ResumePrinter, NoParameters, Ct);
        var gone = await unreachable.RunAsync(DeviceCommands.ResumePrinter, NoParameters, Ct);

        Assert.Equal(ActionOutcome.Failed("the printer refused Resume-Printer: client-error-not-authorized"), refused);
        Assert.Equal(CommandOutcome.Failed, gone.Outcome);
        Assert.StartsWith("the printer did not answer: ", gone.Detail, StringComparison.Ordinal);
        Assert.False(gone.IsNotSupported);
    }

    /// <summary>A job that waits until released (job-hold-until=indefinite): a stuck job, as far as the queue is concerned.</summary>
    private static async Task SubmitHeldJobAsync(IppClient client)
    {
        var request = new IppMessage(2, 0, IppOperations.PrintJob, client.NextRequestId(),
        [
            client.OperationAttributes(
                new IppAttribute("requesting-user-name", new IppStringValue(IppValueTag.NameWithoutLanguage, "someone")),
                new IppAttribute("job-name", new IppStringValue(IppValueTag.NameWithoutLanguage, "stuck")),
                new IppAttribute("document-format", new IppStringValue(IppValueTag.MimeMediaType, "application/octet-stream"))),
            new IppAttributeGroup(IppGroupTag.Job, [new IppAttribute("job-hold-until", new IppStringValue(IppValueTag.Keyword, "indefinite"))]),
        ])
        {
            Data = "stuck job\n"u8.ToArray(),
        };
        await client.SendAsync(request, Ct);
    }

    private static async Task<int> WaitingJobsAsync(IppClient client)
    {
        var response = await client.SendAsync(new IppMessage(2, 0, IppOperations.GetJobs, client.NextRequestId(),
        [
            client.OperationAttributes(
                new IppAttribute("which-jobs", new IppStringValue(IppValueTag.Keyword, "not-completed")),
                new IppAttribute("requested-attributes", new IppStringValue(IppValueTag.Keyword, "job-id"))),
        ]), Ct);
        return response.Groups.Count(g => g.Tag == IppGroupTag.Job);
    }

    /// <summary>
    /// An IPP printer made of answers by operation: status code and attribute groups (after the operation group).
    /// An operation without an answer gets successful-ok with nothing. Records the operations it was sent.
    /// </summary>
    private sealed class ScriptedIppPrinter : HttpMessageHandler
    {
        private readonly Dictionary<short, Func<IppMessage, (short Status, IppAttributeGroup[] Groups)>> _answers = [];
        private readonly List<short> _operations = [];

        public Func<IppMessage, (short Status, IppAttributeGroup[] Groups)> this[short operation]
        {
            set => _answers[operation] = value;
        }

        public IReadOnlyList<short> Operations
        {
            get
            {
                lock (_operations)
                    return [.. _operations];
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var decoded = IppCodec.Decode(await request.Content!.ReadAsByteArrayAsync(cancellationToken));
            var ipp = decoded.Message ?? throw new InvalidOperationException("The agent sent an undecodable request: " + decoded.Detail);
            lock (_operations)
                _operations.Add(ipp.Code);
            var (status, groups) = _answers.TryGetValue(ipp.Code, out var answer) ? answer(ipp) : ((short)0, []);
            var response = new IppMessage(2, 0, status, ipp.RequestId,
            [
                new IppAttributeGroup(IppGroupTag.Operation,
                [
                    new IppAttribute("attributes-charset", new IppStringValue(IppValueTag.Charset, "utf-8")),
                    new IppAttribute("attributes-natural-language", new IppStringValue(IppValueTag.NaturalLanguage, "en")),
                ]),
                .. groups,
            ]);
            var content = new ByteArrayContent(IppCodec.Encode(response));
            content.Headers.ContentType = new MediaTypeHeaderValue(IppClient.MediaType);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        }
    }
}
