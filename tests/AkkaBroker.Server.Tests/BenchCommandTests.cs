using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using AkkaBroker.Common.Metrics;
using AkkaBroker.Server.Bench;
using AkkaBroker.TestKit;

namespace AkkaBroker.Server.Tests;

/// <summary><c>akkabroker bench</c> and its latency histogram.</summary>
public sealed class BenchCommandTests
{
    [Fact]
    public void Percentiles_are_within_two_percent_of_the_recorded_values()
    {
        var h = new LatencyHistogram();
        for (var v = 1; v <= 100_000; v++) h.Record(v);

        Assert.Equal(100_000, h.Count);
        Assert.Equal(100_000, h.Max);
        Assert.InRange(h.Percentile(50), 50_000, 51_000);
        Assert.InRange(h.Percentile(99), 99_000, 100_000);
        Assert.InRange(h.Percentile(99.9), 99_900, 100_000);
        Assert.Equal(1, new LatencyHistogramBuilder(1).Build().Percentile(100));
    }

    [Fact]
    public void Coordinated_omission_correction_adds_the_sends_a_stall_delayed()
    {
        var h = new LatencyHistogram();
        // One send stalled 10 ms while sends were due every 1 ms: nine more would have waited 9, 8, ... 1 ms.
        h.RecordCorrected(10_000, 1_000);

        Assert.Equal(10, h.Count);
        Assert.InRange(h.Percentile(50), 5_000, 5_100);
    }

    [Fact]
    public void An_open_loop_latency_splits_at_the_moment_the_send_began()
    {
        var split = new OpenLoopBreakdown();
        split.Record(lagMicros: 300, latencyMicros: 1_000);
        split.Record(lagMicros: 0, latencyMicros: 100);

        Assert.Equal(300, split.StartLag.Max);
        Assert.Equal(700, split.FromStart.Max);
        Assert.Equal(100, split.FromStart.Percentile(0.1));
        var json = new System.Text.Json.Nodes.JsonObject();
        split.AddTo(json);
        Assert.Equal(700, (long)json["fromStartMaxUs"]!);
        Assert.Equal(300, (long)json["startLagMaxUs"]!);
    }

    [Fact]
    public async Task Bench_producer_creates_its_topic_sends_and_prints_the_summary_line()
    {
        await using var node = await EmbeddedNode.StartAsync();

        var (code, stdout, stderr) = await BenchProducerAsync(node,
            "--topic", "BenchTopic", "--threads", "4", "--size", "256", "--duration", "2", "--warmup", "1", "--queues", "2");

        Assert.True(code == 0, stderr);
        var summary = Regex.Match(stdout, @"^total: (\d+) msgs/s, ([\d.]+) MB/s, p50 (\d+) us, p99 (\d+) us, p99\.9 (\d+) us, failed (\d+)$", RegexOptions.Multiline);
        Assert.True(summary.Success, stdout);
        Assert.DoesNotContain("open loop", stdout); // closed loop: a send starts when the previous one is answered
        Assert.True(long.Parse(summary.Groups[1].Value) > 0);
        Assert.Equal("0", summary.Groups[6].Value);
        Assert.Equal(2, node.Node.Broker!.Topics.Find("BenchTopic")!.WriteQueueNums);
        Assert.True(node.Node.Store!.GetMaxOffset("BenchTopic", 0) + node.Node.Store.GetMaxOffset("BenchTopic", 1) > 0);
    }

    [Fact]
    public async Task Bench_consumer_reports_end_to_end_latency_of_what_a_bench_producer_sends()
    {
        await using var node = await EmbeddedNode.StartAsync(null, "akkabroker.broker.topics = [ { name = \"E2E\", read-queue-nums = 2, write-queue-nums = 2 } ]");
        using var consumer = ServeProcess.Start(null, "bench", "consumer", "--namesrv", node.NameServerAddress, "--topic", "E2E", "--duration", "6",
            "--warmup", "2");
        // Let the consumer join, take its queues at the latest offset and finish its warm-up before anything is sent.
        await Task.Delay(2500);

        var (code, producerOut, stderr) = await BenchProducerAsync(node,
            "--topic", "E2E", "--threads", "2", "--size", "64", "--duration", "2", "--warmup", "0", "--rate", "200");
        Assert.True(code == 0, stderr);
        // In an open loop the breakdown is reported just before the summary, which stays the last line.
        Assert.Matches(@"open loop: start lag p50 \d+ us, p99 \d+ us, p99\.9 \d+ us, max \d+ us; from start to ack p50 \d+ us, p99 \d+ us, p99\.9 \d+ us, max \d+ us [^\n]*\r?\ntotal: [^\n]*\s*$", producerOut);

        Assert.Equal(0, consumer.WaitForExit(TimeSpan.FromSeconds(30)));
        var summary = Regex.Match(consumer.Stdout, @"^total: (\d+) msgs/s, ([\d.]+) MB/s, p50 (\d+) us, p99 (\d+) us, p99\.9 (\d+) us, failed 0$", RegexOptions.Multiline);
        Assert.True(summary.Success, consumer.Stdout + consumer.Stderr);
        Assert.True(long.Parse(summary.Groups[1].Value) > 0, consumer.Stdout);
        // Loopback end-to-end latency is milliseconds, not seconds: the stamp in the body was read.
        Assert.InRange(long.Parse(summary.Groups[3].Value), 1, 2_000_000);
        // Reports come every 10 s; a shorter run has only its summary (the old loop ended with a burst of near-empty ones).
        Assert.DoesNotMatch(@"(?m)^\d\d:\d\d:\d\d ", consumer.Stdout);
    }

    [Fact]
    public async Task Bench_consumer_does_not_count_what_it_consumes_during_its_warmup()
    {
        await using var node = await EmbeddedNode.StartAsync(null, "akkabroker.broker.topics = [ { name = \"Warm\", read-queue-nums = 2, write-queue-nums = 2 } ]");
        using var consumer = ServeProcess.Start(null, "bench", "consumer", "--namesrv", node.NameServerAddress, "--topic", "Warm", "--duration", "2",
            "--warmup", "7", "--json");
        await Task.Delay(2000);

        // Sent and consumed while the consumer warms up (it joined within 2 s in the test above).
        var (code, _, stderr) = await BenchProducerAsync(node,
            "--topic", "Warm", "--threads", "2", "--size", "64", "--duration", "1", "--warmup", "0", "--rate", "200");
        Assert.True(code == 0, stderr);
        Assert.True(node.Node.Store!.GetMaxOffset("Warm", 0) + node.Node.Store.GetMaxOffset("Warm", 1) > 0);

        Assert.Equal(0, consumer.WaitForExit(TimeSpan.FromSeconds(30)));
        var total = JsonLines(consumer.Stdout)[^1];
        Assert.Equal("total", (string?)total["kind"]);
        Assert.Equal(0, (long)total["msgsPerSec"]!);
    }

    [Fact]
    public async Task Bench_producer_intervals_start_when_measuring_does()
    {
        await using var node = await EmbeddedNode.StartAsync();

        // 500 msgs/s for 3 s of warm-up and 12 s of measuring: the one interval covers the first 10 s measured. Counted from
        // the start, it would have covered 3 s of warm-up, whose sends do not count, and read about 350 msgs/s.
        var (code, stdout, stderr) = await BenchProducerAsync(node,
            "--topic", "IntervalTopic", "--threads", "4", "--size", "64", "--duration", "12", "--warmup", "3", "--rate", "500", "--json");

        Assert.True(code == 0, stderr);
        var lines = JsonLines(stdout);
        var interval = Assert.Single(lines, l => (string?)l["kind"] == "interval");
        Assert.InRange((long)interval["msgsPerSec"]!, 425, 575);
        Assert.Equal("total", (string?)lines[^1]["kind"]);
    }

    [Fact]
    public async Task Bench_producer_open_loop_splits_latency_into_start_lag_and_time_from_start()
    {
        await using var node = await EmbeddedNode.StartAsync();

        // One send in flight at 2,000/s: each send waits for the one before it, so most start late.
        var (code, stdout, stderr) = await BenchProducerAsync(node,
            "--topic", "LagTopic", "--threads", "1", "--size", "64", "--duration", "2", "--warmup", "1", "--rate", "2000", "--json");

        Assert.True(code == 0, stderr);
        var total = JsonLines(stdout)[^1];
        Assert.Equal("total", (string?)total["kind"]);
        Assert.True((long)total["startLagMaxUs"]! > 0, stdout);
        Assert.True((long)total["fromStartP50Us"]! > 0, stdout);
        // Both are parts of each send's latency, so neither can exceed it.
        foreach (var part in new[] { "startLag", "fromStart" })
        {
            Assert.True((long)total[part + "P99Us"]! <= (long)total["p99Us"]!, stdout);
            Assert.True((long)total[part + "MaxUs"]! <= (long)total["maxUs"]!, stdout);
        }
    }

    [Fact]
    public async Task The_open_loop_pacer_keeps_the_schedule_never_starts_early_and_caps_sends_in_flight()
    {
        var started = new ConcurrentQueue<(long Index, long Due, long At)>();
        int inFlight = 0, most = 0;
        using var stop = new CancellationTokenSource();
        var start = Stopwatch.GetTimestamp();
        // 2,000 sends/s but each takes >= 5 ms with 4 slots: at most 800/s can run, the rest start late.
        var run = OpenLoopPacer.RunAsync(2000, 4, start, stop.Token, async (due, i) =>
        {
            started.Enqueue((i, due, Stopwatch.GetTimestamp()));
            var now = Interlocked.Increment(ref inFlight);
            for (var seen = Volatile.Read(ref most); now > seen && Interlocked.CompareExchange(ref most, now, seen) != seen; seen = Volatile.Read(ref most))
            {
            }

            await Task.Delay(5);
            Interlocked.Decrement(ref inFlight);
        });
        await Task.Delay(1000);
        await stop.CancelAsync();
        await run;

        var sends = started.OrderBy(s => s.Index).ToList();
        Assert.True(sends.Count >= 20, $"only {sends.Count} sends started");
        Assert.Equal(Enumerable.Range(0, sends.Count).Select(i => (long)i), sends.Select(s => s.Index));
        var interval = Stopwatch.Frequency / 2000.0;
        Assert.All(sends, s => Assert.Equal(start + (long)(s.Index * interval), s.Due)); // the schedule, not the start times
        Assert.All(sends, s => Assert.True(s.At >= s.Due, $"send {s.Index} started before its scheduled moment"));
        Assert.InRange(most, 1, 4);
        Assert.Equal(0, Volatile.Read(ref inFlight)); // the run ends after its last send
        Assert.True(sends[^1].At - sends[^1].Due > Stopwatch.Frequency / 10, "capped sends start late, and that lateness is what gets measured");
    }

    [Fact]
    public void The_jitter_probe_measures_how_late_short_sleeps_wake()
    {
        var result = JitterProbe.Measure(TimeSpan.FromMilliseconds(300), sleepMicros: 50);

        // Each sleep takes at least what it asked for, so 300 ms hold at most 6,000 of them.
        Assert.InRange(result.Lateness.Count, 10, 6_000);
        Assert.InRange(result.Seconds, 0.3, 30);
        Assert.True(result.Lateness.Max >= result.Lateness.Percentile(99));
        Assert.True(result.StalledMicros == 0 || result.Lateness.Max > JitterProbe.StallMicros);
        // Only the part of a stall beyond the target counts, so it is below the stalled time and zero without such a stall.
        Assert.True(result.OverTargetMicros <= result.StalledMicros);
        Assert.True(result.OverTargetMicros == 0 || result.Lateness.Max > JitterProbe.TargetMicros);
        Assert.InRange(result.OverTargetPercent, 0, 100);
    }

    [Fact]
    public void Bench_jitter_prints_its_line_and_rejects_bad_arguments()
    {
        var (code, stdout, stderr) = ServeProcess.Run(null, "bench", "jitter", "--duration", "1");
        Assert.True(code == 0, stderr);
        Assert.Matches(@"^jitter: \d+ sleeps of 15 us woke late by p50 \d+ us, p99 \d+ us, p99\.9 \d+ us, max \d+ us; [\d.]+ ms per second lost to wake-ups over 200 us late; a wake-up due at \d+\.\d\d% of moments waited over 1000 us\s*$", stdout);

        var (bad, _, reason) = ServeProcess.Run(null, "bench", "jitter", "--sleep-us", "0");
        Assert.Equal(2, bad);
        Assert.Contains("--sleep-us", reason);
    }

    [Fact]
    public void Bench_echo_measures_a_bare_loopback_echo_at_the_rate_and_rejects_bad_arguments()
    {
        var (code, stdout, stderr) = ServeProcess.Run(null, "bench", "echo", "--rate", "2000", "--duration", "2", "--warmup", "1", "--json");

        Assert.True(code == 0, stderr);
        var total = JsonLines(stdout)[^1];
        Assert.Equal("total", (string?)total["kind"]);
        // Open loop: every scheduled frame is sent and answered, so the rate is the one asked for.
        Assert.InRange((double)total["msgsPerSec"]!, 1500, 2100);
        Assert.Equal(0, (long)total["failed"]!);
        Assert.True((long)total["p50Us"]! > 0, stdout);
        Assert.True((long)total["startLagP99Us"]! <= (long)total["p99Us"]!, stdout);
        Assert.True((long)total["fromStartP99Us"]! <= (long)total["p99Us"]!, stdout);

        var (bad, _, reason) = ServeProcess.Run(null, "bench", "echo", "--rate", "0");
        Assert.Equal(2, bad);
        Assert.Contains("--rate", reason);
    }

    [Fact]
    public void Bad_arguments_exit_with_2_and_a_reason()
    {
        var (code, _, stderr) = ServeProcess.Run(null, "bench", "producer", "--threads", "0", "--duration", "1");

        Assert.Equal(2, code);
        Assert.Contains("--threads", stderr);
    }

    private sealed class LatencyHistogramBuilder(long value)
    {
        public LatencyHistogram Build()
        {
            var h = new LatencyHistogram();
            h.Record(value);
            return h;
        }
    }

    // `akkabroker bench producer` against the node, in a child process (off the test's thread: it runs for seconds).
    private static Task<(int ExitCode, string Stdout, string Stderr)> BenchProducerAsync(EmbeddedNode node, params string[] args) =>
        Task.Run(() => ServeProcess.Run(null, ["bench", "producer", "--namesrv", node.NameServerAddress, .. args]));

    // The JSON objects a --json run printed, one per line.
    private static List<System.Text.Json.Nodes.JsonObject> JsonLines(string stdout) =>
        stdout.Trim().Split('\n').Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!.AsObject()).ToList();
}
