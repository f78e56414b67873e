using System.Text.Json;
using AkkaBroker.Hocon;
using Xunit;

namespace AkkaBroker.Hocon.Tests;

public sealed partial class ConformanceTests
{
    private static readonly string[] RenderRoundTripFiles =
    [
        "test01.conf", "test02.conf", "test03.conf", "test04.conf", "test05.conf", "test06.conf",
        "test09.conf", "test10.conf", "test11.conf", "test12.conf", "beanconfig/beanconfig01.conf", "equiv05/triple-quotes.conf",
    ];

    private static IEnumerable<ConfigRenderOptions> RenderOptionCombinations()
    {
        foreach (bool json in new[] { false, true })
        {
            foreach (bool origins in new[] { false, true })
            {
                yield return new ConfigRenderOptions { StrictJson = json, OriginComments = origins };
            }
        }
    }

    private static void AssertRenderRoundTrip(string file, ConfigRenderOptions options)
    {
        var original = ConformanceData.LoadResolved(file);
        string text = original.Render(options);
        if (options.StrictJson)
        {
            using var _ = JsonDocument.Parse(text); // strict JSON really is JSON
        }
        var reparsed = Config.ParseString(text, "rendered " + file).Resolve(ConfigResolveOptions.NoEnvironment);
        Assert.Equal(original.Render(ConfigRenderOptions.Json), reparsed.Render(ConfigRenderOptions.Json));
    }

    /// <summary>Must-fail supplement cases: the exception type and whether it happens while parsing or resolving.</summary>
    private static IEnumerable<(string Name, Action Check)> InvalidSupplementCases()
    {
        (string, Type, bool)[] table =
        [
            ("01-self-reference-alone", typeof(ConfigResolveException), false),
            ("02-substitution-cycle", typeof(ConfigResolveException), false),
            ("03-object-contains-self", typeof(ConfigResolveException), false),
            ("04-plus-equals-on-number", typeof(ConfigWrongTypeException), false),
            ("05-array-object-concat", typeof(ConfigWrongTypeException), true),
            ("06-object-in-string-concat", typeof(ConfigWrongTypeException), true),
            ("07-missing-required-include", typeof(ConfigParseException), true),
            ("08-unclosed-object", typeof(ConfigParseException), true),
            ("09-include-unquoted-name", typeof(ConfigParseException), true),
            ("10-substitution-in-key", typeof(ConfigParseException), true),
            ("11-include-array-root", typeof(ConfigWrongTypeException), true),
            ("12-unterminated-string", typeof(ConfigParseException), true),
            ("13-undefined-substitution", typeof(ConfigResolveException), false),
            ("14-array-contains-self", typeof(ConfigResolveException), false),
        ];
        var listed = Directory.EnumerateFiles(ConformanceData.PathOf("supplement/invalid"), "*.conf").Select(Path.GetFileNameWithoutExtension).Order().ToList();
        Assert.Equal(table.Select(t => t.Item1).Order(), listed);
        foreach (var (name, type, atParse) in table)
        {
            yield return (name, () => AssertFails($"supplement/invalid/{name}.conf", type, atParse));
        }
    }

    private static void AssertFails(string file, Type type, bool atParse)
    {
        if (atParse)
        {
            var e = Assert.Throws(type, () => ConformanceData.Load(file));
            Assert.Matches(@"^[^ ]+:\d+:\d+: ", e.Message); // message starts with file:line:column
            return;
        }
        var config = ConformanceData.Load(file);
        var error = Assert.Throws(type, () => config.Resolve(ConfigResolveOptions.NoEnvironment));
        Assert.Matches(@"^[^ ]+:\d+:\d+: ", error.Message);
    }

    private static IEnumerable<(string Name, Action Check)> SpecialCases()
    {
        yield return ("test01:basename", () => ConformanceData.AssertTree(
            ConformanceData.ReadJson("expected/test01.basename.json"), ConformanceData.LoadResolved("test01").Root));
        yield return ("test01:concatenated-with-undefined-optionals", () => Assert.Equal(
            "Your Java version is  and your user.home is ", ConformanceData.LoadResolved("test01.conf").GetString("system.concatenated")));
        yield return ("test02:odd-keys-and-paths", () =>
        {
            var c = ConformanceData.LoadResolved("test02.conf");
            Assert.Equal(42, c.GetInt("\"\".\"\".\"\""));
            Assert.Equal(57, c.GetInt("a.b.c"));
            Assert.Equal(103, c.GetInt("\"a.b.c\""));
        });
        yield return ("test03:include-semantics", () =>
        {
            var c = ConformanceData.LoadResolved("test03.conf");
            Assert.Equal(42, c.GetInt("test01.booleans"));
            Assert.Equal(42, c.GetList("test01.arrays.ofObject")[1] is HoconScalar s ? int.Parse(s.Text) : -1);
            Assert.Empty(c.GetConfig("nonexistent").Keys);
            Assert.Equal("This is in the included file", c.GetString("a"));
            Assert.Equal("This is in the including file", c.GetString("b"));
            Assert.Equal("This is in the included file", c.GetString("subtree.a"));
            Assert.Equal("This is in the including file", c.GetString("subtree.b"));
            Assert.True(c.HasPath("test01.fromJsonA"));
            Assert.True(c.HasPath("test01.fromProps.abc"));
        });
        yield return ("test03-included:alone-is-unresolved", () => AssertFails("test03-included.conf", typeof(ConfigResolveException), atParse: false));
        yield return ("test09:delayed-merges", () =>
        {
            var c = ConformanceData.LoadResolved("test09.conf");
            Assert.Equal(10, c.GetInt("a.q"));
            Assert.Equal(3, c.GetInt("a.c"));
            Assert.Equal(5, c.GetInt("b"));
            Assert.Equal(3, c.GetInt("c.e.c"));
        });
        yield return ("test10:rebased-includes", () =>
        {
            var c = ConformanceData.LoadResolved("test10.conf");
            Assert.Equal(10, c.GetInt("foo.a.q"));
            Assert.Equal(5, c.GetInt("foo.b"));
            Assert.Equal(3, c.GetInt("bar.nested.a.c"));
        });
        yield return ("test13:reference-alone", () => Assert.Equal("b", ConformanceData.LoadResolved("test13-reference-with-substitutions.conf").GetString("a")));
        yield return ("test13:layered", () =>
        {
            var reference = ConformanceData.Load("test13-reference-with-substitutions.conf");
            reference.Resolve(ConfigResolveOptions.NoEnvironment); // the default layer must resolve on its own
            var layered = ConformanceData.Load("test13-application-override-substitutions.conf").WithFallback(reference).Resolve(ConfigResolveOptions.NoEnvironment);
            ConformanceData.AssertTree(ConformanceData.ReadJson("expected/test13-layered.json"), layered.Root);
        });
        yield return ("test13:bad-reference-rejected", () =>
        {
            var reference = ConformanceData.Load("test13-reference-bad-substitutions.conf");
            Assert.Throws<ConfigResolveException>(() => reference.Resolve(ConfigResolveOptions.NoEnvironment));
        });
        yield return ("env-variables:with-env", () =>
        {
            var env = new Dictionary<string, string> { ["SECRET_A"] = "A", ["SECRET_B"] = "B", ["SECRET_C"] = "C" };
            var c = ConformanceData.Load("env-variables.conf").Resolve(ConfigResolveOptions.WithEnvironment(n => env.GetValueOrDefault(n)));
            ConformanceData.AssertTree(ConformanceData.ReadJson("expected/env-variables.conf.with-env.json"), c.Root);
        });
        yield return ("env-variables:without-env", () =>
        {
            var c = ConformanceData.Load("env-variables.conf").Resolve(ConfigResolveOptions.WithEnvironment(_ => null));
            ConformanceData.AssertTree(ConformanceData.ReadJson("expected/env-variables.conf.json"), c.Root);
        });
        yield return ("file-include:relative-to-including-file", () =>
        {
            // Our documented rule: file("...") is relative to the including file, like a plain include.
            var c = ConformanceData.LoadResolved("file-include.conf");
            Assert.Equal(41, c.GetInt("base"));
            Assert.Equal(42, c.GetInt("foo"));
            Assert.Equal(43, c.GetInt("bar"));
            Assert.Equal(45, c.GetInt("baz"));
            Assert.Equal(44, c.GetInt("bar-file"));
            Assert.Equal(["bar", "bar-file", "base", "baz", "foo"], c.Keys.Order(StringComparer.Ordinal));
        });
        yield return ("cycle:include-depth-limit", () =>
        {
            var e = Assert.Throws<ConfigParseException>(() => ConformanceData.Load("cycle.conf"));
            Assert.Contains("include", e.Message);
        });
        yield return ("include-from-list:rejected", () => Assert.Throws<ConfigParseException>(() => ConformanceData.Load("include-from-list.conf")));
        yield return ("bom:ignored-at-start", () => Assert.Equal("bar", ConformanceData.LoadResolved("bom.conf").GetString("foo")));
        yield return ("bom:kept-inside-string", () => Assert.Equal("\uFEFFx", Config.ParseString("a = \"\uFEFFx\"").GetString("a")));
        yield return ("test04:points", () =>
        {
            var c = ConformanceData.LoadResolved("test04.conf");
            Assert.Equal("2.0-SNAPSHOT", c.GetString("akka.version"));
            Assert.Equal(8, c.GetInt("akka.event-handler-dispatcher.max-pool-size"));
            Assert.Equal("round-robin", c.GetString("akka.actor.deployment.\"/app/service-ping\".router"));
            Assert.True(c.GetBoolean("akka.stm.quick-release"));
        });
        yield return ("test05:points", () =>
        {
            var c = ConformanceData.LoadResolved("test05.conf");
            Assert.Equal("Yet Another Blog Engine", c.GetString("application.name"));
            Assert.Equal("prod", c.GetString("%prod.application.mode"));
            Assert.Equal("Yet another blog", c.GetString("blog.title"));
            Assert.Equal("/modules/crud", c.GetString("module.crud"));
        });
    }
}
