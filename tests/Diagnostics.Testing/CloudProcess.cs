using System.Net.Http.Json;
using System.Text.Json;

namespace Diagnostics.Testing;

/// <summary>The real cloud service as a separate process on free ports, with its own SQLite file.</summary>
public sealed class CloudProcess : IAsyncDisposable
{
    private readonly HttpClient _http;

    private CloudProcess(ChildProcess process, Uri baseAddress, int mqttPort, string dataDirectory)
    {
        Process = process;
        BaseAddress = baseAddress;
        MqttPort = mqttPort;
        DataDirectory = dataDirectory;
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public ChildProcess Process { get; private set; }

    public Uri BaseAddress { get; }

    public int MqttPort { get; }

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "diagnostics.db");

    public HttpClient Http => _http;

    /// <summary>Starts a cloud; pass the same <paramref name="dataDirectory"/> and ports to restart one on its store.</summary>
    public static async Task<CloudProcess> StartAsync(CancellationToken cancellationToken, string? dataDirectory = null, int? httpPort = null, int? mqttPort = null)
    {
        dataDirectory ??= Directory.CreateTempSubdirectory("dx-cloud-").FullName;
        var http = httpPort ?? FreePort.Next();
        var mqtt = mqttPort ?? FreePort.Next();
        var cloud = new CloudProcess(Launch(dataDirectory, http, mqtt), new Uri($"http://127.0.0.1:{http}/"), mqtt, dataDirectory);
        await cloud.WaitUntilHealthyAsync(cancellationToken);
        return cloud;
    }

    /// <summary>Starts the process again on the same store and ports (after a stop or a kill).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        if (!Process.HasExited)
            await Process.StopAsync(TimeSpan.FromSeconds(20));
        Process = Launch(DataDirectory, BaseAddress.Port, MqttPort);
        await WaitUntilHealthyAsync(cancellationToken);
    }

    public async Task<(string DeviceId, string Token)> RegisterAsync(string deviceId, CancellationToken cancellationToken, string model = "Acme LaserPro 500")
    {
        using var response = await _http.PostAsJsonAsync("api/devices", new { deviceId, model }, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Registering {deviceId} failed: {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        return (json.RootElement.GetProperty("deviceId").GetString()!, json.RootElement.GetProperty("token").GetString()!);
    }

    public async Task<int> OnlineDevicesAsync(CancellationToken cancellationToken)
    {
        using var json = JsonDocument.Parse(await _http.GetStringAsync("api/fleet/summary", cancellationToken));
        return json.RootElement.GetProperty("byPresence").TryGetProperty("online", out var online) ? online.GetInt32() : 0;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Process.DisposeAsync();
    }

    private static ChildProcess Launch(string dataDirectory, int httpPort, int mqttPort) =>
        ChildProcess.StartDotnet("cloud", RepositoryLayout.CloudDll,
        [
            "--urls", $"http://127.0.0.1:{httpPort}",
            $"--Broker:Port={mqttPort}",
            $"--Storage:Path={Path.Combine(dataDirectory, "diagnostics.db")}",
        ]);

    private async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
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
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The cloud did not become healthy within 60 s:\n" + Process.Tail());
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }
    }
}
