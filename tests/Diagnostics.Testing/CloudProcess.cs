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
    private bool _signedIn;

    private CloudProcess(ChildProcess process, Uri baseAddress, int mqttPort, int mqttTlsPort, string dataDirectory, IReadOnlyList<string> extraArguments,
        IReadOnlyDictionary<string, string>? environment)
    {
        _environment = environment;
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
    public static async Task<CloudProcess> StartAsync(
        CancellationToken cancellationToken, string? dataDirectory = null, int? httpPort = null, int? mqttPort = null,
        IReadOnlyList<string>? extraArguments = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        dataDirectory ??= Directory.CreateTempSubdirectory("dx-cloud-").FullName;
        var http = httpPort ?? FreePort.Next();
        var mqtt = mqttPort ?? FreePort.Next();
        var mqttTls = FreePort.Next();
        extraArguments ??= [];
        var cloud = new CloudProcess(Launch(dataDirectory, http, mqtt, mqttTls, extraArguments, environment), new Uri($"http://127.0.0.1:{http}/"), mqtt, mqttTls,
            dataDirectory, extraArguments, environment);
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
        Process = Launch(DataDirectory, BaseAddress.Port, MqttPort, MqttTlsPort, _extraArguments, _environment);
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
        IReadOnlyDictionary<string, string>? environment) =>
        ChildProcess.StartDotnet("cloud", RepositoryLayout.CloudDll,
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

    private async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        // A machine shared with many builds can take longer to start the cloud (DX_CLOUD_START_SECONDS raises the limit).
        var limit = int.TryParse(Environment.GetEnvironmentVariable("DX_CLOUD_START_SECONDS"), out var seconds) && seconds > 60 ? seconds : 60;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(limit);
        while (true)
        {
            if (Process.HasExited)
                throw new InvalidOperationException("The cloud exited during start:\n" + Process.Tail());
            try
            {
                using var response = await _http.GetAsync("health", cancellationToken);
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Listening but not answering within the client's timeout (a loaded machine): the deadline decides.
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The cloud did not become healthy within {limit} s:\n" + Process.Tail());
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }
}
