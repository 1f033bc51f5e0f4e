using Diagnostics.FirmwareTools.CommandLine;
using Microsoft.Extensions.Time.Testing;

namespace Diagnostics.FirmwareTools.Tests;

/// <summary>What one fwtool run printed and returned.</summary>
public sealed record FwtoolResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>Runs fwtool in-process in a scratch directory, with its own streams, environment and clock.</summary>
public sealed class FwtoolHarness : IDisposable
{
    public static readonly DateTimeOffset Today = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    public FwtoolHarness()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("fwtool-tests-").FullName;
    }

    public string Directory { get; }

    public FakeTimeProvider Time { get; } = new(Today);

    public Dictionary<string, string> Environment { get; } = [];

    /// <summary>What the next runs read on standard input.</summary>
    public string Input { get; set; } = "";

    public string PathOf(string name) => Path.Combine(Directory, name);

    public async Task<FwtoolResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new StringReader(Input);
        var console = new FwtoolConsole(output, error, input, ErrorIsTerminal: false, name => Environment.GetValueOrDefault(name), Time);
        var exitCode = await Fwtool.RunAsync(args, console, TestContext.Current.CancellationToken);
        return new FwtoolResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Runs and asserts success, for the steps a test builds on.</summary>
    public async Task<FwtoolResult> RunOkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"fwtool {string.Join(' ', args)}\n{result}");
        return result;
    }

    public async Task<string> KeygenAsync(string name)
    {
        await RunOkAsync("keygen", "--out", PathOf(name));
        return PathOf(name);
    }

    /// <summary>Writes <paramref name="image"/> and packs it for an LX-500 (revision B), expiring in 365 days.</summary>
    public async Task<string> PackAsync(byte[] image, string version, params string[] extra)
    {
        var imagePath = PathOf($"image-{version}.bin");
        await File.WriteAllBytesAsync(imagePath, image, TestContext.Current.CancellationToken);
        var package = PathOf($"lx500-fw-{version}.dxpkg");
        await RunOkAsync([
            "pack", "--payload", imagePath, "--id", $"lx500-fw-{version}", "--kind", "firmware", "--version", version,
            "--model", "LX-500", "--hardware-revision", "B", "--out", package, .. extra]);
        return package;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
