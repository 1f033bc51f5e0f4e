using System.Net.Http.Headers;
using Diagnostics.Cloud.Accounts;
using Diagnostics.Cloud.Devices;
using Diagnostics.Cloud.Http;
using Diagnostics.Protocol;
using Diagnostics.Protocol.Updates;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Updates;

public sealed record PackageView(
    string PackageId, string Kind, string Version, IReadOnlyList<string> Models, IReadOnlyList<string> HardwareRevisions, string MinimumFromVersion,
    bool IsDelta, string DeltaFromVersion, long PayloadSize, long ImageSize, string PayloadSha256, string ImageSha256, string KeyId,
    bool IsRollbackRelease, string ReleaseNotes, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset UploadedAt, string UploadedBy)
{
    public static PackageView Of(UpdatePackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        var m = package.Manifest;
        return new PackageView(m.PackageId, m.Kind.ToString().ToLowerInvariant(), m.Version, m.Models, m.HardwareRevisions, m.MinimumFromVersion,
            m.IsDelta, m.DeltaFromVersion, m.PayloadSize, m.ImageSize, Convert.ToHexStringLower(m.PayloadSha256), Convert.ToHexStringLower(m.ImageSha256),
            package.KeyId, m.IsRollbackRelease, m.ReleaseNotes, DateTimeOffset.FromUnixTimeMilliseconds(m.CreatedUnixMs),
            DateTimeOffset.FromUnixTimeMilliseconds(m.ExpiresUnixMs), package.UploadedAt, package.UploadedBy);
    }
}

public sealed record WaveView(int Index, double Percent, int Devices, int Succeeded, int Failed, int InProgress, int Waiting, int Declined);

/// <summary>
/// A rollout for staff. <see cref="Name"/> and <see cref="HaltReason"/> are as stored (English when the service wrote
/// them: the same for every reader and for programs); <see cref="NameForReader"/> and <see cref="HaltReasonForReader"/>
/// are the same in the reader's language (<see cref="RolloutNotes"/>).
/// </summary>
public sealed record RolloutView(
    string Id, string Name, string PackageId, string Version, string State, string HaltReason, int CurrentWave, IReadOnlyList<WaveView> Waves,
    IReadOnlyDictionary<string, int> Counts, RolloutSpec Spec, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset UpdatedAt, string? Note = null)
{
    public static RolloutView Of(Rollout rollout, IReadOnlyList<RolloutDevice> devices, string? note = null)
    {
        ArgumentNullException.ThrowIfNull(rollout);
        ArgumentNullException.ThrowIfNull(devices);
        var waves = rollout.Spec.Waves.Select((percent, index) =>
        {
            var wave = devices.Where(d => d.Wave == index).ToList();
            return new WaveView(index, percent, wave.Count,
                wave.Count(d => d.State == DeviceUpdateState.Succeeded),
                wave.Count(d => d.State is DeviceUpdateState.Failed or DeviceUpdateState.RolledBack),
                wave.Count(d => d.State == DeviceUpdateState.Approved || d.State.HasStarted()),
                wave.Count(d => d.State is DeviceUpdateState.Pending or DeviceUpdateState.Offered or DeviceUpdateState.Deferred),
                wave.Count(d => d.State is DeviceUpdateState.Declined or DeviceUpdateState.Withdrawn));
        }).ToList();
        var counts = devices.GroupBy(d => d.State.ToStorage()).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new RolloutView(rollout.Id, rollout.Spec.Name, rollout.Spec.PackageId, rollout.Version, rollout.State.ToStorage(), rollout.HaltReason,
            rollout.CurrentWave, waves, counts, rollout.Spec, rollout.CreatedAt, rollout.CreatedBy, rollout.UpdatedAt, note);
    }

    public string NameForReader => RolloutNotes.ReadName(Name, PackageId, Spec.Models.Count);

    public string HaltReasonForReader => RolloutNotes.ReadHaltReason(HaltReason);
}

/// <summary>A device of a rollout for staff; <see cref="Detail"/> as stored, <see cref="DetailForReader"/> in the reader's language.</summary>
public sealed record RolloutDeviceView(
    string RolloutId, string DeviceId, int Wave, string State, int Percent, string Failure, string Detail, string FromVersion, string RunningVersion,
    string? PackageId, DateTimeOffset? NotBefore, DateTimeOffset? FirstOfferedAt, DateTimeOffset? DeferredUntil, DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt, DateTimeOffset UpdatedAt, UpdateDetail? DeviceDetail = null)
{
    public static RolloutDeviceView Of(RolloutDevice d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return new RolloutDeviceView(d.RolloutId, d.DeviceId, d.Wave, d.State.ToStorage(), d.Percent, d.Failure, d.Detail, d.FromVersion, d.RunningVersion,
            d.PackageId, d.NotBefore, d.FirstOfferedAt, d.DeferredUntil, d.StartedAt, d.FinishedAt, d.UpdatedAt, d.DeviceDetail);
    }

    public string DetailForReader => RolloutNotes.ReadDetail(Detail, DeviceDetail);

    /// <summary><see cref="Failure"/> (the kind as stored, "HealthCheckFailed") in the reader's language; empty for none.</summary>
    public string FailureForReader => UpdateExplanations.FailureName(Failure);
}

/// <summary>An update as its customer sees it: what it is, where it stands and what they may do.</summary>
/// <param name="Kind"><c>firmware</c>, or <c>driver</c>: a printer driver for the computer <see cref="DeviceId"/> names.</param>
/// <param name="Models">The printers the package is for (a driver's printer models).</param>
public sealed record MyUpdateView(
    string RolloutId, string DeviceId, string Version, string FromVersion, string ReleaseNotes, long DownloadSize, string State, int Percent,
    string Failure, string Detail, bool CanApprove, bool CanDecline, bool CanRemindLater, DateTimeOffset? DeferredUntil, DateTimeOffset? DeferralEndsAt,
    DateTimeOffset? NotBefore, DateTimeOffset UpdatedAt, string Kind = "firmware", IReadOnlyList<string>? Models = null, UpdateDetail? DeviceDetail = null)
{
    /// <summary><see cref="Detail"/> (as stored: English when the service wrote it, the device's words otherwise) in the reader's language.</summary>
    public string DetailForReader => RolloutNotes.ReadDetail(Detail, DeviceDetail);

    /// <summary><see cref="Failure"/> (the kind as stored, "HealthCheckFailed") in the reader's language; empty for none.</summary>
    public string FailureForReader => UpdateExplanations.FailureName(Failure);
}

public sealed record CreateRolloutRequest(
    string? Name, string? PackageId, List<string>? Models, List<string>? FromVersions, List<string>? Tags, List<string>? DeviceIds, List<double>? Waves,
    int? WaveWindowSeconds, double? FailureThresholdPercent, bool? RequireApproval, int? MaxDeferralSeconds, int? HealthCheckSeconds);

public sealed record MaintenanceWindowRequest(string? From, string? To, string? TimeZone, bool? NotWhilePrinting);

public sealed record MaintenanceWindowView(string From, string To, string TimeZone, bool NotWhilePrinting, bool AlwaysOpen)
{
    public static MaintenanceWindowView Of(MaintenanceWindow w)
    {
        ArgumentNullException.ThrowIfNull(w);
        return new MaintenanceWindowView($"{w.FromMinute / 60:00}:{w.FromMinute % 60:00}", $"{w.ToMinute / 60:00}:{w.ToMinute % 60:00}", w.TimeZone, w.NotWhilePrinting, w.IsAlwaysOpen);
    }
}

/// <summary>
/// Updates: the package catalog and rollouts for release engineers (<c>/api/updates</c>), payload downloads for devices
/// (with their own token), and each customer's update offers and maintenance windows (<c>/api/me</c>).
/// </summary>
public static class UpdatesApi
{
    public static IEndpointRouteBuilder MapUpdatesApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // The device, not a person: its token in the Authorization header, checked here.
        app.MapGet("/api/devices/{deviceId}/updates/packages/{packageId}/payload", DevicePayload).WithTags("Updates").AllowAnonymous()
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound);

        var staff = app.MapGroup("/api").WithTags("Updates").RequireAuthorization(Roles.StaffPolicy);
        staff.MapGet("/updates/packages", Packages);
        staff.MapGet("/updates/packages/{packageId}", Package).ProducesProblem(StatusCodes.Status404NotFound);
        staff.MapGet("/updates/packages/{packageId}/payload", StaffPayload).ProducesProblem(StatusCodes.Status404NotFound);
        staff.MapGet("/updates/rollouts", Rollouts);
        staff.MapGet("/updates/rollouts/{rolloutId}", RolloutById).ProducesProblem(StatusCodes.Status404NotFound);
        staff.MapGet("/updates/rollouts/{rolloutId}/devices", RolloutDevices).ProducesProblem(StatusCodes.Status404NotFound);
        staff.MapGet("/devices/{deviceId}/updates", DeviceUpdates);
        staff.MapGet("/devices/{deviceId}/tags", Tags);
        staff.MapPut("/devices/{deviceId}/tags", SetTags).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);

        var release = app.MapGroup("/api/updates").WithTags("Updates").RequireAuthorization(Roles.SupervisorPolicy);
        release.MapPost("/packages", Upload).DisableAntiforgery()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        release.MapPost("/rollouts", CreateRollout).ProducesProblem(StatusCodes.Status400BadRequest);
        release.MapPost("/rollouts/{rolloutId}/pause", (string rolloutId, HttpContext http, StaffRollouts rollouts, CancellationToken ct) =>
            ChangeAsync(rolloutId, http, RolloutChange.Pause, rollouts, ct)).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        release.MapPost("/rollouts/{rolloutId}/resume", (string rolloutId, HttpContext http, StaffRollouts rollouts, CancellationToken ct) =>
            ChangeAsync(rolloutId, http, RolloutChange.Resume, rollouts, ct)).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        release.MapPost("/rollouts/{rolloutId}/cancel", (string rolloutId, HttpContext http, StaffRollouts rollouts, CancellationToken ct) =>
            ChangeAsync(rolloutId, http, RolloutChange.Cancel, rollouts, ct)).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        var mine = app.MapGroup("/api/me").WithTags("Updates").RequireAuthorization(Roles.CustomerPolicy);
        mine.MapGet("/updates", async (HttpContext http, CustomerUpdates updates, CancellationToken ct) => TypedResults.Ok(await updates.ListAsync(http.User, ct)));
        mine.MapPost("/updates/{rolloutId}/devices/{deviceId}/approve", (string rolloutId, string deviceId, HttpContext http, CustomerUpdates updates, CancellationToken ct) =>
            DecideAsync(rolloutId, deviceId, UpdateDecision.Approve, http, updates, ct)).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        mine.MapPost("/updates/{rolloutId}/devices/{deviceId}/decline", (string rolloutId, string deviceId, HttpContext http, CustomerUpdates updates, CancellationToken ct) =>
            DecideAsync(rolloutId, deviceId, UpdateDecision.Decline, http, updates, ct)).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        mine.MapPost("/updates/{rolloutId}/devices/{deviceId}/later", (string rolloutId, string deviceId, HttpContext http, CustomerUpdates updates, CancellationToken ct) =>
            DecideAsync(rolloutId, deviceId, UpdateDecision.RemindLater, http, updates, ct)).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        mine.MapGet("/devices/{deviceId}/maintenance-window", MyWindow).ProducesProblem(StatusCodes.Status404NotFound);
        mine.MapPut("/devices/{deviceId}/maintenance-window", SetMyWindow).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    // ---- devices

    public static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> DevicePayload(
        string deviceId, string packageId, HttpRequest request, RolloutStore store, PackageCatalog catalog, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(store);
        if (!await DeviceHttpIdentity.IsDeviceAsync(request.HttpContext, deviceId, cancellationToken))
            return TypedResults.Problem(DeviceHttpIdentity.NotThisDevice());
        // A device fetches only what it was offered: a token does not open the whole catalog.
        var offered = (await store.RolloutsOfDeviceAsync(deviceId, cancellationToken)).Any(d => d.PackageId == packageId);
        if (!offered || await catalog.GetAsync(packageId, cancellationToken) is not { } package)
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "NoSuchOffer", packageId, deviceId));
        return PayloadFile(package);
    }

    private static PhysicalFileHttpResult PayloadFile(UpdatePackage package) =>
        TypedResults.PhysicalFile(package.PayloadFile, "application/octet-stream", $"{package.Id}.bin", enableRangeProcessing: true);

    // ---- release engineers

    public static async Task<Results<Created<PackageView>, Ok<PackageView>, ProblemHttpResult>> Upload(
        HttpContext http, PackageCatalog catalog, IOptions<UpdateOptions> options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        // Packages are larger than the server's default request limit, which stays in force everywhere else.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = options.Value.MaxPackageBytes;
        if (http.Request.ContentLength > options.Value.MaxPackageBytes)
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status413PayloadTooLarge, "PackageTooLarge", options.Value.MaxPackageBytes));
        var upload = await catalog.UploadAsync(http.Request.Body, http.User.Signature(), cancellationToken);
        return upload.Error switch
        {
            PackageUploadError.None when upload.Created => TypedResults.Created($"/api/updates/packages/{upload.Package!.Id}", PackageView.Of(upload.Package)),
            PackageUploadError.None => TypedResults.Ok(PackageView.Of(upload.Package!)),
            PackageUploadError.NotAPackage => Refused(ApiProblems.Explained(StatusCodes.Status400BadRequest, "NotAPackage", upload.Detail), upload),
            PackageUploadError.TooLarge => Refused(ApiProblems.Explained(StatusCodes.Status413PayloadTooLarge, "PackageTooLarge", upload.Detail), upload),
            PackageUploadError.Conflict => Refused(ApiProblems.Explained(StatusCodes.Status409Conflict, "PackageIdTaken", upload.Detail), upload),
            _ => Refused(ApiProblems.Explained(StatusCodes.Status422UnprocessableEntity, "PackageRefused", upload.Detail), upload),
        };
    }

    // The detail is the reader's; the check that failed, as the signing tools print it, is the same in every language.
    private static ProblemHttpResult Refused(ProblemDetails problem, PackageUpload upload)
    {
        if (upload.Check.Length > 0)
            problem.Extensions["check"] = upload.Check;
        return TypedResults.Problem(problem);
    }

    public static async Task<Ok<List<PackageView>>> Packages(PackageCatalog catalog, CancellationToken cancellationToken) =>
        TypedResults.Ok((await catalog.ListAsync(cancellationToken)).Select(PackageView.Of).ToList());

    public static async Task<Results<Ok<PackageView>, ProblemHttpResult>> Package(string packageId, PackageCatalog catalog, CancellationToken cancellationToken) =>
        await catalog.GetAsync(packageId, cancellationToken) is { } package ? TypedResults.Ok(PackageView.Of(package)) : NoPackage(packageId);

    public static async Task<Results<PhysicalFileHttpResult, ProblemHttpResult>> StaffPayload(string packageId, PackageCatalog catalog, CancellationToken cancellationToken) =>
        await catalog.GetAsync(packageId, cancellationToken) is { } package ? PayloadFile(package) : NoPackage(packageId);

    private static ProblemHttpResult NoPackage(string packageId) =>
        TypedResults.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "NoSuchPackage", packageId));

    public static async Task<Results<Created<RolloutView>, ProblemHttpResult>> CreateRollout(
        CreateRolloutRequest request, HttpContext http, StaffRollouts rollouts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(rollouts);
        if (string.IsNullOrWhiteSpace(request.PackageId))
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "RolloutNeedsPackage"));
        var defaults = new RolloutSpec();
        var spec = new RolloutSpec
        {
            Name = request.Name ?? "",
            PackageId = request.PackageId,
            Models = Clean(request.Models),
            FromVersions = Clean(request.FromVersions),
            Tags = Clean(request.Tags),
            DeviceIds = Clean(request.DeviceIds),
            Waves = request.Waves is { Count: > 0 } waves ? waves : defaults.Waves,
            WaveWindowSeconds = request.WaveWindowSeconds ?? defaults.WaveWindowSeconds,
            FailureThresholdPercent = request.FailureThresholdPercent ?? defaults.FailureThresholdPercent,
            RequireApproval = request.RequireApproval ?? defaults.RequireApproval,
            MaxDeferralSeconds = request.MaxDeferralSeconds ?? defaults.MaxDeferralSeconds,
            HealthCheckSeconds = request.HealthCheckSeconds ?? defaults.HealthCheckSeconds,
        };
        var result = await rollouts.CreateAsync(http.User, spec, cancellationToken);
        if (result.Value is not { } rollout)
            return TypedResults.Problem(ApiProblems.Explained(StatusCodes.Status400BadRequest, "RolloutRefused", result.Detail));
        return TypedResults.Created($"/api/updates/rollouts/{rollout.Id}", rollout);
    }

    private static List<string> Clean(List<string>? values) =>
        values is null ? [] : [.. values.Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v.Trim()).Distinct(StringComparer.Ordinal)];

    public static async Task<Ok<List<RolloutView>>> Rollouts(HttpContext http, StaffRollouts rollouts, CancellationToken cancellationToken) =>
        TypedResults.Ok((await rollouts.ListAsync(http.User, cancellationToken)).ToList());

    public static async Task<Results<Ok<RolloutView>, ProblemHttpResult>> RolloutById(string rolloutId, HttpContext http, StaffRollouts rollouts, CancellationToken cancellationToken) =>
        await rollouts.GetAsync(http.User, rolloutId, cancellationToken) is { } rollout ? TypedResults.Ok(rollout.View) : NoRollout(rolloutId);

    public static async Task<Results<Ok<List<RolloutDeviceView>>, ProblemHttpResult>> RolloutDevices(string rolloutId, HttpContext http, StaffRollouts rollouts, CancellationToken cancellationToken) =>
        await rollouts.GetAsync(http.User, rolloutId, cancellationToken) is { } rollout
            ? TypedResults.Ok(rollout.Devices.Select(RolloutDeviceView.Of).ToList())
            : NoRollout(rolloutId);

    private static ProblemHttpResult NoRollout(string rolloutId) =>
        TypedResults.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "NoSuchRollout", rolloutId));

    private static async Task<Results<Ok<RolloutView>, ProblemHttpResult>> ChangeAsync(
        string rolloutId, HttpContext http, RolloutChange change, StaffRollouts rollouts, CancellationToken cancellationToken)
    {
        var result = await rollouts.ChangeAsync(http.User, rolloutId, change, cancellationToken);
        return result.Error switch
        {
            RolloutError.None => TypedResults.Ok(result.Value!),
            RolloutError.NotFound => NoRollout(rolloutId),
            _ => TypedResults.Problem(ApiProblems.Explained(StatusCodes.Status409Conflict, "NotNow", result.Detail)),
        };
    }

    public static async Task<Ok<List<RolloutDeviceView>>> DeviceUpdates(string deviceId, HttpContext http, StaffRollouts rollouts, CancellationToken cancellationToken) =>
        TypedResults.Ok((await rollouts.OfDeviceAsync(http.User, deviceId, cancellationToken)).Select(RolloutDeviceView.Of).ToList());

    public static async Task<Ok<IReadOnlyList<string>>> Tags(string deviceId, RolloutTargetStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.TagsAsync(deviceId, cancellationToken));

    public static async Task<Results<Ok<IReadOnlyList<string>>, ProblemHttpResult>> SetTags(
        string deviceId, List<string> tags, RolloutTargetStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(store);
        var cleaned = Clean(tags);
        if (cleaned.Count > 32 || cleaned.Any(t => t.Length > 64))
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "TagsRefused", 32, 64));
        if (await store.CandidateAsync(deviceId, cancellationToken) is null)
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "UnknownDevice", deviceId));
        await store.SetTagsAsync(deviceId, cleaned, cancellationToken);
        return TypedResults.Ok(await store.TagsAsync(deviceId, cancellationToken));
    }

    // ---- customers

    private static async Task<Results<Ok<MyUpdateView>, ProblemHttpResult>> DecideAsync(
        string rolloutId, string deviceId, UpdateDecision decision, HttpContext http, CustomerUpdates updates, CancellationToken cancellationToken)
    {
        var result = await updates.DecideAsync(http.User, rolloutId, deviceId, decision, cancellationToken);
        return result.Error switch
        {
            RolloutError.None => TypedResults.Ok(result.Value!),
            RolloutError.NotFound => TypedResults.Problem(ApiProblems.Explained(StatusCodes.Status404NotFound, "NoSuchUpdate", result.Detail)),
            _ => TypedResults.Problem(ApiProblems.Explained(StatusCodes.Status409Conflict, "NotNow", result.Detail)),
        };
    }

    public static async Task<Results<Ok<MaintenanceWindowView>, ProblemHttpResult>> MyWindow(string deviceId, HttpContext http, CustomerUpdates updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(updates);
        return await updates.WindowAsync(http.User, deviceId, cancellationToken) is { } window ? TypedResults.Ok(MaintenanceWindowView.Of(window)) : NotYours(deviceId);
    }

    public static async Task<Results<Ok<MaintenanceWindowView>, ProblemHttpResult>> SetMyWindow(
        string deviceId, MaintenanceWindowRequest request, HttpContext http, CustomerUpdates updates, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(updates);
        // Someone else's device is refused before the window is looked at: a stranger learns nothing from a 400.
        if (await updates.WindowAsync(http.User, deviceId, cancellationToken) is null)
            return NotYours(deviceId);
        var zone = string.IsNullOrWhiteSpace(request.TimeZone) ? "UTC" : request.TimeZone.Trim();
        // Both times are required: a missing one read as 00:00 would store "any time" over the customer's window.
        if (request.From is null || request.To is null || !TryMinute(request.From, out var from) || !TryMinute(request.To, out var to))
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "WindowTimesRefused"));
        if (!RolloutPlanning.TryFindZone(zone, out _))
            return TypedResults.Problem(ApiProblems.Create(StatusCodes.Status400BadRequest, "WindowZoneRefused", zone));
        var window = new MaintenanceWindow(from, to, zone, request.NotWhilePrinting ?? true);
        return await updates.SetWindowAsync(http.User, deviceId, window, cancellationToken) ? TypedResults.Ok(MaintenanceWindowView.Of(window)) : NotYours(deviceId);
    }

    private static bool TryMinute(string text, out int minute)
    {
        minute = 0;
        if (!TimeOnly.TryParseExact(text, ["HH:mm", "H:mm"], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var time))
            return false;
        minute = time.Hour * 60 + time.Minute;
        return true;
    }

    private static ProblemHttpResult NotYours(string deviceId) =>
        TypedResults.Problem(ApiProblems.Create(StatusCodes.Status404NotFound, "NotYourDevice", deviceId));
}
