using System.Net.Http.Json;
using System.Text.Json;

namespace Diagnostics.Testing;

/// <summary>
/// The real cloud service as a separate process on free ports, with its own SQLite file, the demo accounts seeded
/// (<see cref="DemoPassword"/>) and devices allowed to enroll with <see cref="EnrollmentKey"/>.
/// </summary>
public sealed class CloudProcess : IAsyncDisposable
{
    public const string EnrollmentKey = "e2e-enrollment-key";
    public const string DemoPassword = "diagnostics-demo";
    public const string AdminEmail = "admin@demo.test";
    public const string AgentEmail = "agent@demo.test";
    public const string SupervisorEmail = "supervisor@demo.test";
    public const string CustomerEmail = "customer@demo.test";
    public const string SecondCustomerEmail = "customer2@demo.test";

    private readonly HttpClient _http;
    private readonly IReadOnlyList<string> _extraArguments;
    private readonly IReadOnlyDictionary<string, string>? _environment;
    private readonly string? _cloudDll;
    private bool _signedIn;

    private CloudProcess(ChildProcess process, Uri baseAddress, int mqttPort, int mqttTlsPort, string dataDirectory, IReadOnlyList<string> extraArguments,
        IReadOnlyDictionary<string, string>? environment, string? cloudDll)
    {
        _environment = environment;
        _cloudDll = cloudDll;
        Process = process;
        BaseAddress = baseAddress;
        MqttPort = mqttPort;
        MqttTlsPort = mqttTlsPort;
        DataDirectory = dataDirectory;
        _extraArguments = extraArguments;
        // Keeps the admin's sign-in cookie for the calls below.
        _http = new HttpClient(new HttpClientHandler { UseCookies = true }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public ChildProcess Process { get; private set; }

    public Uri BaseAddress { get; }

    public int MqttPort { get; }

    /// <summary>MQTT over TLS, with the development certificate in <c>{DataDirectory}/certificates</c>.</summary>
    public int MqttTlsPort { get; }

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "diagnostics.db");

    public HttpClient Http => _http;

    /// <summary>Starts a cloud; pass the same <paramref name="dataDirectory"/> and ports to restart one on its store.</summary>
    /// <param name="extraArguments">More command-line settings, such as <c>--Demo:Devices=3</c>.</param>
    /// <param name="environment">More environment variables (e.g. a HOME of its own, as a second machine would have).</param>
    /// <param name="cloudDll">Another build of the cloud (a load run's A/B of two builds); this checkout's build when null.</param>
    public static async Task<CloudProcess> StartAsync(
        CancellationToken cancellationToken, string? dataDirectory = null, int? httpPort = null, int? mqttPort = null,
        IReadOnlyList<string>? extraArguments = null, IReadOnlyDictionary<string, string>? environment = null, string? cloudDll = null)
    {
        dataDirectory ??= Directory.CreateTempSubdirectory("dx-cloud-").FullName;
        var http = httpPort ?? FreePort.Next();
        var mqtt = mqttPort ?? FreePort.Next();
        var mqttTls = FreePort.Next();
        extraArguments ??= [];
        var cloud = new CloudProcess(Launch(dataDirectory, http, mqtt, mqttTls, extraArguments, environment, cloudDll), new Uri($"http://127.0.0.1:{http}/"), mqtt, mqttTls,
            dataDirectory, extraArguments, environment, cloudDll);
        try
        {
            await cloud.WaitUntilHealthyAsync(cancellationToken);
            return cloud;
        }
        catch
        {
            // Nobody else holds the process yet: a start that timed out or was cancelled must not leave it running.
            await cloud.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the process again on the same store and ports (after a stop or a kill).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        if (!Process.HasExited)
            await Process.StopAsync(TimeSpan.FromSeconds(20));
        Process = Launch(DataDirectory, BaseAddress.Port, MqttPort, MqttTlsPort, _extraArguments, _environment, _cloudDll);
        await WaitUntilHealthyAsync(cancellationToken);
    }

    public async Task<(string DeviceId, string Token)> RegisterAsync(string deviceId, CancellationToken cancellationToken, string model = "Acme LaserPro 500")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/devices") { Content = JsonContent.Create(new { deviceId, model }) };
        request.Headers.Add("X-Enrollment-Key", EnrollmentKey);
        using var response = await _http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Registering {deviceId} failed: {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        return (json.RootElement.GetProperty("deviceId").GetString()!, json.RootElement.GetProperty("token").GetString()!);
    }

    /// <summary>Signs the process's own client in as the demo admin (once), for the staff-only API.</summary>
    public async Task<HttpClient> AdminHttpAsync(CancellationToken cancellationToken)
    {
        if (_signedIn)
            return _http;
        using var response = await _http.PostAsJsonAsync("api/auth/login", new { email = AdminEmail, password = DemoPassword }, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Signing in as {AdminEmail} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        _signedIn = true;
        return _http;
    }

    public async Task<int> OnlineDevicesAsync(CancellationToken cancellationToken)
    {
        await AdminHttpAsync(cancellationToken);
        using var json = JsonDocument.Parse(await _http.GetStringAsync("api/fleet/summary", cancellationToken));
        return json.RootElement.GetProperty("byPresence").TryGetProperty("online", out var online) ? online.GetInt32() : 0;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Process.DisposeAsync();
    }

    private static ChildProcess Launch(string dataDirectory, int httpPort, int mqttPort, int mqttTlsPort, IReadOnlyList<string> extraArguments,
        IReadOnlyDictionary<string, string>? environment, string? cloudDll) =>
        ChildProcess.StartDotnet("cloud", cloudDll ?? RepositoryLayout.CloudDll,
        [
            "--urls", $"http://127.0.0.1:{httpPort}",
            $"--Broker:Port={mqttPort}",
            $"--Broker:TlsPort={mqttTlsPort}",
            $"--Storage:Path={Path.Combine(dataDirectory, "diagnostics.db")}",
            $"--Devices:EnrollmentKey={EnrollmentKey}",
            "--Demo:SeedAccounts=true",
            $"--Demo:DataDirectory={Path.Combine(dataDirectory, "demo-fleet")}",
            .. extraArguments,
        ], environment?.ToDictionary());

    /// <summary>
    /// How long a start may take before it is given up: generous, because a cloud that is still starting on a machine
    /// shared with many builds is slow, not broken (at load average 100 on 2 cores a start took more than a minute).
    /// A cloud that exits is reported at once, whatever the limit. <c>DX_CLOUD_START_SECONDS</c> sets another limit.
    /// </summary>
    public static TimeSpan StartLimit =>
        int.TryParse(Environment.GetEnvironmentVariable("DX_CLOUD_START_SECONDS"), out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromMinutes(10);

    private async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        var limit = StartLimit;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            // Kestrel says where it listens once the hosted services have started (marks rebuilt, broker up): wait for
            // that line or for the process to end, whichever comes first, instead of asking /health against a clock.
            var port = BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var listening = Process.WaitForLineAsync(
                line => line.Contains("Now listening on:", StringComparison.Ordinal) && line.Contains(":" + port, StringComparison.Ordinal),
                Timeout.InfiniteTimeSpan, deadline.Token);
            var exited = Process.WaitForExitAsync(deadline.Token);
            await Task.WhenAny(listening, exited);
            if (Process.HasExited)
                throw new InvalidOperationException($"The cloud (pid {Process.Id}) exited during start, before it listened on port {port}:\n" + Process.Tail());
            await listening;
            await WaitForHealthAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The cloud did not become healthy within {limit.TotalSeconds:N0} s (DX_CLOUD_START_SECONDS sets the limit):\n" + Process.Tail());
        }
    }

    /// <summary>Listening: /health answers now, or within moments if a check still reports starting.</summary>
    private async Task WaitForHealthAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (Process.HasExited)
                throw new InvalidOperationException($"The cloud (pid {Process.Id}) exited during start, after it listened:\n" + Process.Tail());
            try
            {
                using var response = await _http.GetAsync("health", cancellationToken);
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // Listening was announced; a refused connection means the process is going away (checked above).
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Too busy to answer within the client's timeout (a loaded machine): ask again.
            }
            // A health check that is not yet green (a hosted service finishing its start): ask again shortly.
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }
}
