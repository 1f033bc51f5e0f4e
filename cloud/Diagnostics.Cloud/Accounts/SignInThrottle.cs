using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Diagnostics.Cloud.Accounts;

public sealed class SignInThrottleOptions : IValidatableObject
{
    public const string SectionName = "SignInThrottle";

    /// <summary>Failed sign-ins for one e-mail address (from anywhere) before it is locked for <see cref="FirstLock"/>.</summary>
    [Range(1, 1000)]
    public int FailuresBeforeAccountLock { get; set; } = 5;

    /// <summary>
    /// Failed sign-ins from one client address (at any accounts) before that address is locked. Higher than the
    /// account's: an office or a mobile carrier puts many people behind one address.
    /// </summary>
    [Range(1, 100_000)]
    public int FailuresBeforeAddressLock { get; set; } = 20;

    /// <summary>The first lock; each further failure doubles it, up to <see cref="LongestLock"/>.</summary>
    public TimeSpan FirstLock { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan LongestLock { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Failures are forgotten when none followed for this long.</summary>
    public TimeSpan ForgetAfter { get; set; } = TimeSpan.FromHours(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (FirstLock <= TimeSpan.Zero || LongestLock < FirstLock)
            yield return new ValidationResult("SignInThrottle:FirstLock must be positive and SignInThrottle:LongestLock at least as long.", [nameof(FirstLock), nameof(LongestLock)]);
        if (ForgetAfter < LongestLock)
            yield return new ValidationResult("SignInThrottle:ForgetAfter must be at least SignInThrottle:LongestLock.", [nameof(ForgetAfter)]);
    }
}

/// <summary>
/// Counts failed sign-ins per account (the e-mail address as typed, so unknown addresses are throttled alike and the
/// throttle says nothing about which exist) and per client address (an IPv6 client by its /64, which one host
/// usually owns whole). Past a threshold the key is locked for a time that doubles with each further failure.
/// An attempt is counted when it begins and taken back when it succeeds, so a burst of parallel guesses cannot slip
/// past the count while passwords are being hashed. A success clears the account's failures but not the address's:
/// signing in to one's own account between guesses must not reset the count for the others.
/// Counted in the database (<see cref="AttemptCounters"/>), so every instance of a scaled-out cloud counts together.
/// </summary>
public sealed class SignInThrottle(AttemptCounters counters, IOptions<SignInThrottleOptions> options, TimeProvider time)
{
    /// <summary>What the throttle counts under, and when a run of failures is forgotten.</summary>
    public AttemptPolicy Policy => new("sign-in", options.Value.ForgetAfter, AttemptWindow.SinceLastFailure);

    /// <summary>
    /// Begins an attempt: null when it may go ahead (it is then counted as a failure until <see cref="SucceededAsync"/>),
    /// or how long the caller must wait.
    /// </summary>
    public async Task<TimeSpan?> TryBeginAsync(string? email, IPAddress? client, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var wait = TimeSpan.Zero;
        await counters.TryCountAsync(Policy, [AccountKey(email), AddressKey(client)], tallies =>
        {
            var now = time.GetUtcNow();
            wait = Max(LockedFor(tallies[0], settings.FailuresBeforeAccountLock, now, settings), LockedFor(tallies[1], settings.FailuresBeforeAddressLock, now, settings));
            return wait <= TimeSpan.Zero;
        }, cancellationToken);
        return wait > TimeSpan.Zero ? wait : null;
    }

    /// <summary>The attempt begun with the same arguments was right: forget the account's failures, take this one back from the address.</summary>
    public async Task SucceededAsync(string? email, IPAddress? client, CancellationToken cancellationToken)
    {
        await counters.ForgetAsync(Policy, AccountKey(email), cancellationToken);
        await counters.TakeBackAsync(Policy, AddressKey(client), cancellationToken);
    }

    /// <summary>What a person is told when throttled, on the form and in the API's problem details.</summary>
    /// <remarks>In the reader's language: <c>Resources/Accounts/SignInThrottle{,.zh-Hans,.ja}.resx</c>.</remarks>
    public static string Explain(int retryAfterSeconds)
    {
        var minutes = (retryAfterSeconds + 59) / 60;
        var wait = retryAfterSeconds < 60
            ? Text(retryAfterSeconds == 1 ? "Second" : "Seconds", retryAfterSeconds)
            : Text(minutes == 1 ? "Minute" : "Minutes", minutes);
        return Text("TooManyFailures", wait);
    }

    private static readonly System.Resources.ResourceManager Texts = new("Diagnostics.Cloud.Resources.Accounts.SignInThrottle", typeof(SignInThrottle).Assembly);

    private static string Text(string name, object arg) =>
        string.Format(System.Globalization.CultureInfo.CurrentCulture, Texts.GetString(name, System.Globalization.CultureInfo.CurrentUICulture) ?? name, arg);

    private static TimeSpan LockedFor(AttemptTally failures, int threshold, DateTimeOffset now, SignInThrottleOptions settings)
    {
        if (failures.Failures < threshold)
            return TimeSpan.Zero;
        var lockedUntil = failures.Last + LockLength((int)Math.Min(failures.Failures - threshold, int.MaxValue), settings);
        return lockedUntil > now ? lockedUntil - now : TimeSpan.Zero;
    }

    /// <summary>FirstLock after the threshold's failure, doubled for each one past it, never longer than LongestLock.</summary>
    private static TimeSpan LockLength(int pastThreshold, SignInThrottleOptions settings)
    {
        var doublings = Math.Min(pastThreshold, 30);
        var ticks = settings.FirstLock.Ticks * Math.Pow(2, doublings);
        return ticks >= settings.LongestLock.Ticks ? settings.LongestLock : TimeSpan.FromTicks((long)ticks);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static string AccountKey(string? email) => "account:" + (email ?? "").Trim().ToUpperInvariant();

    /// <summary>IPv4 (also when mapped into IPv6) by its address, IPv6 by its /64 prefix.</summary>
    public static string AddressKey(IPAddress? client)
    {
        if (client is null)
            return "address:unknown";
        if (client.IsIPv4MappedToIPv6)
            client = client.MapToIPv4();
        if (client.AddressFamily != AddressFamily.InterNetworkV6)
            return "address:" + client;
        var bytes = client.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return "address:" + new IPAddress(bytes) + "/64";
    }
}
