namespace Diagnostics.Protocol.Tests;

internal static class RepositoryPaths
{
    /// <summary>The checkout's root: the nearest folder up from the test binaries holding Diagnostics.sln.</summary>
    public static string Root { get; } = FindRoot();

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
