namespace Diagnostics.Testing;

/// <summary>Where the checkout and the built programs are, seen from a test or tool binary.</summary>
public static class RepositoryLayout
{
    /// <summary>The checkout's root: the nearest folder up from the running binary holding Diagnostics.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release, as the running binary was built.</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string CloudDll => Built("cloud", "Diagnostics.Cloud", "Diagnostics.Cloud.dll");

    public static string AgentDll => Built("device", "Diagnostics.Agent", "Diagnostics.Agent.dll");

    public static string FwtoolDll => Built("firmware-tools", "Diagnostics.FirmwareTools", "fwtool.dll");

    private static string Built(string folder, string project, string dll)
    {
        var path = Path.Combine(Root, folder, project, "bin", Configuration, "net10.0", dll);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{dll} is not built; reference {project} from the test project so it builds first.", path);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Diagnostics.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("Diagnostics.sln not found above " + AppContext.BaseDirectory);
    }
}
