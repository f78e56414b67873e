using AkkaBroker.Hocon;
using Xunit;

namespace AkkaBroker.Hocon.Tests;

/// <summary>Every case of shared/hocon-conformance/README.md, one xunit row each.</summary>
public sealed partial class ConformanceTests
{
    private static readonly string[] EquivFolders = ["equiv01", "equiv02", "equiv03", "equiv04", "equiv05"];

    /// <summary>Expected-tree cases: input file (relative) to expected file (relative).</summary>
    private static IEnumerable<(string Input, string Expected)> ExpectedFiles()
    {
        string expectedDir = ConformanceData.PathOf("expected");
        foreach (string file in Directory.EnumerateFiles(expectedDir, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(expectedDir, file).Replace('\\', '/');
            string input = relative[..^".json".Length];
            // file-include.conf: the expected tree reflects the reference's file() rule; ours is checked by a special case
            if (File.Exists(ConformanceData.PathOf(input)) && input != "file-include.conf")
            {
                yield return (input, "expected/" + relative);
            }
        }
    }

    private static IEnumerable<string> EquivFiles() =>
        EquivFolders.SelectMany(folder => Directory.EnumerateFiles(ConformanceData.PathOf(folder))
            .Select(Path.GetFileName)
            .Where(name => name is not null && name != "original.json" && (name.EndsWith(".conf") || name.EndsWith(".json")))
            .Order(StringComparer.Ordinal)
            .Select(name => folder + "/" + name));

    private static Dictionary<string, Action> BuildCases()
    {
        var cases = new Dictionary<string, Action>(StringComparer.Ordinal);
        foreach (string file in EquivFiles())
        {
            string folder = file[..file.IndexOf('/')];
            cases["equiv:" + file] = () => AssertEquivalent(folder, ConformanceData.LoadResolved(file));
            if (file.EndsWith(".json"))
            {
                cases["equiv-as-hocon:" + file] = () => AssertEquivalent(folder, ConformanceData.LoadAsHocon(file));
            }
        }
        foreach (var (input, expected) in ExpectedFiles())
        {
            cases["expected:" + input] = () => ConformanceData.AssertTree(ConformanceData.ReadJson(expected), ConformanceData.LoadResolved(input).Root);
        }
        foreach (string file in Directory.EnumerateFiles(ConformanceData.PathOf("supplement/valid"), "*.conf").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            cases["supplement-valid:" + name] = () => ConformanceData.AssertTree(
                ConformanceData.ReadJson($"supplement/valid/{name}.expected.json"),
                ConformanceData.LoadResolved($"supplement/valid/{name}.conf").Root);
        }
        foreach (var (name, check) in InvalidSupplementCases())
        {
            cases["supplement-invalid:" + name] = check;
        }
        foreach (var (name, check) in SpecialCases())
        {
            cases[name] = check;
        }
        foreach (string file in RenderRoundTripFiles)
        {
            foreach (var options in RenderOptionCombinations())
            {
                cases[$"render:{file}:json={options.StrictJson},origins={options.OriginComments}"] = () => AssertRenderRoundTrip(file, options);
            }
        }
        return cases;
    }

    private static readonly Lazy<Dictionary<string, Action>> Cases = new(BuildCases);

    public static IEnumerable<object[]> CaseNames() =>
        Cases.Value.Keys.Where(name => !ConformanceData.Skips.ContainsKey(name)).Select(name => new object[] { name });

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Case(string name) => Cases.Value[name]();

    // A skipped case must be a real case with a reason, so the skip file cannot hide a typo or a silent gap.
    [Fact]
    public void Skip_file_names_only_existing_cases_each_with_a_reason()
    {
        foreach (var (name, reason) in ConformanceData.Skips)
        {
            Assert.True(Cases.Value.ContainsKey(name), $"conformance-skips.txt names '{name}', which is no case");
            Assert.False(string.IsNullOrWhiteSpace(reason), $"conformance-skips.txt gives no reason for '{name}'");
        }
    }

    [Fact]
    public void DataFolderIsFound() => Assert.True(File.Exists(ConformanceData.PathOf("README.md")), "conformance README not found");

    [Fact]
    public void EquivalenceFoldersAreAllRun()
    {
        var files = EquivFiles().ToList();
        Assert.Equal(5, files.Select(f => f[..f.IndexOf('/')]).Distinct().Count());
        Assert.Equal(15, files.Count);
        Assert.All(files, f => Assert.Contains("equiv:" + f, Cases.Value.Keys));
    }

    [Fact]
    public void SkipListNamesOnlyKnownCases() =>
        Assert.All(ConformanceData.Skips.Keys, name => Assert.Contains(name, Cases.Value.Keys));

    private static void AssertEquivalent(string folder, Config actual)
    {
        var original = ConformanceData.ReadJson(folder + "/original.json");
        ConformanceData.AssertTree(original, actual.Root);
        // original.json itself must also parse as JSON to the same tree
        ConformanceData.AssertTree(original, ConformanceData.LoadResolved(folder + "/original.json").Root);
    }
}
