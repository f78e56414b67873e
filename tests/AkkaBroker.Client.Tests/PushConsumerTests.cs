using System.Collections.Concurrent;
using AkkaBroker.Protocol.Json;
using AkkaBroker.TestKit;

namespace AkkaBroker.Client.Tests;

/// <summary>The push consumer against a real node: cluster and broadcast delivery, rebalance, retry, order, offsets.</summary>
public sealed class PushConsumerTests
{
    private const string Topics = "akkabroker.broker.topics = [ { name = \"Events\", read-queue-nums = 4, write-queue-nums = 4 } ]";
    private static readonly string[] FastDelays = [Topics, "akkabroker.store.message-delay-level = \"1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s\""];

    private static PushConsumerOptions Options(EmbeddedNode node, string group, string instance, MessageModel model = MessageModel.Clustering,
        string? offsetDir = null) => new()
    {
        NamesrvAddr = [node.NameServerAddress], ConsumerGroup = group, InstanceName = instance, MessageModel = model,
        ConsumeFromWhere = ConsumeFromWhere.ConsumeFromFirstOffset, RebalanceInterval = TimeSpan.FromSeconds(1),
        PersistConsumerOffsetInterval = TimeSpan.FromMilliseconds(500), BrokerSuspendMaxTime = TimeSpan.FromSeconds(2), LocalOffsetStoreDir = offsetDir,
    };

    private static async Task<List<SendResult>> SendAsync(EmbeddedNode node, int count, string prefix = "m", Func<int, string?>? keys = null)
    {
        await using var producer = new Producer(new ProducerOptions { NamesrvAddr = [node.NameServerAddress], ProducerGroup = "PG" });
        await producer.StartAsync();
        var results = new List<SendResult>();
        for (var i = 0; i < count; i++) results.Add(await producer.SendAsync(new Message("Events", $"{prefix}{i}") { Keys = keys?.Invoke(i) }));
        return results;
    }

    private static async Task WaitUntilAsync(Func<bool> done, int seconds = 20, string? what = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!done())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what ?? "the condition"}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Two_members_split_the_queues_receive_every_message_once_and_the_survivor_takes_over()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Topics);
        var received = new ConcurrentDictionary<string, string>();
        PushConsumer Member(string name)
        {
            var c = new PushConsumer(Options(node, "CG_SPLIT", name));
            c.Subscribe("Events");
            c.RegisterListener(batch =>
            {
                foreach (var m in batch) received[m.MsgId] = name;
                return Task.FromResult(ConsumeResult.Success);
            });
            return c;
        }

        await using var a = Member("a");
        await using var b = Member("b");
        await a.StartAsync();
        await b.StartAsync();
        await WaitUntilAsync(() => a.OwnedQueues.Count(q => q.Topic == "Events") == 2 && b.OwnedQueues.Count(q => q.Topic == "Events") == 2, what: "a 2/2 split");
        Assert.Empty(a.OwnedQueues.Intersect(b.OwnedQueues));

        var sent = await SendAsync(node, 100);
        await WaitUntilAsync(() => received.Count == 100, what: "100 messages");
        Assert.Equal(sent.Select(s => s.MsgId).Order(), received.Keys.Order());
        Assert.Equal(["a", "b"], received.Values.Distinct().Order());

        await b.ShutdownAsync();
        await WaitUntilAsync(() => a.OwnedQueues.Count(q => q.Topic == "Events") == 4, what: "the survivor owning all 4 queues");
        var more = await SendAsync(node, 20, "late");
        await WaitUntilAsync(() => more.All(s => received.ContainsKey(s.MsgId)), what: "late messages");
        Assert.All(more, s => Assert.Equal("a", received[s.MsgId]));
    }

    [Fact]
    public async Task Broadcast_members_each_get_every_message_and_keep_offsets_locally()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Topics);
        var dir = Directory.CreateTempSubdirectory("akkabroker-offsets-").FullName;
        var got = new ConcurrentDictionary<string, ConcurrentBag<string>>();
        PushConsumer Member(string name)
        {
            var c = new PushConsumer(Options(node, "CG_BCAST", name, MessageModel.Broadcasting, dir));
            c.Subscribe("Events");
            c.RegisterListener(batch =>
            {
                foreach (var m in batch) got.GetOrAdd(name, _ => []).Add(m.BodyText);
                return Task.FromResult(ConsumeResult.Success);
            });
            return c;
        }

        await using (var a = Member("a"))
        await using (var b = Member("b"))
        {
            await a.StartAsync();
            await b.StartAsync();
            await SendAsync(node, 30);
            await WaitUntilAsync(() => got.GetValueOrDefault("a")?.Count == 30 && got.GetValueOrDefault("b")?.Count == 30, what: "30 each");
        }

        Assert.NotEmpty(Directory.GetFiles(dir, "offsets.json", SearchOption.AllDirectories));
        // A restarted member resumes from its local offsets: nothing is delivered twice.
        got.Clear();
        await using (var again = Member("a"))
        {
            await again.StartAsync();
            await SendAsync(node, 5, "new");
            await WaitUntilAsync(() => got.GetValueOrDefault("a")?.Count >= 5, what: "the 5 new messages");
            await Task.Delay(500);
            Assert.Equal(5, got["a"].Count);
            Assert.All(got["a"], body => Assert.StartsWith("new", body));
        }

        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task A_failed_message_is_redelivered_through_the_retry_topic_with_a_higher_reconsume_count()
    {
        await using var node = await EmbeddedNode.StartAsync(null, FastDelays);
        var attempts = new ConcurrentQueue<(string Body, int Reconsume, string Topic)>();
        await using var consumer = new PushConsumer(Options(node, "CG_RETRY", "r"));
        consumer.Subscribe("Events");
        consumer.RegisterListener(batch =>
        {
            foreach (var m in batch) attempts.Enqueue((m.BodyText, m.ReconsumeTimes, m.Topic));
            return Task.FromResult(batch[0].ReconsumeTimes < 2 ? ConsumeResult.ReconsumeLater : ConsumeResult.Success);
        });
        await consumer.StartAsync();

        await SendAsync(node, 1, "fragile");
        await WaitUntilAsync(() => attempts.Count >= 3, 30, "three deliveries");

        Assert.Equal([0, 1, 2], attempts.Take(3).Select(a => a.Reconsume));
        Assert.All(attempts, a => Assert.Equal(("fragile0", "Events"), (a.Body, a.Topic)));
    }

    [Fact]
    public async Task An_orderly_consumer_sees_one_keys_messages_in_send_order()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Topics);
        var seen = new ConcurrentDictionary<string, ConcurrentQueue<int>>();
        await using var consumer = new PushConsumer(Options(node, "CG_ORDER", "o"));
        consumer.Subscribe("Events");
        var failedOnce = 0;
        consumer.RegisterOrderlyListener(batch =>
        {
            // One transient failure must not reorder anything: the same batch comes again.
            if (Interlocked.CompareExchange(ref failedOnce, 1, 0) == 0) return Task.FromResult(OrderlyConsumeResult.SuspendCurrentQueueAMoment);
            foreach (var m in batch) seen.GetOrAdd(m.Keys!, _ => new()).Enqueue(int.Parse(m.BodyText[1..]));
            return Task.FromResult(OrderlyConsumeResult.Success);
        });
        await consumer.StartAsync();

        await using (var producer = new Producer(new ProducerOptions { NamesrvAddr = [node.NameServerAddress], ProducerGroup = "PG" }))
        {
            await producer.StartAsync();
            MessageQueueRef ByKey(IReadOnlyList<MessageQueueRef> qs, Message m) => qs[m.Keys![^1] % qs.Count];
            for (var i = 0; i < 40; i++) await producer.SendAsync(new Message("Events", $"m{i}") { Keys = $"order-{i % 4}" }, ByKey);
        }

        await WaitUntilAsync(() => seen.Values.Sum(q => q.Count) == 40, what: "40 ordered messages");
        foreach (var (key, values) in seen)
        {
            var list = values.ToList();
            Assert.Equal(list.Order(), list);
            Assert.Equal(10, list.Count);
        }
    }

    [Fact]
    public async Task Orderly_consumption_keeps_per_key_order_across_a_consumer_restart()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Topics);
        var seen = new ConcurrentDictionary<string, ConcurrentQueue<int>>();
        PushConsumer Orderly()
        {
            var c = new PushConsumer(Options(node, "CG_ORDER_RESTART", "o"));
            c.Subscribe("Events");
            c.RegisterOrderlyListener(batch =>
            {
                foreach (var m in batch) seen.GetOrAdd(m.Keys!, _ => new()).Enqueue(int.Parse(m.BodyText[1..]));
                return Task.FromResult(OrderlyConsumeResult.Success);
            });
            return c;
        }

        await using var producer = new Producer(new ProducerOptions { NamesrvAddr = [node.NameServerAddress], ProducerGroup = "PG" });
        await producer.StartAsync();
        MessageQueueRef ByKey(IReadOnlyList<MessageQueueRef> qs, Message m) => qs[m.Keys![^1] % qs.Count];
        async Task SendRangeAsync(int from, int to)
        {
            for (var i = from; i < to; i++) await producer.SendAsync(new Message("Events", $"m{i}") { Keys = $"order-{i % 4}" }, ByKey);
        }

        await using (var first = Orderly())
        {
            await first.StartAsync();
            await SendRangeAsync(0, 20);
            await WaitUntilAsync(() => seen.Values.Sum(q => q.Count) == 20, what: "the first 20");
        }

        // Sent while no consumer runs: the next one resumes each queue from its committed offset, in order.
        await SendRangeAsync(20, 40);
        await using (var second = Orderly())
        {
            await second.StartAsync();
            await WaitUntilAsync(() => seen.Values.Sum(q => q.Count) == 40, what: "all 40");
        }

        foreach (var values in seen.Values)
        {
            var list = values.ToList();
            Assert.Equal(10, list.Count);
            Assert.Equal(list.Order(), list);
        }
    }

    [Fact]
    public async Task Committed_offsets_survive_a_consumer_restart_and_a_broker_restart()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Topics);
        var first = new ConcurrentBag<string>();
        await using (var c = new PushConsumer(Options(node, "CG_RESUME", "x")))
        {
            c.Subscribe("Events");
            c.RegisterListener(batch =>
            {
                foreach (var m in batch) first.Add(m.BodyText);
                return Task.FromResult(ConsumeResult.Success);
            });
            await c.StartAsync();
            await SendAsync(node, 20, "old");
            await WaitUntilAsync(() => first.Count == 20, what: "20 old messages");
        }

        await node.RestartAsync();
        await SendAsync(node, 5, "new");
        var second = new ConcurrentBag<string>();
        await using (var c = new PushConsumer(Options(node, "CG_RESUME", "x")))
        {
            c.Subscribe("Events");
            c.RegisterListener(batch =>
            {
                foreach (var m in batch) second.Add(m.BodyText);
                return Task.FromResult(ConsumeResult.Success);
            });
            await c.StartAsync();
            await WaitUntilAsync(() => second.Count >= 5, what: "5 new messages");
            await Task.Delay(500);
        }

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"new{i}").Order(), second.Order());
    }

    [Fact]
    public void Allocation_strategies_give_every_queue_to_exactly_one_member()
    {
        var queues = Enumerable.Range(0, 10).Select(i => new MessageQueueRef("T", i < 5 ? "a" : "b", i % 5)).ToList();
        string[] members = ["c1", "c2", "c3"];
        foreach (var strategy in Enum.GetValues<AllocateStrategy>())
        {
            var owned = members.SelectMany(m => QueueAllocation.Allocate(strategy, m, members, queues)).ToList();
            Assert.Equal(queues.Count, owned.Count);
            Assert.Equal(queues.Order(Comparer<MessageQueueRef>.Create((x, y) => string.CompareOrdinal(x.ToString(), y.ToString()))),
                owned.Order(Comparer<MessageQueueRef>.Create((x, y) => string.CompareOrdinal(x.ToString(), y.ToString()))));
        }

        // Average: contiguous blocks of 4, 3, 3.
        Assert.Equal(4, QueueAllocation.Allocate(AllocateStrategy.Average, "c1", members, queues).Count);
        Assert.Equal(3, QueueAllocation.Allocate(AllocateStrategy.Average, "c3", members, queues).Count);
    }
}
