using System.Diagnostics;
using AkkaBroker.Protocol;
using AkkaBroker.Protocol.Remoting;

namespace AkkaBroker.Broker.Tests;

/// <summary>Send and pull over the wire against a whole node, as a RocketMQ client does them.</summary>
public sealed class SendPullWireTests
{
    private const string Topics = "akkabroker.broker.topics = [ { name = \"Orders\", read-queue-nums = 4, write-queue-nums = 4 } ]";

    [Fact]
    public async Task A_sent_message_is_routed_stored_and_pulled_with_its_offset_msgId()
    {
        await using var node = await WireNode.StartAsync(null, Topics);
        var route = await node.RouteAsync("Orders");
        Assert.NotNull(route);
        var queueData = Assert.Single(route.QueueDatas);
        Assert.Equal(4, queueData.WriteQueueNums);
        Assert.Equal(node.BrokerAddress, Assert.Single(route.BrokerDatas).BrokerAddrs[0]);

        var sent = await node.SendAsync("Orders", "hello", queueId: 2, tags: "TagA", keys: "k1");
        Assert.Equal(ResponseCode.Success, sent.Code);
        var header = sent.ReadHeader<SendMessageResponseHeader>(out var error);
        Assert.NotNull(header);
        Assert.Null(error);
        Assert.Equal(2, header.QueueId);
        Assert.Equal(0, header.QueueOffset);

        // The Dispatcher indexes the message just after the send's answer: a held pull covers that gap.
        var pulled = await node.PullAsync("CG", "Orders", 2, 0, suspendMillis: 5_000);
        Assert.Equal(ResponseCode.Success, pulled.Code);
        var pullHeader = pulled.ReadHeader<PullMessageResponseHeader>(out _);
        Assert.NotNull(pullHeader);
        Assert.Equal(1, pullHeader.NextBeginOffset);
        Assert.Equal(0, pullHeader.MinOffset);
        Assert.Equal(1, pullHeader.MaxOffset);
        Assert.Equal(RecordReadStatus.Ok, MessageRecord.TryRead(pulled.Body.Span, checkCrc: true, out var record));
        Assert.Equal("hello", System.Text.Encoding.UTF8.GetString(record.Body));
        // ali-ons compares the send's msgId with the offset msgId it computes from the pulled record.
        Assert.Equal(header.MsgId, MessageId.CreateOffsetId(record.StoreHost, record.PhysicalOffset));
    }

    [Fact]
    public async Task A_held_pull_is_answered_as_soon_as_a_message_arrives()
    {
        await using var node = await WireNode.StartAsync(null, Topics);
        var pull = node.PullAsync("CG", "Orders", 1, 0, suspendMillis: 15_000);
        await Task.Delay(300);
        Assert.False(pull.IsCompleted, "an empty queue holds the pull");

        var clock = Stopwatch.StartNew();
        Assert.Equal(ResponseCode.Success, (await node.SendAsync("Orders", "wake up", queueId: 1)).Code);
        var response = await pull.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(ResponseCode.Success, response.Code);
        Assert.True(clock.ElapsedMilliseconds < 2_000, $"woken after {clock.ElapsedMilliseconds} ms");
        Assert.Equal(["wake up"], StoreTestExtensions.Bodies(response.Body.Span));
    }

    [Fact]
    public async Task A_held_pull_with_no_message_ends_after_its_suspend_time_with_not_found()
    {
        await using var node = await WireNode.StartAsync(null, Topics);
        var clock = Stopwatch.StartNew();
        var response = await node.PullAsync("CG", "Orders", 0, 0, suspendMillis: 600);

        Assert.Equal(ResponseCode.PullNotFound, response.Code);
        Assert.InRange(clock.ElapsedMilliseconds, 550, 5_000);
        var header = response.ReadHeader<PullMessageResponseHeader>(out _);
        Assert.NotNull(header);
        Assert.Equal(0, header.NextBeginOffset);
    }

    [Fact]
    public async Task Concurrent_sends_of_different_sizes_all_read_back_intact_though_their_buffers_are_reused()
    {
        // Send bodies arrive in pooled buffers that go back to the pool when the put is answered: a buffer handed
        // back too early would be overwritten by a later frame and stored as another message's bytes.
        await using var node = await WireNode.StartAsync(null, Topics);
        var sent = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            var random = new Random(t);
            for (var i = 0; i < 150; i++)
            {
                var body = $"t{t}-m{i}-" + new string((char)('a' + random.Next(26)), random.Next(1, 6000));
                if (i % 10 == 9)
                {
                    // Refused before the store: the buffer still goes back, and must not disturb the others.
                    Assert.Equal(ResponseCode.SystemError, (await node.SendAsync("Orders", body, queueId: 99)).Code);
                    continue;
                }

                Assert.Equal(ResponseCode.Success, (await node.SendAsync("Orders", body, queueId: i % 4)).Code);
                sent.Add(body);
            }
        })));

        var store = node.Node.Store!;
        await StoreTestExtensions.EventuallyAsync(() => Enumerable.Range(0, 4).Sum(q => store.GetMaxOffset("Orders", q)), n => n == sent.Count);
        var read = new List<string>();
        for (var queue = 0; queue < 4; queue++) read.AddRange(store.ReadQueue("Orders", queue, store.GetMaxOffset("Orders", queue)));

        Assert.Equal(sent.Order(StringComparer.Ordinal), read.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Unknown_topics_bad_queues_bad_names_and_oversized_bodies_get_clear_codes()
    {
        await using var node = await WireNode.StartAsync(null, Topics, "akkabroker.broker.auto-create-topic-enable = false");

        var unknown = await node.SendAsync("NoSuchTopic", "x");
        Assert.Equal(ResponseCode.TopicNotExist, unknown.Code);
        Assert.Contains("NoSuchTopic", unknown.Remark);
        Assert.Null(await node.RouteAsync("NoSuchTopic"));

        var badQueue = await node.SendAsync("Orders", "x", queueId: 99);
        Assert.Equal(ResponseCode.SystemError, badQueue.Code);
        Assert.Contains("queueId[99]", badQueue.Remark);

        var badName = await node.SendAsync("bad topic!", "x");
        Assert.Equal(ResponseCode.SystemError, badName.Code);
        Assert.Contains("bad topic!", badName.Remark);

        var oversized = await node.SendAsync("Orders", new string('x', 40 * 1024));
        Assert.Equal(ResponseCode.MessageIllegal, oversized.Code);

        var pullUnknown = await node.PullAsync("CG", "NoSuchTopic", 0, 0);
        Assert.Equal(ResponseCode.TopicNotExist, pullUnknown.Code);

        var badGroup = await node.PullAsync("bad group!", "Orders", 0, 0);
        Assert.Equal(ResponseCode.SubscriptionGroupNotExist, badGroup.Code);
    }

    [Fact]
    public async Task Pulls_past_the_end_or_before_the_start_are_told_where_to_go()
    {
        await using var node = await WireNode.StartAsync(null, Topics);
        for (var i = 0; i < 3; i++) Assert.Equal(ResponseCode.Success, (await node.SendAsync("Orders", $"m{i}", queueId: 3)).Code);
        // A held pull may wake at the first of the three; wait until all are dispatched.
        Assert.Equal(3, await StoreTestExtensions.EventuallyAsync(() => node.Node.Store!.GetMaxOffset("Orders", 3), v => v == 3));

        var atEnd = await node.PullAsync("CG", "Orders", 3, 3);
        Assert.Equal(ResponseCode.PullNotFound, atEnd.Code);

        var farBeyond = await node.PullAsync("CG", "Orders", 3, 100);
        Assert.Equal(ResponseCode.PullOffsetMoved, farBeyond.Code);
        // RocketMQ's rule: past the end with the queue still starting at 0, start over from 0.
        Assert.Equal(0, farBeyond.ReadHeader<PullMessageResponseHeader>(out _)!.NextBeginOffset);

        var filtered = await node.PullAsync("CG", "Orders", 3, 0, subscription: "NoSuchTag");
        Assert.Equal(ResponseCode.PullRetryImmediately, filtered.Code);
        Assert.Equal(3, filtered.ReadHeader<PullMessageResponseHeader>(out _)!.NextBeginOffset);
    }
}
