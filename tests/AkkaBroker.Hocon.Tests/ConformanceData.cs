using System.Globalization;
using System.Text.Json;
using AkkaBroker.Hocon;
using Xunit;

namespace AkkaBroker.Hocon.Tests;

/// <summary>Locates shared/hocon-conformance, reads the skip list and compares trees per the README's rules.</summary>
internal static class ConformanceData
{
    private static readonly Lazy<string?> Located = new(Locate);

    /// <summary>AKKABROKER_HOCON_CONFORMANCE, else the first ancestor of the test binaries holding shared/hocon-conformance.</summary>
    public static string Root => Located.Value ?? throw new InvalidOperationException(
        "HOCON conformance data not found: set AKKABROKER_HOCON_CONFORMANCE or place the repository so that an ancestor "
        + $"of {AppContext.BaseDirectory} (or a sibling of one, e.g. /work/main/../shared) contains shared/hocon-conformance");

    public static string PathOf(string relative) => System.IO.Path.Combine(Root, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));

    private static string? Locate()
    {
        string? env = Environment.GetEnvironmentVariable("AKKABROKER_HOCON_CONFORMANCE");
        if (!string.IsNullOrEmpty(env))
        {
            return Directory.Exists(env) ? env : null;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "shared", "hocon-conformance");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Case name to skip reason, from conformance-skips.txt (tab separated, '#' comments).</summary>
    public static IReadOnlyDictionary<string, string> Skips { get; } = LoadSkips();

    private static Dictionary<string, string> LoadSkips()
    {
        var skips = new Dictionary<string, string>(StringComparer.Ordinal);
        string file = System.IO.Path.Combine(AppContext.BaseDirectory, "conformance-skips.txt");
        if (!File.Exists(file)) return skips;
        foreach (string line in File.ReadAllLines(file))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            int tab = line.IndexOf('\t');
            skips[tab < 0 ? line.Trim() : line[..tab].Trim()] = tab < 0 ? "no reason given" : line[(tab + 1)..].Trim();
        }
        return skips;
    }

    public static Config Load(string relative) => Config.ParseFile(PathOf(relative));

    public static Config LoadResolved(string relative) => Load(relative).Resolve(ConfigResolveOptions.NoEnvironment);

    /// <summary>Parses a file through the HOCON parser whatever its extension (README rule 6).</summary>
    public static Config LoadAsHocon(string relative) =>
        Config.ParseString(File.ReadAllText(PathOf(relative)), PathOf(relative)).Resolve(ConfigResolveOptions.NoEnvironment);

    public static JsonElement ReadJson(string relative)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(PathOf(relative)));
        return doc.RootElement.Clone();
    }

    public static void AssertTree(JsonElement expected, HoconValue actual) => AssertTree(expected, actual, "<root>");

    /// <summary>Trees equal: key order ignored, array order kept, numbers by value, strings exactly, "42" != 42.</summary>
    public static void AssertTree(JsonElement expected, HoconValue actual, string path)
    {
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
            {
                var obj = Assert.IsType<HoconObject>(actual, exactMatch: true);
                var expectedKeys = expected.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
                var actualKeys = obj.Keys.Order(StringComparer.Ordinal).ToList();
                Assert.True(expectedKeys.SequenceEqual(actualKeys),
                    $"{path}: keys differ. expected [{string.Join(", ", expectedKeys)}] actual [{string.Join(", ", actualKeys)}]");
                foreach (var property in expected.EnumerateObject())
                {
                    AssertTree(property.Value, obj[property.Name], path + "." + property.Name);
                }
                break;
            }
            case JsonValueKind.Array:
            {
                var array = Assert.IsType<HoconArray>(actual, exactMatch: true);
                Assert.True(expected.GetArrayLength() == array.Count, $"{path}: expected {expected.GetArrayLength()} elements, found {array.Count}");
                int i = 0;
                foreach (var item in expected.EnumerateArray())
                {
                    AssertTree(item, array[i], $"{path}[{i}]");
                    i++;
                }
                break;
            }
            case JsonValueKind.String:
                AssertScalar(actual, HoconValueType.String, path);
                Assert.True(expected.GetString() == ((HoconScalar)actual).Text,
                    $"{path}: expected string \"{expected.GetString()}\", found \"{((HoconScalar)actual).Text}\"");
                break;
            case JsonValueKind.Number:
                AssertScalar(actual, HoconValueType.Number, path);
                Assert.True(NumbersEqual(expected.GetRawText(), ((HoconScalar)actual).Text),
                    $"{path}: expected number {expected.GetRawText()}, found {((HoconScalar)actual).Text}");
                break;
            case JsonValueKind.True:
            case JsonValueKind.False:
                AssertScalar(actual, HoconValueType.Boolean, path);
                Assert.Equal(expected.ValueKind == JsonValueKind.True ? "true" : "false", ((HoconScalar)actual).Text);
                break;
            case JsonValueKind.Null:
                AssertScalar(actual, HoconValueType.Null, path);
                break;
        }
    }

    private static void AssertScalar(HoconValue actual, HoconValueType type, string path) =>
        Assert.True(actual is HoconScalar s && s.Type == type, $"{path}: expected a {type}, found {actual.Type} '{actual}'");

    private static bool NumbersEqual(string a, string b)
    {
        const NumberStyles style = NumberStyles.Float;
        if (decimal.TryParse(a, style, CultureInfo.InvariantCulture, out decimal da) && decimal.TryParse(b, style, CultureInfo.InvariantCulture, out decimal db))
        {
            return da == db;
        }
        return double.Parse(a, style, CultureInfo.InvariantCulture) == double.Parse(b, style, CultureInfo.InvariantCulture);
    }
}
