using System.IO.Compression;
using System.Text;
using AkkaBroker.Hosting;
using AkkaBroker.Protocol;
using AkkaBroker.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace AkkaBroker.Client.Tests;

/// <summary>The producer against real nodes on loopback.</summary>
public sealed class ProducerTests
{
    private const string Orders = "akkabroker.broker.topics = [ { name = \"Orders\", read-queue-nums = 4, write-queue-nums = 4 } ]";

    private static ProducerOptions Options(EmbeddedNode node, bool faults = false) =>
        new() { NamesrvAddr = [node.NameServerAddress], ProducerGroup = "PG_TEST", SendLatencyFaultEnable = faults };

    [Fact]
    public async Task Sends_go_round_robin_over_the_queues_and_return_the_brokers_offset_msgId()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Orders);
        await using var producer = new Producer(Options(node));
        await producer.StartAsync();

        var results = new List<SendResult>();
        for (var i = 0; i < 8; i++) results.Add(await producer.SendAsync(new Message("Orders", $"m{i}") { Tags = "TagA", Keys = $"k{i}" }));

        Assert.All(results, r => Assert.Equal(SendStatus.SendOk, r.Status));
        Assert.Equal(4, results.Select(r => r.Queue.QueueId).Distinct().Count());
        // Each queue got two messages, at offsets 0 and 1.
        Assert.All(results.GroupBy(r => r.Queue.QueueId), g => Assert.Equal([0L, 1L], g.Select(r => r.QueueOffset).Order()));
        Assert.True(MessageId.TryDecodeOffsetId(results[0].MsgId, out var host, out _));
        Assert.Equal(node.BrokerPort, host.Port);
    }

    [Fact]
    public async Task Every_message_gets_a_client_side_unique_key_the_broker_indexes()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Orders);
        await using var producer = new Producer(Options(node));
        await producer.StartAsync();

        var first = new Message("Orders", "one");
        var second = new Message("Orders", "two");
        await producer.SendAsync(first);
        await producer.SendAsync(second);

        Assert.Matches("^[0-9A-F]{32}$", first.UniqueKey);
        Assert.NotEqual(first.UniqueKey, second.UniqueKey);
        var store = node.Node.Store!;
        Assert.True(await EventuallyAsync(() => store.DispatchedOffset == store.MaxPhysicalOffset));
        var found = new System.Buffers.ArrayBufferWriter<byte>();
        Assert.Equal(1, store.QueryByKey("Orders", second.UniqueKey!, 32, 0, long.MaxValue, found));
        Assert.Equal(RecordReadStatus.Ok, MessageRecord.TryRead(found.WrittenSpan, checkCrc: true, out var record));
        Assert.Equal("two", Encoding.UTF8.GetString(record.Body));
    }

    [Fact]
    public async Task A_selector_keeps_one_keys_messages_in_one_queue_in_order()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Orders);
        await using var producer = new Producer(Options(node));
        await producer.StartAsync();

        MessageQueueRef ByOrder(IReadOnlyList<MessageQueueRef> queues, Message m) => queues[Math.Abs(m.Keys!.GetHashCode(StringComparison.Ordinal)) % queues.Count];
        var results = new List<SendResult>();
        for (var i = 0; i < 6; i++) results.Add(await producer.SendAsync(new Message("Orders", $"step{i}") { Keys = "order-42" }, ByOrder));

        Assert.Single(results.Select(r => r.Queue.QueueId).Distinct());
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (long)i), results.Select(r => r.QueueOffset));
    }

    [Fact]
    public async Task An_unknown_topic_is_created_through_TBW102_and_then_routed()
    {
        await using var node = await EmbeddedNode.StartAsync(null);
        await using var producer = new Producer(Options(node));
        await producer.StartAsync();

        var result = await producer.SendAsync(new Message("FreshTopic", "first"));

        Assert.Equal(SendStatus.SendOk, result.Status);
        Assert.NotNull(node.Node.Broker!.Topics.Find("FreshTopic"));
        Assert.Equal(4, node.Node.Broker.Topics.Find("FreshTopic")!.WriteQueueNums);
    }

    [Fact]
    public async Task Large_bodies_are_deflated_and_flagged_so_consumers_can_inflate_them()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Orders);
        await using var producer = new Producer(Options(node));
        await producer.StartAsync();
        var text = string.Concat(Enumerable.Repeat("compressible text ", 1000));

        var result = await producer.SendAsync(new Message("Orders", text));

        Assert.True(MessageId.TryDecodeOffsetId(result.MsgId, out _, out var offset));
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        Assert.True(await EventuallyAsync(() => node.Node.Store!.LookUpByPhysicalOffset(offset, buffer)));
        Assert.Equal(RecordReadStatus.Ok, MessageRecord.TryRead(buffer.WrittenSpan, checkCrc: true, out var record));
        Assert.NotEqual(0, record.SysFlag & MessageSysFlag.Compressed);
        Assert.True(record.Body.Length < text.Length / 4);
        using var inflate = new ZLibStream(new MemoryStream(record.Body.ToArray()), CompressionMode.Decompress);
        Assert.Equal(text, new StreamReader(inflate, Encoding.UTF8).ReadToEnd());
    }

    [Fact]
    public async Task Concurrent_batches_store_every_body_intact_though_their_buffers_are_pooled()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Orders);
        await using var producer = new Producer(Options(node));
        await producer.StartAsync();

        var sent = await Task.WhenAll(Enumerable.Range(0, 6).Select(t => Task.Run(async () =>
        {
            var batches = new List<(SendResult Result, string[] Bodies)>();
            for (var b = 0; b < 5; b++)
            {
                var bodies = Enumerable.Range(0, 10).Select(i => $"t{t}-b{b}-m{i}-" + new string((char)('a' + (t + b + i) % 26), 50 * (t + b + i + 1))).ToArray();
                batches.Add((await producer.SendBatchAsync([.. bodies.Select(body => new Message("Orders", body))]), bodies));
            }

            return batches;
        })));

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        foreach (var (result, bodies) in sent.SelectMany(batches => batches))
        {
            var ids = result.MsgId.Split(',');
            Assert.Equal(bodies.Length, ids.Length);
            for (var i = 0; i < ids.Length; i++)
            {
                Assert.True(MessageId.TryDecodeOffsetId(ids[i], out _, out var offset));
                buffer.ResetWrittenCount();
                Assert.True(await EventuallyAsync(() => node.Node.Store!.LookUpByPhysicalOffset(offset, buffer)));
                Assert.Equal(RecordReadStatus.Ok, MessageRecord.TryRead(buffer.WrittenSpan, checkCrc: true, out var record));
                Assert.Equal(bodies[i], Encoding.UTF8.GetString(record.Body));
            }
        }
    }

    [Fact]
    public async Task A_batch_lands_in_one_queue_with_consecutive_offsets()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Orders);
        await using var producer = new Producer(Options(node));
        await producer.StartAsync();

        var result = await producer.SendBatchAsync([.. Enumerable.Range(0, 5).Select(i => new Message("Orders", $"b{i}") { Keys = $"bk{i}" })]);

        Assert.Equal(SendStatus.SendOk, result.Status);
        Assert.Equal(5, result.MsgId.Split(',').Length);
        Assert.Equal(0, result.QueueOffset);
        Assert.Equal(5, await EventuallyValueAsync(() => node.Node.Store!.GetMaxOffset("Orders", result.Queue.QueueId), 5));
    }

    [Fact]
    public async Task Invalid_messages_fail_before_sending_and_a_missing_topic_fails_clearly()
    {
        await using var node = await EmbeddedNode.StartAsync(null, "akkabroker.broker.auto-create-topic-enable = false");
        await using var producer = new Producer(Options(node) );
        await producer.StartAsync();

        // As a faulted task, not a throw at the call: callers that collect tasks first see it where they await.
        var invalid = producer.SendAsync(new Message("bad topic!", "x"));
        await Assert.ThrowsAsync<ArgumentException>(() => invalid);
        await Assert.ThrowsAsync<ArgumentException>(() => producer.SendAsync(new Message("Orders", ReadOnlyMemory<byte>.Empty)));
        await Assert.ThrowsAsync<ArgumentException>(() => producer.SendAsync(new Message("Orders", new byte[5 * 1024 * 1024])));
        var missing = await Assert.ThrowsAsync<MQClientException>(() => producer.SendAsync(new Message("NoSuchTopic", "x")));
        Assert.Contains("NoSuchTopic", missing.Message);
    }

    [Fact]
    public async Task A_stopped_broker_of_two_is_avoided_after_one_failure()
    {
        const string shared = "akkabroker.broker.topics = [ { name = \"Spread\", read-queue-nums = 2, write-queue-nums = 2 } ]";
        await using var a = await EmbeddedNode.StartAsync(null, shared);
        var bRoot = Directory.CreateTempSubdirectory("akkabroker-b-").FullName;
        var bPort = FreePorts.Next();
        var b = await AkkaBrokerNode.StartAsync(NodeConfig.Load(null,
        [
            "akkabroker.roles = [broker]", "akkabroker.broker.broker-name = broker-b", $"akkabroker.broker.listen-port = {bPort}",
            $"akkabroker.broker.namesrv-addr = \"{a.NameServerAddress}\"", $"akkabroker.store.store-path-root-dir = \"{bRoot}\"",
            "akkabroker.store.mapped-file-size-commit-log = 16m", shared,
        ]), NullLoggerFactory.Instance);
        try
        {
            await using var producer = new Producer(Options(a, faults: true));
            await producer.StartAsync();
            // Both brokers take sends while both run.
            var before = new List<SendResult>();
            for (var i = 0; i < 8; i++) before.Add(await producer.SendAsync(new Message("Spread", $"x{i}")));
            Assert.Equal(["broker-a", "broker-b"], before.Select(r => r.Queue.BrokerName).Distinct().Order());

            await b.StopAsync(TimeSpan.FromSeconds(30));
            var after = new List<SendResult>();
            for (var i = 0; i < 10; i++) after.Add(await producer.SendAsync(new Message("Spread", $"y{i}")));

            Assert.All(after, r => Assert.Equal("broker-a", r.Queue.BrokerName));
            Assert.False(producer.Faults.IsAvailable("broker-b"), "the failed broker is avoided");
        }
        finally
        {
            await b.StopAsync(TimeSpan.FromSeconds(30));
            Directory.Delete(bRoot, recursive: true);
        }
    }

    [Theory]
    [InlineData(10, 0)]
    [InlineData(100, 0)]
    [InlineData(600, 30)]
    [InlineData(2500, 120)]
    [InlineData(30000, 600)]
    public void Latency_buckets_map_to_RocketMQs_avoidance_times(int latencyMs, int avoidSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(avoidSeconds), LatencyFaultTolerance.AvoidFor(TimeSpan.FromMilliseconds(latencyMs)));

    private static async Task<bool> EventuallyAsync(Func<bool> probe)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!probe())
        {
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(10);
        }

        return true;
    }

    private static async Task<long> EventuallyValueAsync(Func<long> probe, long wanted)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        long value;
        while ((value = probe()) != wanted && DateTime.UtcNow < deadline) await Task.Delay(10);
        return value;
    }
}
