using System.Xml.Linq;

namespace AkkaBroker.Server.Tests;

/// <summary>DESIGN.md §1: which layer may reference which. A reference outside this table fails the build's tests.</summary>
public class RepositoryLayoutTests
{
    // Direct references each src project may have. Transitive ones follow from these.
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["AkkaBroker.Common"] = [],
        ["AkkaBroker.Hocon"] = ["AkkaBroker.Common"],
        ["AkkaBroker.Actors"] = ["AkkaBroker.Common", "AkkaBroker.Hocon"],
        // The stored record is the wire format (a pull returns it raw), so the store uses Protocol's codec;
        // both stay pure (no actors, no sockets).
        ["AkkaBroker.Store"] = ["AkkaBroker.Common", "AkkaBroker.Protocol"],
        ["AkkaBroker.Protocol"] = ["AkkaBroker.Common"],
        ["AkkaBroker.Remoting"] = ["AkkaBroker.Common", "AkkaBroker.Protocol"],
        ["AkkaBroker.Broker"] = ["AkkaBroker.Common", "AkkaBroker.Hocon", "AkkaBroker.Actors", "AkkaBroker.Store", "AkkaBroker.Protocol", "AkkaBroker.Remoting"],
        ["AkkaBroker.NameServer"] = ["AkkaBroker.Common", "AkkaBroker.Hocon", "AkkaBroker.Actors", "AkkaBroker.Protocol", "AkkaBroker.Remoting"],
        ["AkkaBroker.Client"] = ["AkkaBroker.Common", "AkkaBroker.Hocon", "AkkaBroker.Actors", "AkkaBroker.Protocol", "AkkaBroker.Remoting"],
        ["AkkaBroker.Hosting"] = ["AkkaBroker.Common", "AkkaBroker.Hocon", "AkkaBroker.Actors", "AkkaBroker.Store", "AkkaBroker.Protocol", "AkkaBroker.Remoting", "AkkaBroker.Broker", "AkkaBroker.NameServer", "AkkaBroker.Client"],
        ["AkkaBroker.Server"] = ["AkkaBroker.Common", "AkkaBroker.Hocon", "AkkaBroker.Actors", "AkkaBroker.Store", "AkkaBroker.Protocol", "AkkaBroker.Remoting", "AkkaBroker.Broker", "AkkaBroker.NameServer", "AkkaBroker.Client", "AkkaBroker.Hosting"],
    };

    public static IEnumerable<object[]> SourceProjects() =>
        Directory.GetDirectories(Path.Combine(RepoPaths.Root, "src")).Select(d => new object[] { Path.GetFileName(d) });

    [Theory]
    [MemberData(nameof(SourceProjects))]
    public void Project_references_only_lower_layers(string project)
    {
        Assert.True(Allowed.ContainsKey(project), $"{project} is not in DESIGN.md's layer table; add it there and here");
        foreach (var reference in References(project))
        {
            Assert.True(Allowed[project].Contains(reference), $"{project} must not reference {reference} (DESIGN.md §1)");
        }
    }

    [Fact]
    public void Store_and_protocol_never_reach_the_actor_runtime_even_transitively()
    {
        foreach (var project in new[] { "AkkaBroker.Store", "AkkaBroker.Protocol" })
        {
            if (!File.Exists(ProjectFile(project))) continue;
            Assert.DoesNotContain("AkkaBroker.Actors", Closure(project));
        }
    }

    [Fact]
    public void Every_package_version_is_pinned_centrally()
    {
        var projects = Directory.GetFiles(RepoPaths.Root, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !p.Contains("node_modules"));
        var pinned = XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Packages.props"))
            .Descendants("PackageVersion").Select(e => (string)e.Attribute("Include")!).ToHashSet();
        foreach (var project in projects)
        {
            foreach (var package in XDocument.Load(project).Descendants("PackageReference"))
            {
                var name = (string)package.Attribute("Include")!;
                Assert.Null(package.Attribute("Version"));
                Assert.True(pinned.Contains(name), $"{Path.GetFileName(project)} uses {name}, which Directory.Packages.props does not pin");
            }
        }
    }

    private static string ProjectFile(string project) => Path.Combine(RepoPaths.Root, "src", project, project + ".csproj");

    private static IEnumerable<string> References(string project) =>
        XDocument.Load(ProjectFile(project)).Descendants("ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension((string)e.Attribute("Include")!));

    private static HashSet<string> Closure(string project)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<string>(References(project));
        while (pending.TryPop(out var next))
        {
            if (seen.Add(next) && File.Exists(ProjectFile(next)))
                foreach (var r in References(next)) pending.Push(r);
        }

        return seen;
    }
}
