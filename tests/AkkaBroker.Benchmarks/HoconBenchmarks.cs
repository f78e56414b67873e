using AkkaBroker.Hocon;
using BenchmarkDotNet.Attributes;

namespace AkkaBroker.Benchmarks;

/// <summary>
/// Parses and resolves a realistic config: hocon/reference.conf from the repository, or the conformance data's
/// test04.conf (an 18 KB Akka reference config) when reference.conf cannot be found.
/// </summary>
[MemoryDiagnoser]
public class HoconBenchmarks
{
    private string _text = "";
    private Config _parsed = Config.Empty;

    [GlobalSetup]
    public void Setup()
    {
        string path = FindUpwards(Path.Combine("hocon", "reference.conf"))
            ?? FindUpwards(Path.Combine("shared", "hocon-conformance", "test04.conf"))
            ?? throw new InvalidOperationException("neither hocon/reference.conf nor shared/hocon-conformance/test04.conf found above " + AppContext.BaseDirectory);
        _text = File.ReadAllText(path);
        _parsed = Config.ParseString(_text, path);
    }

    private static string? FindUpwards(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    [Benchmark]
    public Config Parse() => Config.ParseString(_text, "reference.conf");

    [Benchmark]
    public Config ParseAndResolve() => Config.ParseString(_text, "reference.conf").Resolve(ConfigResolveOptions.NoEnvironment);

    [Benchmark]
    public Config Resolve() => _parsed.Resolve(ConfigResolveOptions.NoEnvironment);

    [Benchmark]
    public string Render() => _parsed.Resolve(ConfigResolveOptions.NoEnvironment).Render();
}
