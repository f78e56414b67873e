using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using AkkaBroker.Client;
using AkkaBroker.Common.Metrics;

namespace AkkaBroker.Server.Bench;

/// <summary>
/// <c>akkabroker bench producer|consumer</c>: load against a running cluster, RocketMQ-benchmark style, printing
/// throughput and latency percentiles every 10 s and a final summary line.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Measure a running cluster (producer or consumer load), or this machine's wake-up jitter and open-loop floor.");
        command.Subcommands.Add(Producer());
        command.Subcommands.Add(Consumer());
        command.Subcommands.Add(JitterProbe.Create());
        command.Subcommands.Add(EchoBaseline.Create());
        return command;
    }

    internal sealed record Settings(string NameServer, string Topic, int Threads, int Size, int Batch, int Duration, int Rate, bool Keys,
        string? Tags, int Queues, bool Json, int Warmup = 0);

    private static Command Producer()
    {
        var nameServer = new Option<string>("--namesrv") { Description = "name servers, host:port separated by ';'", DefaultValueFactory = _ => "127.0.0.1:9876" };
        var topic = new Option<string>("--topic") { Description = "topic (created when missing)", DefaultValueFactory = _ => "BenchmarkTest" };
        var threads = new Option<int>("--threads") { Description = "concurrent senders", DefaultValueFactory = _ => 64 };
        var size = new Option<int>("--size") { Description = "message body size in bytes", DefaultValueFactory = _ => 128 };
        var batch = new Option<int>("--batch") { Description = "messages per send request (1: single sends)", DefaultValueFactory = _ => 1 };
        var duration = new Option<int>("--duration") { Description = "seconds to run", DefaultValueFactory = _ => 60 };
        var rate = new Option<int>("--rate") { Description = "open loop: total messages/s to attempt (0: as fast as acknowledged)", DefaultValueFactory = _ => 0 };
        var keys = new Option<bool>("--keys") { Description = "give every message a unique key (indexed)" };
        var tags = new Option<string?>("--tags") { Description = "tag every message with this tag" };
        var queues = new Option<int>("--queues") { Description = "queues of the topic when it is created", DefaultValueFactory = _ => 8 };
        var json = new Option<bool>("--json") { Description = "print results as JSON lines" };
        var warmup = WarmupOption("seconds of load before measuring starts (connections, routes, JIT, thread pool, first segment); not counted in the figures");
        var command = new Command("producer", "Send messages as fast as acknowledged, or at a fixed rate, and report msgs/s and latency.")
        {
            nameServer, topic, threads, size, batch, duration, rate, keys, tags, queues, json, warmup,
        };
        command.SetAction((r, ct) => RunProducerAsync(new Settings(r.GetValue(nameServer)!, r.GetValue(topic)!, r.GetValue(threads), r.GetValue(size),
            r.GetValue(batch), r.GetValue(duration), r.GetValue(rate), r.GetValue(keys), r.GetValue(tags), r.GetValue(queues), r.GetValue(json),
            r.GetValue(warmup)), ct));
        return command;
    }

    private static async Task<int> RunProducerAsync(Settings s, CancellationToken ct)
    {
        if (s.Threads < 1 || s.Size < 1 || s.Batch < 1 || s.Duration < 1 || s.Rate < 0 || s.Queues < 1 || s.Warmup < 0)
        {
            await Console.Error.WriteLineAsync("akkabroker bench: --threads, --size, --batch, --duration and --queues must be positive, --rate and --warmup not negative");
            return 2;
        }

        var servers = await PrepareTopicAsync(s, ct);
        if (servers is null) return 1;

        await using var producer = new Producer(new ProducerOptions
        {
            NamesrvAddr = servers, ProducerGroup = "BENCH_PRODUCER", CompressMsgBodyOverHowmuch = int.MaxValue, SendMsgTimeout = TimeSpan.FromSeconds(10),
        });
        await producer.StartAsync(ct);
        var body = new byte[s.Size];
        Random.Shared.NextBytes(body);

        var total = new LatencyHistogram();
        var window = new LatencyHistogram();
        // Open loop only: each latency split at the moment its send began (see OpenLoopBreakdown).
        var totalSplit = s.Rate > 0 ? new OpenLoopBreakdown() : null;
        var windowSplit = s.Rate > 0 ? new OpenLoopBreakdown() : null;
        long sent = 0, failed = 0, windowSent = 0, windowFailed = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + s.Warmup * Stopwatch.Frequency;

        // One send, its latency counted from `began`: the scheduled moment in an open loop, the actual start otherwise.
        async Task SendOnceAsync(long began, int t, long n)
        {
            var lag = totalSplit is null ? 0 : LatencyHistogram.MicrosSince(began);
            try
            {
                if (s.Batch == 1) await producer.SendAsync(NewMessage(s, body, t, n), CancellationToken.None);
                else await producer.SendBatchAsync([.. Enumerable.Range(0, s.Batch).Select(i => NewMessage(s, body, t, n + i))], CancellationToken.None);
                var micros = LatencyHistogram.MicrosSince(began);
                if (began < measureFrom) return;
                total.Record(micros);
                window.Record(micros);
                totalSplit?.Record(lag, micros);
                Volatile.Read(ref windowSplit)?.Record(lag, micros);
                Interlocked.Add(ref sent, s.Batch);
                Interlocked.Add(ref windowSent, s.Batch);
            }
            catch (Exception e) when (e is MQClientException or TimeoutException)
            {
                if (began < measureFrom) return;
                Interlocked.Add(ref failed, s.Batch);
                Interlocked.Add(ref windowFailed, s.Batch);
            }
        }

        Task[] senders = s.Rate > 0
            ? [OpenLoopPacer.RunAsync(s.Rate / (double)s.Batch, s.Threads, start, stop.Token, (due, i) => SendOnceAsync(due, (int)(i % s.Threads), i * s.Batch))]
            : Enumerable.Range(0, s.Threads).Select(t => Task.Run(async () =>
            {
                long n = 0;
                while (!stop.IsCancellationRequested)
                {
                    await SendOnceAsync(Stopwatch.GetTimestamp(), t, n);
                    n += s.Batch;
                }
            })).ToArray();

        var report = ReportEveryIntervalAsync(stop.Token, s.Warmup, seconds =>
        {
            var snapshot = Interlocked.Exchange(ref window, new LatencyHistogram());
            var splitSnapshot = windowSplit is null ? null : Interlocked.Exchange(ref windowSplit, new OpenLoopBreakdown());
            Print(s, "interval", Interlocked.Exchange(ref windowSent, 0), Interlocked.Exchange(ref windowFailed, 0), seconds, snapshot, splitSnapshot);
        });

        await RunForAsync(s.Warmup + s.Duration, ct);
        await stop.CancelAsync();
        await Task.WhenAll(senders);
        await report;
        var elapsed = MeasuredSeconds(measureFrom);
        Print(s, "total", sent, failed, elapsed, total, totalSplit);
        return 0;
    }

    private static Message NewMessage(Settings s, byte[] body, int thread, long n)
    {
        // The first 8 bytes carry the send time in 100 ns ticks, so a bench consumer can measure end-to-end latency
        // finer than the record's millisecond born timestamp.
        if (body.Length >= 8)
        {
            body = (byte[])body.Clone();
            BitConverter.TryWriteBytes(body, DateTime.UtcNow.Ticks);
        }

        var message = new Message(s.Topic, body);
        if (s.Keys) message.Keys = $"bench-{thread}-{n}";
        if (s.Tags is { Length: > 0 }) message.Tags = s.Tags;
        return message;
    }

    private static Command Consumer()
    {
        var nameServer = new Option<string>("--namesrv") { Description = "name servers, host:port separated by ';'", DefaultValueFactory = _ => "127.0.0.1:9876" };
        var topic = new Option<string>("--topic") { Description = "topic (created when missing)", DefaultValueFactory = _ => "BenchmarkTest" };
        var group = new Option<string>("--group") { Description = "consumer group", DefaultValueFactory = _ => "BENCH_CONSUMER" };
        var threads = new Option<int>("--threads") { Description = "concurrent consume callbacks", DefaultValueFactory = _ => 20 };
        var duration = new Option<int>("--duration") { Description = "seconds to run", DefaultValueFactory = _ => 60 };
        var queues = new Option<int>("--queues") { Description = "queues of the topic when it is created", DefaultValueFactory = _ => 8 };
        var json = new Option<bool>("--json") { Description = "print results as JSON lines" };
        // The first seconds hold the rebalance, which leaves messages waiting until the queues are taken: measured,
        // they put p99 at 5.5 s into a run whose later intervals had 9-13 ms.
        var warmup = WarmupOption("seconds of consuming before measuring starts (rebalance, first pulls, JIT); not counted in the figures");
        var command = new Command("consumer", "Consume from the latest offset and report msgs/s and end-to-end latency (send to callback).")
        {
            nameServer, topic, group, threads, duration, queues, json, warmup,
        };
        command.SetAction((r, ct) => RunConsumerAsync(new Settings(r.GetValue(nameServer)!, r.GetValue(topic)!, r.GetValue(threads), 0, 1, r.GetValue(duration), 0,
            false, null, r.GetValue(queues), r.GetValue(json), r.GetValue(warmup)), r.GetValue(group)!, ct));
        return command;
    }

    private static async Task<int> RunConsumerAsync(Settings s, string group, CancellationToken ct)
    {
        if (s.Threads < 1 || s.Duration < 1 || s.Queues < 1 || s.Warmup < 0)
        {
            await Console.Error.WriteLineAsync("akkabroker bench: --threads, --duration and --queues must be positive, --warmup not negative");
            return 2;
        }

        var servers = await PrepareTopicAsync(s, ct);
        if (servers is null) return 1;

        var total = new LatencyHistogram();
        var window = new LatencyHistogram();
        long received = 0, windowReceived = 0, bytes = 0, windowBytes = 0;
        // Nothing counts until the consumer has started and warmed up.
        var measureFrom = long.MaxValue;
        await using var consumer = new PushConsumer(new PushConsumerOptions
        {
            NamesrvAddr = servers, ConsumerGroup = group, ConsumeThreadMax = s.Threads, ConsumeFromWhere = AkkaBroker.Protocol.Json.ConsumeFromWhere.ConsumeFromLastOffset,
        });
        consumer.Subscribe(s.Topic);
        consumer.RegisterListener(batch =>
        {
            if (Stopwatch.GetTimestamp() < Volatile.Read(ref measureFrom)) return Task.FromResult(ConsumeResult.Success);
            var now = DateTime.UtcNow.Ticks;
            foreach (var m in batch)
            {
                // Bench producers stamp 100 ns ticks into the body; other messages fall back to the born timestamp.
                var sent = m.Body.Length >= 8 ? BitConverter.ToInt64(m.Body.Span) : 0;
                var micros = sent > 0 && sent <= now && now - sent < TimeSpan.TicksPerHour
                    ? (now - sent) / 10
                    : (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - m.BornTimestamp) * 1000;
                total.Record(micros);
                window.Record(micros);
                Interlocked.Add(ref bytes, m.Body.Length);
                Interlocked.Add(ref windowBytes, m.Body.Length);
            }

            Interlocked.Add(ref received, batch.Count);
            Interlocked.Add(ref windowReceived, batch.Count);
            return Task.FromResult(ConsumeResult.Success);
        });
        await consumer.StartAsync(ct);
        Volatile.Write(ref measureFrom, Stopwatch.GetTimestamp() + s.Warmup * Stopwatch.Frequency);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var report = ReportEveryIntervalAsync(stop.Token, s.Warmup, seconds =>
        {
            var n = Interlocked.Exchange(ref windowReceived, 0);
            var b = Interlocked.Exchange(ref windowBytes, 0);
            Print(s with { Size = n > 0 ? (int)(b / n) : 0 }, "interval", n, 0, seconds, Interlocked.Exchange(ref window, new LatencyHistogram()));
        });

        await RunForAsync(s.Warmup + s.Duration, ct);
        await stop.CancelAsync();
        await report;
        var elapsed = MeasuredSeconds(measureFrom);
        var count = Interlocked.Read(ref received);
        Print(s with { Size = count > 0 ? (int)(Interlocked.Read(ref bytes) / count) : 0 }, "total", count, 0, elapsed, total);
        return 0;
    }

    /// <summary>Seconds from <paramref name="measureFrom"/> (the warm-up's end, a stopwatch timestamp) to now; never zero.</summary>
    internal static double MeasuredSeconds(long measureFrom) => Math.Max((Stopwatch.GetTimestamp() - measureFrom) / (double)Stopwatch.Frequency, 1e-3);

    internal static Option<int> WarmupOption(string description) => new("--warmup")
    {
        // 5 s was too short: producer runs measured from 5 s caught a start-up stall of up to 1.7 s (JIT tiering,
        // thread pool growth) in 4 of 8 open-loop runs; from 15 s, none in 5 runs.
        Description = description,
        DefaultValueFactory = _ => 15,
    };

    // Waits the run's length; Ctrl+C ends it early, and the figures so far are still printed.
    internal static async Task RunForAsync(int seconds, CancellationToken ct)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds), ct);
        }
        catch (OperationCanceledException)
        {
        }
    }

    // After the warm-up, calls report(seconds since the previous report) every 10 s until stop is cancelled. Intervals
    // start when measuring does: one that began in the warm-up divided the sends counted after it by all of its 10 s (a
    // 15 s warm-up printed half the rate, and 100 s of it 96 msgs/s at 245k). A run's last partial interval goes only
    // into its summary (the loop this replaced printed a burst of near-empty intervals there).
    private static Task ReportEveryIntervalAsync(CancellationToken stop, int warmupSeconds, Action<double> report) => Task.Run(async () =>
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(warmupSeconds), stop);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        var last = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(10), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var now = Stopwatch.GetTimestamp();
            report((now - last) / (double)Stopwatch.Frequency);
            last = now;
        }
    });

    // The name servers of --namesrv, once the topic exists (null after printing why it could not be made).
    private static async Task<string[]?> PrepareTopicAsync(Settings s, CancellationToken ct)
    {
        var servers = s.NameServer.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        try
        {
            await EnsureTopicAsync(servers, s, ct);
            return servers;
        }
        catch (Exception e) when (e is MQClientException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"akkabroker bench: {e.Message}");
            return null;
        }
    }

    private static async Task EnsureTopicAsync(string[] servers, Settings s, CancellationToken ct)
    {
        await using var admin = new AdminClient(new ClientOptions { NamesrvAddr = servers });
        if (await admin.GetRouteAsync(s.Topic, ct) is { QueueDatas.Count: > 0 }) return;
        await admin.CreateTopicAsync(s.Topic, s.Queues, cancellationToken: ct);
        await admin.WaitForRouteAsync(s.Topic, TimeSpan.FromSeconds(30), ct);
    }

    /// <summary>
    /// Prints one report: an interval's or the run's. <paramref name="split"/> (open loop only) adds how late sends
    /// began and how long they took from then; the summary line stays the last line of the text output.
    /// </summary>
    internal static void Print(Settings s, string what, long messages, long failed, double seconds, LatencyHistogram h, OpenLoopBreakdown? split = null)
    {
        var rate = messages / Math.Max(seconds, 1e-9);
        var mb = rate * s.Size / 1e6;
        if (s.Json)
        {
            var line = JsonSerializer.SerializeToNode(new
            {
                kind = what, msgsPerSec = Math.Round(rate), mbPerSec = Math.Round(mb, 1), p50Us = h.Percentile(50), p99Us = h.Percentile(99),
                p999Us = h.Percentile(99.9), maxUs = h.Max, failed,
            })!.AsObject();
            split?.AddTo(line);
            Console.WriteLine(line.ToJsonString());
            return;
        }

        if (what != "total")
        {
            var parts = split is null ? "" : $", start lag us p99 {split.StartLag.Percentile(99)}, from start us p99 {split.FromStart.Percentile(99)}";
            Console.WriteLine(
                $"{DateTime.Now:HH:mm:ss} {rate:F0} msgs/s, {mb:F1} MB/s, failed {failed}, latency us p50 {h.Percentile(50)} p99 {h.Percentile(99)} p99.9 {h.Percentile(99.9)} max {h.Max}{parts}");
            return;
        }

        if (split is not null) Console.WriteLine(split.Describe());
        Console.WriteLine($"total: {rate:F0} msgs/s, {mb:F1} MB/s, p50 {h.Percentile(50)} us, p99 {h.Percentile(99)} us, p99.9 {h.Percentile(99.9)} us, failed {failed}");
    }
}
