using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

using Diagnostics.FirmwareTools.CommandLine;

namespace Diagnostics.FirmwareTools.Cloud;

/// <summary>
/// A signed-in session with the cloud's update API (cookie authentication, as the dashboard uses). Refusals the
/// contract names (400, 401, 403, 404, 409, 422 with problem details) end the command with exit code 1 and the
/// problem's title and detail; anything else is a network error (exit code 3).
/// </summary>
public sealed class CloudClient : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly HashSet<HttpStatusCode> Refusals =
    [
        HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, HttpStatusCode.NotFound,
        HttpStatusCode.Conflict, HttpStatusCode.UnprocessableEntity,
    ];

    private readonly HttpClient _http;

    private CloudClient(Uri cloud)
    {
        var handler = new SocketsHttpHandler { CookieContainer = new CookieContainer(), UseCookies = true, AllowAutoRedirect = false };
        // Relative paths resolve under the cloud's address even when it has a path of its own (https://host/diagnostics).
        var root = cloud.AbsoluteUri.EndsWith('/') ? cloud : new Uri(cloud.AbsoluteUri + "/");
        // Uploads of a few hundred MB over a slow link take long; a stalled connection still fails on its own.
        _http = new HttpClient(handler) { BaseAddress = root, Timeout = TimeSpan.FromMinutes(30) };
    }

    public Uri Address => _http.BaseAddress!;

    public static async Task<CloudClient> SignInAsync(Uri cloud, string email, string password, CancellationToken cancellationToken)
    {
        var client = new CloudClient(cloud);
        try
        {
            using var response = await client._http.PostAsJsonAsync("api/auth/login", new SignInRequest(email, password), Json, cancellationToken);
            await client.RequireSuccessAsync(response, $"signing in as {email}", cancellationToken);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Uploads a package file as it is, streamed, with progress in bytes sent.</summary>
    public async Task<(PublishedPackage Package, bool Created)> PublishPackageAsync(string path, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        using var content = new StreamContent(new ProgressStream(file, progress), 1 << 16);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentLength = file.Length;
        using var response = await _http.PostAsync("api/updates/packages", content, cancellationToken);
        var package = await ReadAsync<PublishedPackage>(response, "publishing the package", cancellationToken);
        return (package, response.StatusCode == HttpStatusCode.Created);
    }

    public async Task<RolloutView> CreateRolloutAsync(CreateRolloutRequest request, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync("api/updates/rollouts", request, Json, cancellationToken);
        return await ReadAsync<RolloutView>(response, "creating the rollout", cancellationToken);
    }

    public async Task<RolloutView> GetRolloutAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"api/updates/rollouts/{Uri.EscapeDataString(id)}", cancellationToken);
        return await ReadAsync<RolloutView>(response, $"reading rollout {id}", cancellationToken);
    }

    /// <summary><c>pause</c>, <c>resume</c> or <c>cancel</c>.</summary>
    public async Task<RolloutView> ActOnRolloutAsync(string id, string action, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync($"api/updates/rollouts/{Uri.EscapeDataString(id)}/{action}", content: null, cancellationToken);
        return await ReadAsync<RolloutView>(response, $"{action} rollout {id}", cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private async Task<T> ReadAsync<T>(HttpResponseMessage response, string doing, CancellationToken cancellationToken)
    {
        await RequireSuccessAsync(response, doing, cancellationToken);
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
                ?? throw new HttpRequestException($"{doing}: it answered {(int)response.StatusCode} with an empty body", null, response.StatusCode);
        }
        catch (JsonException exception)
        {
            throw new HttpRequestException($"{doing}: its answer does not read as the update API's ({exception.Message})", exception, response.StatusCode);
        }
    }

    private async Task RequireSuccessAsync(HttpResponseMessage response, string doing, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
            return;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var problem = TryReadProblem(body);
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        var explanation = problem is null
            ? (body.Length > 0 ? body[..Math.Min(body.Length, 300)] : "no details")
            : $"{problem.Title}{(string.IsNullOrWhiteSpace(problem.Detail) ? "" : $": {problem.Detail}")}";
        if (Refusals.Contains(response.StatusCode))
            throw CommandFailedException.Refused($"refused by the cloud ({status}) {doing}: {explanation}");
        throw new HttpRequestException($"{doing} at {Address}: {status}: {explanation}", null, response.StatusCode);
    }

    private static CloudProblem? TryReadProblem(string body)
    {
        try
        {
            return body.Length > 0 && body.TrimStart().StartsWith('{') ? JsonSerializer.Deserialize<CloudProblem>(body, Json) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
