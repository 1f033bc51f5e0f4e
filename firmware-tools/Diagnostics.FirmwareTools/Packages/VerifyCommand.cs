using System.CommandLine;
using System.Security.Cryptography;

using Diagnostics.FirmwareTools.CommandLine;
using Diagnostics.Protocol.Updates;

namespace Diagnostics.FirmwareTools.Packages;

/// <summary><c>fwtool verify</c>: the checks a device makes, run on a package before it is published.</summary>
public static class VerifyCommand
{
    public static Command Create(FwtoolConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var package = new Argument<string>("package") { Description = "The package (.dxpkg) to verify." };
        var trusted = new Option<string[]>("--trusted") { Description = "A public key devices trust (<name>.pub.pem). Repeat for several, as devices pin several during a key rotation.", Required = true };
        var model = new Option<string>("--model") { Description = "Also check for a device of this model (with --running-version)." };
        var revision = new Option<string>("--hardware-revision") { Description = "The device's hardware revision; default: unknown." };
        var running = new Option<string>("--running-version") { Description = "The version the device runs (with --model)." };
        var host = new Option<string>("--host")
        {
            Description = "For a driver package: check for a host of this platform, os/arch (e.g. linux/x64), with a PPD queue for a printer of --model whose driver is --running-version.",
        };
        var now = new Option<DateTimeOffset?>("--now") { Description = "The date to check expiry against (e.g. 2027-06-30); default: now.", CustomParser = PackCommand.ParseDate };
        var command = new Command("verify",
            "Check a package as a device would: its signature by a trusted key, the manifest's rules, its expiry, the payload's size and SHA-256, and with --model and --running-version whether that device would install it. Prints every check; exits 1 if any fails.")
        {
            package, trusted, model, revision, running, host, now,
        };
        command.Validators.Add(result =>
        {
            if ((result.GetResult(model) is null) != (result.GetResult(running) is null))
                result.AddError("--model and --running-version go together: a device check needs both.");
            if (result.GetResult(revision) is not null && result.GetResult(model) is null)
                result.AddError("--hardware-revision needs --model and --running-version.");
            if (result.GetResult(host) is { } hostResult && (result.GetResult(model) is null || hostResult.Tokens is not [var token] || HostOf(token.Value) is null))
                result.AddError("--host is os/arch (linux/x64, windows/arm64, macos/arm64) and needs --model and --running-version.");
        });
        command.SetAction((parseResult, cancellationToken) =>
        {
            var device = parseResult.GetValue(model) is { } deviceModel
                ? new DeviceFacts(deviceModel, parseResult.GetValue(revision) ?? "", parseResult.GetRequiredValue(running))
                : null;
            var hostPlatform = parseResult.GetValue(host) is { } hostText ? HostOf(hostText) : null;
            return RunAsync(console, parseResult.GetRequiredValue(package), parseResult.GetRequiredValue(trusted), device, hostPlatform,
                parseResult.GetValue(now) ?? console.Time.GetUtcNow(), cancellationToken);
        });
        return command;
    }

    /// <summary><c>os/arch</c>, as <c>--host</c> takes it; null when it is not one.</summary>
    private static (string Os, string Architecture)? HostOf(string text) =>
        text.Split('/') is [var os, var architecture] && HostPlatforms.OperatingSystems.Contains(os) && HostPlatforms.Architectures.Contains(architecture)
            ? (os, architecture)
            : null;

    private static async Task<int> RunAsync(
        FwtoolConsole console, string path, string[] trustedPaths, DeviceFacts? device, (string Os, string Architecture)? host, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var trustedKeys = await ReadTrustedKeysAsync(trustedPaths, cancellationToken);
        try
        {
            var report = new CheckReport(console.Out);
            var package = await PackageFile.ReadAsync(path, cancellationToken);
            console.Out.WriteLine($"{path}: trusting key(s) {string.Join(", ", trustedKeys.Select(key => key.KeyId))}");

            var signed = ManifestChecks.CheckSigned(package.SignedManifest, trustedKeys);
            if (signed.Manifest is null || !signed.IsAccepted)
            {
                report.Failed(signed.Failure == UpdateFailure.ManifestMalformed ? "manifest" : "signature", signed.Failure, signed.Detail);
                report.NotChecked("the rest", "nothing in a manifest that fails its signature or its rules is trusted");
                return report.ExitCode;
            }
            var manifest = signed.Manifest;
            report.Ok("signature", signed.Detail);
            report.Ok("manifest", $"{manifest.PackageId}: {PackCommand.KindName(manifest.Kind)} {manifest.Version} for {string.Join(", ", manifest.Models)}");

            var expires = DateTimeOffset.FromUnixTimeMilliseconds(manifest.ExpiresUnixMs);
            var expired = now >= expires;
            if (expired)
                report.Failed("expiry", UpdateFailure.Expired, $"the package expired at {expires:u}; checked at {now:u}");
            else
                report.Ok("expiry", $"expires {expires:u} ({(expires - now).TotalDays:0} days after {now:u})");

            await CheckPayloadAsync(console, report, path, manifest, cancellationToken);

            if (device is not null)
            {
                if (expired)
                {
                    report.NotChecked("device", "the package has expired, so no device installs it");
                }
                else if (manifest.Kind == PackageKind.Driver)
                {
                    CheckHost(report, manifest, device, host ?? (HostPlatforms.Linux, "x64"), now);
                }
                else
                {
                    var check = ManifestChecks.CheckForDevice(manifest, device, now);
                    var who = $"{device.Model}{(device.HardwareRevision.Length > 0 ? $" revision {device.HardwareRevision}" : "")} running {device.RunningVersion}";
                    if (check.IsAccepted)
                        report.Ok("device", $"a device ({who}) would install it");
                    else
                        report.Failed("device", check.Failure, check.Detail);
                }
            }
            return report.ExitCode;
        }
        finally
        {
            foreach (var key in trustedKeys)
                key.Dispose();
        }
    }

    /// <summary>A driver package on a host with one PPD queue for the device's model, whose driver is the device's running version.</summary>
    private static void CheckHost(CheckReport report, UpdateManifest manifest, DeviceFacts device, (string Os, string Architecture) host, DateTimeOffset now)
    {
        var queue = new Protocol.Hosts.PrintQueue { Name = "queue", PrinterModel = device.Model, Driver = Protocol.Hosts.QueueDriver.Ppd, DriverVersion = device.RunningVersion };
        var facts = new HostFacts(host.Os, host.Architecture, HostPlatforms.DefaultFormats(host.Os), [queue]);
        var check = DriverChecks.CheckForHost(manifest, facts, now);
        var who = $"{host.Os}/{host.Architecture} printing to {device.Model} with driver {device.RunningVersion}";
        if (check.IsAccepted)
            report.Ok("host", $"a host ({who}) would install it as {check.Platform}");
        else
            report.Failed("host", check.Failure, check.Detail);
    }

    private static async Task CheckPayloadAsync(FwtoolConsole console, CheckReport report, string path, UpdateManifest manifest, CancellationToken cancellationToken)
    {
        var (file, archive, payload, length) = await PackageFile.OpenPayloadAsync(path, cancellationToken);
        await using (file)
        await using (archive)
        await using (payload)
        {
            var header = new byte[BinaryDelta.HeaderLength];
            int headerRead;
            long size;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            try
            {
                using var progress = new ProgressBar(console, "hashing payload", length);
                // One pass: the first bytes are kept to read a delta's header, all of them are hashed.
                var counted = new ProgressStream(payload, progress, hash);
                headerRead = await counted.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
                await counted.CopyToAsync(Stream.Null, cancellationToken);
                size = counted.Position;
            }
            catch (InvalidDataException exception)
            {
                report.Failed("payload", UpdateFailure.PayloadHashMismatch, $"the payload cannot be read from the package: {exception.Message}");
                return;
            }
            var hashed = (Size: size, Sha256: hash.GetHashAndReset());
            var payloadCheck = ManifestChecks.CheckPayload(manifest, hashed.Size, hashed.Sha256);
            if (!payloadCheck.IsAccepted)
            {
                report.Failed("payload", payloadCheck.Failure, payloadCheck.Detail);
                return;
            }
            report.Ok("payload", $"{hashed.Size} bytes, SHA-256 {Convert.ToHexStringLower(hashed.Sha256)}, as the manifest says");

            if (!manifest.IsDelta)
            {
                report.Ok("image", "the payload is the image");
                return;
            }
            if (BinaryDelta.TryReadHeader(header.AsSpan(0, headerRead)) is not { } delta)
            {
                report.Failed("delta", UpdateFailure.ManifestMalformed, "the manifest says delta, but the payload is not a binary delta (DXDELTA1)");
                return;
            }
            if (delta.SourceSize <= 0 || !delta.SourceSha256.AsSpan().SequenceEqual(manifest.DeltaFromSha256)
                || delta.TargetSize != manifest.ImageSize || !delta.TargetSha256.AsSpan().SequenceEqual(manifest.ImageSha256))
            {
                report.Failed("delta", UpdateFailure.ManifestMalformed,
                    $"the delta turns an image with SHA-256 {Convert.ToHexStringLower(delta.SourceSha256)} into one of {delta.TargetSize} bytes with SHA-256 {Convert.ToHexStringLower(delta.TargetSha256)}; "
                    + $"the manifest says from {Convert.ToHexStringLower(manifest.DeltaFromSha256)} to {manifest.ImageSize} bytes with {Convert.ToHexStringLower(manifest.ImageSha256)}");
                return;
            }
            report.Ok("delta", $"from {manifest.DeltaFromVersion} (image SHA-256 {Convert.ToHexStringLower(manifest.DeltaFromSha256)}) to {manifest.Version}, as the manifest says");
            report.NotChecked("image", $"the {manifest.ImageSize}-byte image a delta makes can only be checked where its base image is: the device checks it after applying the delta");
        }
    }

    private static async Task<List<TrustedKey>> ReadTrustedKeysAsync(string[] paths, CancellationToken cancellationToken)
    {
        var keys = new List<TrustedKey>();
        foreach (var path in paths)
        {
            var key = TrustedKey.TryFromPem(await File.ReadAllTextAsync(path, cancellationToken), out var error);
            if (key is null)
            {
                foreach (var read in keys)
                    read.Dispose();
                throw CommandFailedException.Usage($"--trusted {path}: {error}");
            }
            keys.Add(key);
        }
        return keys;
    }

    /// <summary>Prints one line per check, and remembers whether any failed.</summary>
    private sealed class CheckReport(TextWriter output)
    {
        public int ExitCode { get; private set; } = ExitCodes.Ok;

        public void Ok(string check, string detail) => output.WriteLine($"OK      {check,-10} {detail}");

        public void Failed(string check, UpdateFailure failure, string detail)
        {
            output.WriteLine($"FAILED  {check,-10} {failure}: {detail}");
            ExitCode = ExitCodes.Refused;
        }

        public void NotChecked(string check, string reason) => output.WriteLine($"--      {check,-10} not checked: {reason}");
    }
}
