using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using AkkaBroker.Protocol;
using AkkaBroker.Protocol.Remoting;
using Xunit.Abstractions;
using static AkkaBroker.Broker.Tests.WireRecords;

namespace AkkaBroker.Broker.Tests;

/// <summary>
/// Over 100,000 generated malformed inputs against a whole node's broker port (and some against its name-server
/// port), from a fixed seed: well-framed requests with bad content pipelined on long-lived connections (each must be
/// answered, refusals must not be SUCCESS, the connection must stay usable), and stream-breaking input on fresh
/// connections (the server must close them). Meanwhile a well-behaved client keeps sending and pulling; at the end
/// every message stored before the fuzzing is still readable with its body.
/// </summary>
public sealed class MalformedFrameFuzzTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 20_240_611;
    private const string Topics = "akkabroker.broker.topics = [ { name = \"FuzzStore\", read-queue-nums = 2, write-queue-nums = 2 }, " +
                                  "{ name = \"FuzzLive\", read-queue-nums = 2, write-queue-nums = 2 } ]";
    private const int BrokerConnections = 4;
    private const int BatchesPerConnection = 120;
    private const int BatchSize = 200;
    private const int NameServerBatches = 10;
    private const int BrokerStreams = 3_000;
    private const int NameServerStreams = 500;
    private static readonly bool Ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(15);

    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentDictionary<string, int> _outcomes = new();
    private long _inputs;

    [Fact]
    public async Task Over_a_hundred_thousand_malformed_inputs_neither_crash_nor_wedge_the_node()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("AKKABROKER_FUZZ_SEED"), out var chosen) ? chosen : DefaultSeed;
        output.WriteLine($"fuzz seed {seed} (AKKABROKER_FUZZ_SEED replays another), CI={Ci}");
        await using var node = await WireNode.StartAsync(null, Topics);
        var stored = await StoreKnownMessagesAsync(node);
        using var stopLive = new CancellationTokenSource();
        var live = LiveClientAsync(node, stopLive.Token);
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, BrokerConnections)
            .Select(i => Task.Run(() => WellFramedAsync(node.BrokerPort, new FuzzFrames(seed + i, broker: true), BatchesPerConnection))));
        var wellFramed = Interlocked.Read(ref _inputs);
        await WellFramedAsync(node.NameServerPort, new FuzzFrames(seed + 100, broker: false), NameServerBatches);
        output.WriteLine($"well-framed: {Interlocked.Read(ref _inputs)} requests in {clock.ElapsedMilliseconds} ms ({wellFramed} to the broker)");
        await BrokenStreamsAsync(node.BrokerPort, seed + 200, BrokerStreams);
        await BrokenStreamsAsync(node.NameServerPort, seed + 300, NameServerStreams);
        output.WriteLine($"all {Interlocked.Read(ref _inputs)} inputs in {clock.ElapsedMilliseconds} ms");

        await stopLive.CancelAsync();
        var rounds = await live;
        output.WriteLine($"{_outcomes.Count} distinct outcomes; the live client did {rounds} rounds");
        var summary = _outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Value,7} x {o.Key}").ToList();
        foreach (var line in summary.Take(80)) output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("AKKABROKER_FUZZ_REPORT") is { Length: > 0 } report) File.WriteAllLines(report, summary);

        Assert.True(_failures.IsEmpty, $"{_failures.Count} failure(s):\n" + string.Join("\n", _failures.Take(20)));
        Assert.True(Interlocked.Read(ref _inputs) >= 100_000, $"only {_inputs} inputs");
        Assert.True(rounds >= 3, $"the well-behaved client completed only {rounds} send+pull rounds");

        // Everything stored before the fuzzing is intact, and the node still takes and serves messages.
        for (var queue = 0; queue < 2; queue++)
        {
            var read = new List<PulledRecord>();
            while (read.Count < stored[queue].Count)
            {
                var more = await PullUntilAsync(node, "Checker", "FuzzStore", queue, read.Count, TimeSpan.FromSeconds(5));
                Assert.NotEmpty(more);
                read.AddRange(more);
            }

            Assert.Equal(stored[queue], read.Select(r => r.Body).Take(stored[queue].Count));
        }

        var after = await node.SendAsync("FuzzStore", "after the storm", queueId: 1);
        Assert.Equal(ResponseCode.Success, after.Code);
        var last = await PullUntilAsync(node, "Checker", "FuzzStore", 1, after.ReadHeader<SendMessageResponseHeader>(out _)!.QueueOffset, TimeSpan.FromSeconds(5));
        Assert.Equal("after the storm", Assert.Single(last).Body);
        Assert.NotNull(await node.RouteAsync("FuzzStore"));
    }

    private static async Task<List<string>[]> StoreKnownMessagesAsync(WireNode node)
    {
        var stored = new[] { new List<string>(), new List<string>() };
        var random = new Random(7);
        for (var i = 0; i < 60; i++)
        {
            var body = $"stored-{i}-" + new string((char)('a' + random.Next(26)), random.Next(1, 400));
            var sent = await node.SendAsync("FuzzStore", body, queueId: i % 2, tags: "T" + (i % 3), keys: "key-" + i);
            Assert.Equal(ResponseCode.Success, sent.Code);
            stored[i % 2].Add(body);
        }

        return stored;
    }

    // A client doing what real ones do, all through the fuzzing: each round sends one message and pulls it back.
    private async Task<int> LiveClientAsync(WireNode node, CancellationToken stop)
    {
        var next = new long[2];
        var rounds = 0;
        while (!stop.IsCancellationRequested)
        {
            var queue = rounds % 2;
            var body = $"live-{rounds}";
            try
            {
                var sent = await node.SendAsync("FuzzLive", body, queueId: queue);
                if (sent.Code != ResponseCode.Success)
                {
                    _failures.Enqueue($"live send {rounds}: code {sent.Code} {sent.Remark}");
                }
                else
                {
                    var records = await PullUntilAsync(node, "LiveGroup", "FuzzLive", queue, next[queue], TimeSpan.FromSeconds(10));
                    if (records.Count == 0 || records[0].Body != body) _failures.Enqueue($"live pull {rounds}: got [{string.Join(", ", records.Select(r => r.Body))}]");
                    next[queue] += records.Count;
                }
            }
            catch (Exception e)
            {
                _failures.Enqueue($"live round {rounds}: {e.GetType().Name}: {e.Message}");
            }

            rounds++;
            try
            {
                await Task.Delay(Ci ? 10 : 50, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }

        return rounds;
    }

    // Pipelines batches of well-framed bad requests on one connection; every answer-expecting one must be answered.
    private async Task WellFramedAsync(int port, FuzzFrames frames, int batches)
    {
        var connection = await RawConnection.OpenAsync(port);
        var maybe = new HashSet<int>();
        var opaque = 0;
        try
        {
            for (var batch = 0; batch < batches; batch++)
            {
                var pending = new Dictionary<int, FuzzRequest>();
                var bytes = new List<byte>(BatchSize * 200);
                for (var i = 0; i < BatchSize; i++)
                {
                    var request = frames.NextRequest(++opaque);
                    bytes.AddRange(request.Frame);
                    if (request.Expect == FuzzExpect.Maybe) maybe.Add(opaque);
                    else if (request.Expect != FuzzExpect.Silent) pending[opaque] = request;
                }

                Interlocked.Add(ref _inputs, BatchSize);
                var written = await connection.WriteAsync(bytes.ToArray(), frames.Random);
                while (pending.Count > 0)
                {
                    RemotingCommand? frame;
                    try
                    {
                        frame = written ? await connection.ReadFrameAsync(AnswerWithin) : null;
                    }
                    catch (TimeoutException)
                    {
                        Fail($"port {port}: {pending.Count} request(s) unanswered after {AnswerWithin.TotalSeconds} s, e.g. " +
                             string.Join("; ", pending.Values.Take(5).Select(p => p.What)));
                        return;
                    }

                    if (frame is null)
                    {
                        Fail($"port {port}: the server closed a connection of well-framed requests; unanswered e.g. " +
                             string.Join("; ", pending.Values.Take(5).Select(p => p.What)));
                        connection.Dispose();
                        connection = await RawConnection.OpenAsync(port);
                        break;
                    }

                    if (!frame.IsResponse)
                    {
                        Count($"server request {RequestCode.Describe(frame.Code)}");
                        continue;
                    }

                    if (!pending.Remove(frame.Opaque, out var request))
                    {
                        if (!maybe.Remove(frame.Opaque)) Fail($"port {port}: a response to opaque {frame.Opaque}, which expects none (oneway or unknown)");
                        continue;
                    }

                    Check(request, frame);
                }
            }
        }
        finally
        {
            connection.Dispose();
        }
    }

    private void Check(FuzzRequest request, RemotingCommand response)
    {
        Count($"code {request.Code} -> {response.Code} {Shape(response.Remark)}");
        if (response.SerializeType != request.Type) Fail($"{request.What}: answered in {response.SerializeType}, asked in {request.Type}");
        switch (request.Expect)
        {
            case FuzzExpect.Refused when response.Code == ResponseCode.Success:
                Fail($"{request.What}: answered SUCCESS");
                break;
            case FuzzExpect.NotSupported when response.Code != ResponseCode.RequestCodeNotSupported:
                Fail($"{request.What}: answered {response.Code} {response.Remark}, not REQUEST_CODE_NOT_SUPPORTED");
                break;
        }
    }

    // One stream-breaking input per fresh connection, several connections at once; the server must close each.
    private async Task BrokenStreamsAsync(int port, int seed, int count)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var frames = new FuzzFrames(seed + worker, broker: true);
            while (Interlocked.Increment(ref next) < count)
            {
                var input = frames.NextStream(16 * 1024 * 1024);
                Interlocked.Increment(ref _inputs);
                using var connection = await RawConnection.OpenAsync(port);
                var written = await connection.WriteAsync(input.Bytes, frames.Random);
                if (input.Abort)
                {
                    connection.Abort();
                    Count("aborted after " + input.What);
                    continue;
                }

                if (!input.ServerCloses) connection.ShutdownSend();
                var answers = 0;
                try
                {
                    while (written && await connection.ReadFrameAsync(TimeSpan.FromSeconds(10)) is not null) answers++;
                    Count($"closed after {input.What}" + (answers > 0 ? " (answered the valid frames first)" : ""));
                }
                catch (TimeoutException)
                {
                    Fail($"port {port}: the server kept the connection open 10 s after {input.What} ({Convert.ToHexString(input.Bytes.AsSpan(0, Math.Min(24, input.Bytes.Length)))}...)");
                }
            }
        })));
    }

    private void Fail(string failure)
    {
        if (_failures.Count < 1_000) _failures.Enqueue(failure);
    }

    private void Count(string outcome) => _outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);

    // Remarks with their numbers and quoted values blanked, so the summary groups them.
    private static string Shape(string? remark)
    {
        if (remark is null) return "";
        var shape = Regex.Replace(remark, @"'[^']*'|\[[^\]]*\]|-?\d+|\{[^}]*\}", "#");
        shape = Regex.Replace(shape, @"[^\x20-\x7E]", "?");
        return shape.Length > 100 ? shape[..100] : shape;
    }
}
