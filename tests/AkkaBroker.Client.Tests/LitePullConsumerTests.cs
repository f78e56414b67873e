using AkkaBroker.Protocol.Json;
using AkkaBroker.TestKit;

namespace AkkaBroker.Client.Tests;

/// <summary>The lite pull consumer: assign or subscribe, poll, seek, pause and resume, commit.</summary>
public sealed class LitePullConsumerTests
{
    private const string Topics = "akkabroker.broker.topics = [ { name = \"Pulled\", read-queue-nums = 2, write-queue-nums = 2 } ]";

    private static async Task<List<SendResult>> SendAsync(EmbeddedNode node, int count, int queue)
    {
        await using var producer = new Producer(new ProducerOptions { NamesrvAddr = [node.NameServerAddress], ProducerGroup = "PG" });
        await producer.StartAsync();
        var results = new List<SendResult>();
        for (var i = 0; i < count; i++) results.Add(await producer.SendAsync(new Message("Pulled", $"q{queue}-{i}") { Tags = i % 2 == 0 ? "even" : "odd" }, (qs, _) => qs[queue]));
        return results;
    }

    private static LitePullConsumerOptions Options(EmbeddedNode node, string group) => new()
    {
        NamesrvAddr = [node.NameServerAddress], ConsumerGroup = group, ConsumeFromWhere = ConsumeFromWhere.ConsumeFromFirstOffset,
    };

    private static async Task<List<string>> PollAllAsync(LitePullConsumer consumer, int wanted)
    {
        var bodies = new List<string>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (bodies.Count < wanted && DateTime.UtcNow < deadline) bodies.AddRange((await consumer.PollAsync(TimeSpan.FromSeconds(1))).Select(m => m.BodyText));
        return bodies;
    }

    [Fact]
    public async Task Assigned_queues_are_polled_in_order_and_seek_pause_resume_and_commit_steer_them()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Topics);
        await SendAsync(node, 10, 0);
        await SendAsync(node, 10, 1);
        await using var consumer = new LitePullConsumer(Options(node, "LPC_ASSIGN"));
        await consumer.StartAsync();
        var queues = await consumer.FetchQueuesAsync("Pulled");
        Assert.Equal(2, queues.Count);
        consumer.Assign(queues);

        consumer.Pause([queues[1]]);
        var first = await PollAllAsync(consumer, 10);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"q0-{i}"), first);
        Assert.Empty(await consumer.PollAsync(TimeSpan.FromMilliseconds(300)));

        consumer.Resume([queues[1]]);
        consumer.Seek(queues[0], 8);
        var rest = await PollAllAsync(consumer, 12);
        Assert.Equal(["q0-8", "q0-9"], rest.Where(b => b.StartsWith("q0", StringComparison.Ordinal)));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"q1-{i}"), rest.Where(b => b.StartsWith("q1", StringComparison.Ordinal)));

        await consumer.CommitAsync();
        Assert.Equal(10, await consumer.CommittedAsync(queues[0]));
        Assert.Equal(10, await consumer.CommittedAsync(queues[1]));
    }

    [Fact]
    public async Task A_subscribing_consumer_takes_the_group_queues_filters_tags_and_resumes_from_its_commit()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Topics);
        await SendAsync(node, 6, 0);
        await using (var consumer = new LitePullConsumer(Options(node, "LPC_SUB")))
        {
            consumer.Subscribe("Pulled", "even");
            await consumer.StartAsync();
            Assert.Equal(2, consumer.Assignment.Count);
            Assert.Equal(["q0-0", "q0-2", "q0-4"], await PollAllAsync(consumer, 3));
            await consumer.CommitAsync();
        }

        await SendAsync(node, 2, 0);
        await using var again = new LitePullConsumer(Options(node, "LPC_SUB"));
        again.Subscribe("Pulled", "*");
        await again.StartAsync();
        Assert.Equal(["q0-0", "q0-1"], await PollAllAsync(again, 2));
    }
}
