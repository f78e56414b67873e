using AkkaBroker.Hocon;
using Xunit;

namespace AkkaBroker.Hocon.Tests;

/// <summary>The repository's own hocon/ files parse, and each deployment resolves over reference.conf.</summary>
public sealed class RepositoryConfigTests
{
    private static string? HoconFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "hocon", "reference.conf");
            if (File.Exists(candidate)) return Path.GetDirectoryName(candidate);
        }
        return null;
    }

    public static IEnumerable<object[]> Files()
    {
        string? folder = HoconFolder();
        if (folder is null) return [["(hocon/reference.conf not found)"]];
        return Directory.EnumerateFiles(folder, "*.conf").Order(StringComparer.Ordinal).Select(f => new object[] { Path.GetFileName(f) });
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void ParsesAndResolvesOverReference(string file)
    {
        string folder = HoconFolder() ?? throw new InvalidOperationException("hocon/reference.conf not found above " + AppContext.BaseDirectory);
        var reference = Config.ParseFile(Path.Combine(folder, "reference.conf"));
        var resolved = Config.ParseFile(Path.Combine(folder, file)).WithFallback(reference).Resolve(ConfigResolveOptions.WithEnvironment(_ => null));
        Assert.True(resolved.IsResolved);
        var again = Config.ParseString(resolved.Render(new ConfigRenderOptions { OriginComments = true })).Resolve(ConfigResolveOptions.NoEnvironment);
        Assert.Equal(resolved.Render(ConfigRenderOptions.Json), again.Render(ConfigRenderOptions.Json));
    }
}
