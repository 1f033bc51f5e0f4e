using System.Collections.Concurrent;
using System.Text.Json;

using Diagnostics.Protocol.Updates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Diagnostics.FirmwareTools.Tests.Cloud;

/// <summary>
/// The cloud's update API as fwtool's contract describes it, on a real Kestrel server on loopback: cookie sign-in,
/// package upload, rollouts. It records what it was sent, so tests assert on the wire, not on fwtool's internals.
/// </summary>
public sealed class FakeCloud : IAsyncDisposable
{
    public const string Email = "release@example.com";
    public const string Password = "correct horse battery staple";
    private const string SessionCookie = "dx.session";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, byte[]> _packages = new();

    private FakeCloud(WebApplication app)
    {
        _app = app;
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>Every request as "METHOD path", in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public ConcurrentQueue<(string ContentType, byte[] Body)> Uploads { get; } = new();

    public ConcurrentQueue<JsonElement> RolloutRequests { get; } = new();

    /// <summary>The states <c>GET /api/updates/rollouts/{id}</c> answers in turn; the last one repeats.</summary>
    public ConcurrentQueue<string> RolloutStates { get; } = new();

    /// <summary>When set, uploads are refused with this problem.</summary>
    public (int Status, string Title, string Detail)? PublishRefusal { get; set; }

    public static async Task<FakeCloud> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddProblemDetails();
        var app = builder.Build();
        var cloud = new FakeCloud(app);
        cloud.Map(app);
        await app.StartAsync(TestContext.Current.CancellationToken);
        cloud.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return cloud;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            Requests.Enqueue($"{context.Request.Method} {context.Request.Path}");
            var signingIn = context.Request.Path == "/api/auth/login";
            if (!signingIn && context.Request.Cookies[SessionCookie] != "signed-in")
            {
                await Results.Problem(title: "Unauthorized", detail: "Sign in first.", statusCode: 401).ExecuteAsync(context);
                return;
            }
            await next(context);
        });

        app.MapPost("/api/auth/login", (SignIn request, HttpContext context) =>
        {
            if (request.Email != Email || request.Password != Password)
                return Results.Problem(title: "Sign-in failed", detail: "The e-mail address or the password is wrong.", statusCode: 401);
            context.Response.Cookies.Append(SessionCookie, "signed-in", new CookieOptions { HttpOnly = true, Path = "/" });
            return Results.Ok(new { email = request.Email, role = "admin" });
        });

        app.MapPost("/api/updates/packages", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            var bytes = body.ToArray();
            Uploads.Enqueue((context.Request.ContentType ?? "", bytes));
            if (PublishRefusal is { } refusal)
                return Results.Problem(title: refusal.Title, detail: refusal.Detail, statusCode: refusal.Status);
            body.Position = 0;
            var (signed, error) = await PackageArchive.ReadManifestAsync(body, context.RequestAborted);
            if (signed is null)
                return Results.Problem(title: "Not a package", detail: error, statusCode: 400);
            var manifest = PackageArchive.TryDecodeUnverified(signed, out _)!;
            var view = new
            {
                packageId = manifest.PackageId,
                version = manifest.Version,
                kind = manifest.Kind.ToString().ToLowerInvariant(),
                isDelta = manifest.IsDelta,
                deltaFromVersion = manifest.IsDelta ? manifest.DeltaFromVersion : null,
                payloadSize = manifest.PayloadSize,
                imageSize = manifest.ImageSize,
                keyId = signed.Signatures.FirstOrDefault()?.KeyId,
            };
            if (_packages.TryGetValue(manifest.PackageId, out var existing) && existing.AsSpan().SequenceEqual(bytes))
                return Results.Ok(view);
            _packages[manifest.PackageId] = bytes;
            return Results.Created($"/api/updates/packages/{manifest.PackageId}", view);
        });

        app.MapPost("/api/updates/rollouts", async (HttpContext context) =>
        {
            var request = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body, cancellationToken: context.RequestAborted);
            RolloutRequests.Enqueue(request);
            var waves = request.GetProperty("waves").EnumerateArray().Select(wave => wave.GetInt32()).ToList();
            return Results.Created("/api/updates/rollouts/7", Rollout("7", "waiting-approval", request.GetProperty("name").GetString()!, waves));
        });

        app.MapGet("/api/updates/rollouts/{id}", (string id) =>
        {
            if (id != "7")
                return Results.Problem(title: "Not found", detail: $"There is no rollout {id}.", statusCode: 404);
            var state = RolloutStates.Count > 1 && RolloutStates.TryDequeue(out var next) ? next : RolloutStates.TryPeek(out var last) ? last : "running";
            return Results.Ok(Rollout(id, state, "LX-500 2.4.1", [1, 10, 50, 100]));
        });

        app.MapPost("/api/updates/rollouts/{id}/{action}", (string id, string action) => action switch
        {
            "pause" => Results.Ok(Rollout(id, "paused", "LX-500 2.4.1", [1, 10, 50, 100])),
            "resume" => Results.Ok(Rollout(id, "running", "LX-500 2.4.1", [1, 10, 50, 100])),
            "cancel" => Results.Ok(Rollout(id, "cancelled", "LX-500 2.4.1", [1, 10, 50, 100])),
            _ => Results.Problem(title: "Not found", statusCode: 404),
        });
    }

    private static object Rollout(string id, string state, string name, List<int> waves) => new
    {
        id,
        name,
        packageId = "lx500-fw-2.4.1",
        version = "2.4.1",
        state,
        haltReason = state == "halted" ? "wave 2: 4 of 40 devices failed (10%), over the 5% threshold" : null,
        currentWave = 2,
        waves = waves.Select((percent, index) => new
        {
            index = index + 1,
            percent,
            devices = percent * 4,
            succeeded = index == 0 ? 4 : index == 1 ? 30 : 0,
            failed = index == 1 ? 4 : 0,
            inProgress = index == 1 ? 6 : 0,
        }),
        counts = new Dictionary<string, int> { ["succeeded"] = 34, ["failed"] = 4, ["installing"] = 6, ["offered"] = 356 },
    };

    private sealed record SignIn(string? Email, string? Password);
}
