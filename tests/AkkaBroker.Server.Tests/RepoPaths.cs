namespace AkkaBroker.Server.Tests;

/// <summary>Finds the repository from the test binaries, so tests read the real files (hocon/, src/).</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Hocon(string file) => Path.Combine(Root, "hocon", file);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AkkaBroker.sln"))) return dir.FullName;
        }

        throw new InvalidOperationException($"AkkaBroker.sln not found above {AppContext.BaseDirectory}");
    }
}
