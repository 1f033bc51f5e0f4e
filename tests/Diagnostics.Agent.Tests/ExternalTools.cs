namespace Diagnostics.Agent.Tests;

/// <summary>Finds real external programs; a missing one fails under CI and skips elsewhere, saying what to install.</summary>
internal static class ExternalTools
{
    public static string Require(string name, string installHint)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Concat(["/usr/sbin", "/usr/local/sbin"]);
        foreach (var dir in path)
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
                return candidate;
        }
        var message = $"'{name}' is not installed ({installHint}).";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            Assert.Fail(message + " CI must install it.");
        Assert.Skip(message);
        return "";
    }
}
