using AkkaBroker.TestKit;
using System.Text.RegularExpressions;

namespace AkkaBroker.Server.Tests;

/// <summary>The <c>akkabroker serve</c> process, end to end: start, graceful stop, config errors.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("akkabroker-serve-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Dictionary<string, string?> Env(string storeName = "store") => new() { ["AKKABROKER_STORE_ROOT"] = Path.Combine(_dir, storeName) };

    // Nodes that get as far as binding use ports of their own, so parallel tests never collide.
    private static string[] Serve() =>
        ["serve", .. FreePorts.NodeOverrides(out _, out _).SelectMany(o => new[] { "--set", o.Replace(" = ", "=", StringComparison.Ordinal) })];

    [Theory]
    [InlineData(ServeProcess.SigTerm)]
    [InlineData(ServeProcess.SigInt)]
    public async Task Embedded_default_runs_both_roles_and_stops_gracefully_on_a_signal(int signal)
    {
        using var serve = ServeProcess.Start(Env(), Serve());
        await serve.WaitForOutputAsync("AkkaBroker node up", TimeSpan.FromSeconds(60));
        Assert.Contains("Name server started", serve.Stdout);
        Assert.Contains("Broker started", serve.Stdout);
        Assert.True(Directory.Exists(Path.Combine(_dir, "store")), "the broker creates its store root");
        // Log lines carry a UTC timestamp.
        Assert.Matches(new Regex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z ", RegexOptions.Multiline), serve.Stdout);

        serve.SendSignal(signal);

        Assert.Equal(0, serve.WaitForExit(TimeSpan.FromSeconds(60)));
        var stdout = serve.Stdout;
        Assert.Contains("Broker broker-a stopped", stdout);
        Assert.Contains("Name server stopped", stdout);
        // Reverse start order: the broker stops before the name server it registers with.
        Assert.True(stdout.IndexOf("Broker broker-a stopped", StringComparison.Ordinal) < stdout.IndexOf("Name server stopped", StringComparison.Ordinal));
    }

    [Fact]
    public void Print_config_shows_the_deployment_merged_over_the_reference()
    {
        var (code, stdout, stderr) = ServeProcess.Run(null, "serve", "-c", "hocon/broker-a-master.conf", "--print-config");

        Assert.True(code == 0, stderr);
        Assert.Matches(@"broker-role\s*[=:]\s*""?SYNC_MASTER", stdout);          // from the deployment file
        Assert.Matches(@"max-message-size\s*[=:]\s*""?4m", stdout);              // from reference.conf
        Assert.Contains("broker-a-master.conf", stdout);                         // origin comments
        Assert.Contains("Payments", stdout);                                     // declared topics
    }

    [Fact]
    public void Print_config_applies_set_overrides_over_the_file()
    {
        var (code, stdout, stderr) = ServeProcess.Run(null, "serve", "-c", "hocon/broker-a-master.conf",
            "--set", "akkabroker.broker.listen-port=20911", "--print-config");

        Assert.True(code == 0, stderr);
        Assert.Matches(@"listen-port\s*[=:]\s*20911", stdout);
    }

    [Fact]
    public void A_syntax_error_exits_non_zero_with_file_line_and_column()
    {
        var file = Path.Combine(_dir, "broken.conf");
        File.WriteAllText(file, "akkabroker {\n  broker {\n    listen-port = 10911\n    broker-name = \"unterminated\n  }\n}\n");

        var (code, _, stderr) = ServeProcess.Run(Env(), "serve", "-c", file);

        Assert.Equal(2, code);
        Assert.Matches(@"broken\.conf:4:\d+", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void An_unknown_key_is_rejected_with_its_path()
    {
        var file = Path.Combine(_dir, "typo.conf");
        File.WriteAllText(file, "akkabroker.store.flush-disk-typ = SYNC_FLUSH\n");

        var (code, _, stderr) = ServeProcess.Run(Env(), "serve", "-c", file);

        Assert.Equal(2, code);
        Assert.Contains("akkabroker.store.flush-disk-typ", stderr);
        Assert.Contains("typo.conf:1", stderr);
    }

    [Fact]
    public void A_bad_value_is_rejected_with_its_path()
    {
        var file = Path.Combine(_dir, "bad-value.conf");
        File.WriteAllText(file, "akkabroker.store.flush-disk-type = FAST_FLUSH\n");

        var (code, _, stderr) = ServeProcess.Run(Env(), "serve", "-c", file);

        Assert.Equal(2, code);
        Assert.Contains("akkabroker.store.flush-disk-type", stderr);
        Assert.Contains("ASYNC_FLUSH", stderr); // says what is allowed
    }

    [Fact]
    public void A_missing_config_file_is_reported()
    {
        var (code, _, stderr) = ServeProcess.Run(Env(), "serve", "-c", Path.Combine(_dir, "nope.conf"));

        Assert.Equal(2, code);
        Assert.Contains("nope.conf", stderr);
    }

    [Fact]
    public void A_store_root_that_cannot_be_created_fails_the_start_with_a_reason()
    {
        var blocker = Path.Combine(_dir, "not-a-folder");
        File.WriteAllText(blocker, "a file where the store folder should be");

        var (code, _, stderr) = ServeProcess.Run(new Dictionary<string, string?> { ["AKKABROKER_STORE_ROOT"] = blocker }, Serve());

        Assert.Equal(1, code);
        Assert.Contains("store folder", stderr);
        Assert.Contains("not-a-folder", stderr);
    }
}
