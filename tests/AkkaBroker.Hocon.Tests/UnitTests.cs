using AkkaBroker.Common.Units;
using AkkaBroker.Hocon;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit;

namespace AkkaBroker.Hocon.Tests;

public sealed class UnitsTests
{
    [Theory]
    [InlineData("500ms", 500_000_000L)]
    [InlineData("15s", 15_000_000_000L)]
    [InlineData("2 minutes", 120_000_000_000L)]
    [InlineData("0.5s", 500_000_000L)]
    [InlineData("1000", 1_000_000_000L)]
    [InlineData("10us", 10_000L)]
    [InlineData("7ns", 7L)]
    [InlineData("1h", 3_600_000_000_000L)]
    [InlineData("3 days", 259_200_000_000_000L)]
    [InlineData(" 2seconds ", 2_000_000_000L)]
    public void Durations(string text, long nanos)
    {
        Assert.True(DurationParser.TryParseNanos(text, out long actual));
        Assert.Equal(nanos, actual);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("5 parsecs")]
    [InlineData("")]
    [InlineData("s")]
    [InlineData("99999999999999999999d")]
    public void BadDurations(string text) => Assert.False(DurationParser.TryParseNanos(text, out _));

    [Theory]
    [InlineData("64k", 65536L)]
    [InlineData("1g", 1073741824L)]
    [InlineData("5.72m", 5997854L)]
    [InlineData("1kB", 1000L)]
    [InlineData("1KiB", 1024L)]
    [InlineData("2 MB", 2_000_000L)]
    [InlineData("512 mebibytes", 536870912L)]
    [InlineData("123", 123L)]
    [InlineData("1000B", 1000L)]
    [InlineData("7E", 8070450532247928832L)]
    public void ByteSizes(string text, long bytes)
    {
        Assert.True(ByteSizeParser.TryParse(text, out long actual));
        Assert.Equal(bytes, actual);
    }

    [Theory]
    [InlineData("8E")]
    [InlineData("1YB")]
    [InlineData("12 furlongs")]
    public void BadOrOverflowingByteSizes(string text) => Assert.False(ByteSizeParser.TryParse(text, out _));

    [Fact]
    public void ByteSizeOverflowThroughConfigIsBadValue() =>
        Assert.Throws<ConfigBadValueException>(() => Config.ParseString("a = 8E").GetByteSize("a"));
}

public sealed class ErrorTests
{
    [Fact]
    public void SyntaxErrorNamesFileLineColumn()
    {
        var e = Assert.Throws<ConfigParseException>(() => Config.ParseString("a = 1\nb = {\n  c = [1, 2\n", "broker.conf"));
        Assert.StartsWith("broker.conf:4:1: ", e.Message);
        Assert.Equal("broker.conf", e.OriginFile);
        Assert.Equal(4, e.Line);
        Assert.Equal(1, e.Column);
    }

    [Fact]
    public void ReservedCharacterPosition()
    {
        var e = Assert.Throws<ConfigParseException>(() => Config.ParseString("a {\n  b = x@y\n}", "f.conf"));
        Assert.StartsWith("f.conf:2:8: ", e.Message);
    }

    [Fact]
    public void MissingKeyNamesFullPath()
    {
        var e = Assert.Throws<ConfigMissingException>(() => Config.ParseString("akkabroker.broker { }").GetInt("akkabroker.broker.listen-port"));
        Assert.Contains("akkabroker.broker.listen-port", e.Message);
    }

    [Fact]
    public void WrongTypeNamesPathExpectedAndFound()
    {
        var e = Assert.Throws<ConfigWrongTypeException>(() => Config.ParseString("a { b = [1] }", "x.conf").GetInt("a.b"));
        Assert.Contains("'a.b'", e.Message);
        Assert.Contains("list", e.Message);
        Assert.Contains("number", e.Message);
        Assert.StartsWith("x.conf:1:9: ", e.Message);
    }

    [Fact]
    public void BadDurationIsBadValue() =>
        Assert.Throws<ConfigBadValueException>(() => Config.ParseString("t = abc").GetTimeSpan("t"));

    [Fact]
    public void DeepNestingIsAParseErrorNotAStackOverflow()
    {
        string text = "a = " + new string('[', 100_000) + new string(']', 100_000);
        Assert.Throws<ConfigParseException>(() => Config.ParseString(text));
    }

    [Fact]
    public void LongSubstitutionChainIsAnErrorNotAStackOverflow()
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < 100_000; i++) sb.Append($"k{i} = ${{k{i + 1}}}\n");
        sb.Append("k100000 = 1\n");
        Assert.Throws<ConfigResolveException>(() => Config.ParseString(sb.ToString()).Resolve(ConfigResolveOptions.NoEnvironment));
    }

    [Fact]
    public void UrlIncludeIsRejected()
    {
        var e = Assert.Throws<ConfigParseException>(() => Config.ParseString("include url(\"http://example.com/a.conf\")"));
        Assert.Contains("url", e.Message);
    }

    [Fact]
    public void ClasspathIncludeIsNotFound()
    {
        Assert.Empty(Config.ParseString("include classpath(\"reference.conf\")").Keys);
        Assert.Throws<ConfigParseException>(() => Config.ParseString("include required(classpath(\"reference.conf\"))"));
    }

    [Fact]
    public void UnresolvedConfigGetterFails() =>
        Assert.Throws<ConfigResolveException>(() => Config.ParseString("a = ${b}\nb = 1").GetInt("a"));

    [Fact]
    public void EnvironmentIsTheDefaultFallback()
    {
        var c = Config.ParseString("a = ${X_TEST}").Resolve(ConfigResolveOptions.WithEnvironment(n => n == "X_TEST" ? "v" : null));
        Assert.Equal("v", c.GetString("a"));
    }

    [Fact]
    public void PlusEqualsAcrossLayersAndSelfReference()
    {
        var reference = Config.ParseString("list = [1]\npath = \"/bin\"");
        var app = Config.ParseString("list += 2\npath = ${path}\":/usr/bin\"");
        var c = app.WithFallback(reference).Resolve(ConfigResolveOptions.NoEnvironment);
        Assert.Equal([1, 2], c.GetIntList("list"));
        Assert.Equal("/bin:/usr/bin", c.GetString("path"));
    }
}

public sealed class RendererTests
{
    [Fact]
    public void RoundTripKeepsTheTree()
    {
        const string text = """
            a { "10" = x, "-10" = y, "---" = z, include = 1, "a.b" = 2, "" = 3, "with space" = "q\"uote\n" }
            n = [1, 2.50, -3e5, true, null, "007", { k = v }]
            """;
        var c = Config.ParseString(text).Resolve(ConfigResolveOptions.NoEnvironment);
        foreach (var options in new[] { ConfigRenderOptions.Default, ConfigRenderOptions.Json, new ConfigRenderOptions { OriginComments = true } })
        {
            var back = Config.ParseString(c.Render(options)).Resolve(ConfigResolveOptions.NoEnvironment);
            Assert.Equal(c.Render(ConfigRenderOptions.Json), back.Render(ConfigRenderOptions.Json));
        }
    }

    [Fact]
    public void OriginCommentsNameFileAndLine()
    {
        var c = Config.ParseString("a = 1\nb = 2", "hocon/broker-a-master.conf");
        Assert.Contains("# hocon/broker-a-master.conf:2", c.Render(new ConfigRenderOptions { OriginComments = true }));
    }

    [Fact]
    public void KeysAreSortedDeterministically()
    {
        string rendered = Config.ParseString("b = 1\n\"10\" = 1\na = 1\n\"9\" = 1").Render();
        Assert.True(rendered.IndexOf("\"9\"") < rendered.IndexOf("\"10\"") && rendered.IndexOf("\"10\"") < rendered.IndexOf("a =")
            && rendered.IndexOf("a =") < rendered.IndexOf("b ="), rendered);
    }
}

public sealed class ConfigurationProviderTests
{
    public sealed class BrokerOptions
    {
        [ConfigurationKeyName("broker-name")] public string BrokerName { get; set; } = "";
        [ConfigurationKeyName("listen-port")] public int ListenPort { get; set; }
        [ConfigurationKeyName("auto-create-topic-enable")] public bool AutoCreateTopicEnable { get; set; }
        [ConfigurationKeyName("name-servers")] public List<string> NameServers { get; set; } = [];
    }

    private const string Text = """
        akkabroker.broker {
          broker-name = broker-a
          listen-port = 10911
          auto-create-topic-enable = on
          auto-create-topic-enable = true
          name-servers = ["127.0.0.1:9876", "127.0.0.2:9876"]
          flush = ${akkabroker.broker.listen-port}
        }
        """;

    [Fact]
    public void FlattensWithColonsAndIndexes()
    {
        var configuration = new ConfigurationBuilder().AddHocon(Config.ParseString(Text)).Build();
        Assert.Equal("broker-a", configuration["akkabroker:broker:broker-name"]);
        Assert.Equal("10911", configuration["akkabroker:broker:listen-port"]);
        Assert.Equal("10911", configuration["akkabroker:broker:flush"]);
        Assert.Equal("127.0.0.2:9876", configuration["akkabroker:broker:name-servers:1"]);
    }

    [Fact]
    public void SectionBindsToAPocoWithKebabCaseKeys()
    {
        var configuration = new ConfigurationBuilder().AddHocon(Config.ParseString(Text)).Build();
        // The way a service binds options: services.Configure<T>(section), resolved through DI.
        var services = new ServiceCollection();
        services.Configure<BrokerOptions>(configuration.GetSection("akkabroker:broker"));
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<BrokerOptions>>().Value;
        Assert.Equal("broker-a", options.BrokerName);
        Assert.Equal(10911, options.ListenPort);
        Assert.True(options.AutoCreateTopicEnable);
        Assert.Equal(["127.0.0.1:9876", "127.0.0.2:9876"], options.NameServers);
    }

    [Fact]
    public void AddHoconFileReadsAFileAndHonoursOptional()
    {
        string dir = Directory.CreateTempSubdirectory("hocon-mec").FullName;
        try
        {
            string file = Path.Combine(dir, "node.conf");
            File.WriteAllText(file, Text);
            var configuration = new ConfigurationBuilder()
                .AddHoconFile(file)
                .AddHoconFile(Path.Combine(dir, "absent.conf"), optional: true)
                .Build();
            Assert.Equal("broker-a", configuration["akkabroker:broker:broker-name"]);
            Assert.ThrowsAny<ConfigException>(() => new ConfigurationBuilder().AddHoconFile(Path.Combine(dir, "absent.conf")).Build());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

public sealed class IncludeTests
{
    [Fact]
    public void IncludeKeywordMayBeFollowedByNewlinesAndIsRelativeToTheIncludingFile()
    {
        string dir = Directory.CreateTempSubdirectory("hocon-include").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "sub"));
            File.WriteAllText(Path.Combine(dir, "main.conf"), "include\n\n  \"sub/a.conf\"\nz = ${x}\n");
            File.WriteAllText(Path.Combine(dir, "sub", "a.conf"), "x = 1\ninclude file(\"b.conf\")\n");
            File.WriteAllText(Path.Combine(dir, "sub", "b.conf"), "y = 2\n");
            var c = Config.ParseFile(Path.Combine(dir, "main.conf")).Resolve(ConfigResolveOptions.NoEnvironment);
            Assert.Equal(1, c.GetInt("z"));
            Assert.Equal(2, c.GetInt("y"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
