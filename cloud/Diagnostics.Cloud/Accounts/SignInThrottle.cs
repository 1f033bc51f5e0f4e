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

    /// <summary>Most accounts and addresses remembered at once; past it the longest-quiet ones are forgotten first.</summary>
    [Range(100, 10_000_000)]
    public int MaxTracked { get; set; } = 100_000;

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
/// Kept in memory: each instance of a scaled-out cloud counts on its own.
/// </summary>
public sealed class SignInThrottle(IOptions<SignInThrottleOptions> options, TimeProvider time)
{
    private readonly Dictionary<string, Failures> _failures = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>
    /// Begins an attempt: null when it may go ahead (it is then counted as a failure until <see cref="Succeeded"/>),
    /// or how long the caller must wait.
    /// </summary>
    public TimeSpan? TryBegin(string? email, IPAddress? client)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var accountKey = AccountKey(email);
        var addressKey = AddressKey(client);
        lock (_gate)
        {
            var wait = Max(LockedFor(accountKey, settings.FailuresBeforeAccountLock, now, settings), LockedFor(addressKey, settings.FailuresBeforeAddressLock, now, settings));
            if (wait > TimeSpan.Zero)
                return wait;
            Count(accountKey, now, settings);
            Count(addressKey, now, settings);
            return null;
        }
    }

    /// <summary>The attempt begun with the same arguments was right: forget the account's failures, take this one back from the address.</summary>
    public void Succeeded(string? email, IPAddress? client)
    {
        var accountKey = AccountKey(email);
        var addressKey = AddressKey(client);
        lock (_gate)
        {
            _failures.Remove(accountKey);
            if (_failures.TryGetValue(addressKey, out var address))
            {
                address.Count = Math.Max(0, address.Count - 1);
                if (address.Count == 0)
                    _failures.Remove(addressKey);
            }
        }
    }

    /// <summary>What a person is told when throttled, on the form and in the API's problem details.</summary>
    public static string Explain(int retryAfterSeconds)
    {
        var wait = retryAfterSeconds < 60
            ? $"{retryAfterSeconds} second{(retryAfterSeconds == 1 ? "" : "s")}"
            : $"{(retryAfterSeconds + 59) / 60} minute{((retryAfterSeconds + 59) / 60 == 1 ? "" : "s")}";
        return $"Too many failed sign-ins for this account or from your network. For your security, wait {wait}, then try again.";
    }

    /// <summary>How many accounts and addresses have failures remembered.</summary>
    public int Tracked
    {
        get
        {
            lock (_gate)
                return _failures.Count;
        }
    }

    private TimeSpan LockedFor(string key, int threshold, DateTimeOffset now, SignInThrottleOptions settings)
    {
        if (!_failures.TryGetValue(key, out var failures) || failures.Count < threshold)
            return TimeSpan.Zero;
        if (now - failures.Last >= settings.ForgetAfter)
            return TimeSpan.Zero;
        var lockedUntil = failures.Last + LockLength(failures.Count - threshold, settings);
        return lockedUntil > now ? lockedUntil - now : TimeSpan.Zero;
    }

    /// <summary>FirstLock after the threshold's failure, doubled for each one past it, never longer than LongestLock.</summary>
    private static TimeSpan LockLength(int pastThreshold, SignInThrottleOptions settings)
    {
        var doublings = Math.Min(pastThreshold, 30);
        var ticks = settings.FirstLock.Ticks * Math.Pow(2, doublings);
        return ticks >= settings.LongestLock.Ticks ? settings.LongestLock : TimeSpan.FromTicks((long)ticks);
    }

    private void Count(string key, DateTimeOffset now, SignInThrottleOptions settings)
    {
        if (!_failures.TryGetValue(key, out var failures))
        {
            if (_failures.Count >= settings.MaxTracked)
                Forget(now, settings);
            failures = new Failures();
            _failures[key] = failures;
        }
        else if (now - failures.Last >= settings.ForgetAfter)
        {
            failures.Count = 0;
        }
        failures.Count++;
        failures.Last = now;
    }

    /// <summary>Drops what is forgotten anyway; when that is not enough, the longest-quiet tenth as well.</summary>
    private void Forget(DateTimeOffset now, SignInThrottleOptions settings)
    {
        foreach (var (key, failures) in _failures.ToList())
        {
            if (now - failures.Last >= settings.ForgetAfter)
                _failures.Remove(key);
        }
        if (_failures.Count < settings.MaxTracked)
            return;
        foreach (var (key, _) in _failures.OrderBy(f => f.Value.Last).Take(Math.Max(1, _failures.Count / 10)).ToList())
            _failures.Remove(key);
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

    private sealed class Failures
    {
        public int Count { get; set; }

        public DateTimeOffset Last { get; set; }
    }
}
