using System.Diagnostics;
using AkkaBroker.Protocol;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Store.Config;
using static AkkaBroker.Broker.Tests.WireRecords;

namespace AkkaBroker.Broker.Tests;

/// <summary>
/// Delayed messages, consumer send-back into the retry topic and dead letters over the wire (reference §4.8), with
/// short delay levels so the flows take seconds: level 1 = 1 s, 2 = 2 s, 6 = 6 s, every other level 1 s.
/// </summary>
public sealed class RetryDelayWireTests
{
    private const string Topics = "akkabroker.broker.topics = [ { name = \"Orders\", read-queue-nums = 4, write-queue-nums = 4 } ]";
    private const string Levels = "akkabroker.store.message-delay-level = \"1s 2s 1s 1s 1s 6s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s\"";
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task A_delayed_message_is_pullable_only_after_its_levels_delay_and_without_its_schedule_properties()
    {
        await using var node = await WireNode.StartAsync(null, Topics, Levels);
        var clock = Stopwatch.StartNew();
        var sent = await node.SendAsync("Orders", "later", queueId: 2, tags: "TagD", properties: [new(MessageProperties.DelayLevel, "2")]);
        Assert.Equal(ResponseCode.Success, sent.Code);
        Assert.Equal(2, sent.ReadHeader<SendMessageResponseHeader>(out _)!.QueueId);

        // It waits in SCHEDULE_TOPIC_XXXX queue level-1, not in its topic.
        Assert.True(await EventuallyAsync(async () =>
            OffsetOf(await node.BrokerAsync(Request(RequestCode.GetMaxOffset, new TopicQueueRequestHeader("SCHEDULE_TOPIC_XXXX", 1)))) == 1, Soon));
        var early = await node.PullAsync("CG", "Orders", 2, 0);
        if (clock.ElapsedMilliseconds < 1_900) Assert.Equal(ResponseCode.PullNotFound, early.Code); // else the machine stalled: the bound below still holds

        var records = await PullUntilAsync(node, "CG", "Orders", 2, 0, Soon);
        var elapsed = clock.ElapsedMilliseconds;
        var record = Assert.Single(records);
        Assert.InRange(elapsed, 1_950, 2_000 + 3_000);
        Assert.Equal("later", record.Body);
        Assert.Equal("Orders", record.Topic);
        Assert.Equal(2, record.QueueId);
        Assert.Equal(0, record.QueueOffset);
        Assert.Equal("TagD", record.Properties[MessageProperties.Tags]);
        Assert.DoesNotContain(MessageProperties.DelayLevel, record.Properties.Keys);
        Assert.True(record.StoreTimestamp - record.BornTimestamp >= 2_000, "stored again once due");

        // A level beyond the last is clamped to the last (18): queue 17.
        var far = await node.SendAsync("Orders", "far", queueId: 1, properties: [new(MessageProperties.DelayLevel, "99")]);
        Assert.Equal(ResponseCode.Success, far.Code);
        Assert.True(await EventuallyAsync(async () =>
            OffsetOf(await node.BrokerAsync(Request(RequestCode.GetMaxOffset, new TopicQueueRequestHeader("SCHEDULE_TOPIC_XXXX", 17)))) == 1, Soon));
    }

    [Fact]
    public async Task A_delayed_message_sent_while_the_scheduler_idles_is_still_delivered_on_time()
    {
        await using var node = await WireNode.StartAsync(null, Topics, Levels);
        // Nothing waits: the scheduler looks once a second (the shortest level) instead of every 100 ms.
        await Task.Delay(2_500);

        var clock = Stopwatch.StartNew();
        Assert.Equal(ResponseCode.Success, (await node.SendAsync("Orders", "after a quiet spell", queueId: 3, properties: [new(MessageProperties.DelayLevel, "1")])).Code);
        var records = await PullUntilAsync(node, "CG", "Orders", 3, 0, Soon);

        Assert.Equal("after a quiet spell", Assert.Single(records).Body);
        // Seen within a second of its arrival, so delivered when due (with the other tests' slack for a busy machine).
        Assert.InRange(clock.ElapsedMilliseconds, 950, 1_000 + 3_000);
    }

    [Theory]
    [InlineData(long.MaxValue, 1000, 1000)] // nothing waits: the idle look
    [InlineData(10_350, 1000, 350)] // until the earliest waiting message is due
    [InlineData(10_020, 1000, 100)] // but never sooner than 100 ms
    [InlineData(9_000, 1000, 100)] // overdue (left for this tick): soon
    [InlineData(10_000 + 7_200_000, 1000, 1000)] // two hours off: still the idle look, for messages stored meanwhile
    [InlineData(10_900, 500, 500)] // the idle look is the cap
    public void The_scheduler_waits_until_the_next_message_is_due_within_its_bounds(long nextDue, int idleMs, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Delay.ScheduleService.NextWait(nextDue, 10_000, TimeSpan.FromMilliseconds(idleMs)));
    }

    [Theory]
    [InlineData("1s 5s 10s 30s", 1000)]
    [InlineData("2s 5s", 1000)]
    [InlineData("500ms 2s", 500)]
    [InlineData("10ms", 100)]
    public void The_idle_look_is_at_most_the_shortest_level_so_a_new_message_is_never_seen_after_it_is_due(string levels, int expectedMs)
    {
        var parsed = levels.Split(' ').Select(l => l.EndsWith("ms") ? TimeSpan.FromMilliseconds(int.Parse(l[..^2])) : TimeSpan.FromSeconds(int.Parse(l[..^1]))).ToList();
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Delay.ScheduleService.IdleWait(parsed));
    }

    [Fact]
    public async Task Delay_progress_survives_a_restart_and_each_message_is_delivered_exactly_once()
    {
        using var dir = new StoreDir();
        var node = await WireNode.StartAsync(dir, Topics, Levels);
        try
        {
            var file = Path.Combine(dir.Path, "config", DelayOffsetTable.FileName);
            Assert.Equal(ResponseCode.Success, (await node.SendAsync("Orders", "soon", queueId: 0, properties: [new(MessageProperties.DelayLevel, "1")])).Code);
            Assert.Equal("soon", Assert.Single(await PullUntilAsync(node, "CG", "Orders", 0, 0, Soon)).Body);
            Assert.True(await EventuallyAsync(() => Task.FromResult(ConfigJson.Load<DelayOffsetTable>(file).Value.Offsets.GetValueOrDefault(1) == 1), Soon),
                "delayOffset.json records level 1's progress");

            var clock = Stopwatch.StartNew();
            Assert.Equal(ResponseCode.Success, (await node.SendAsync("Orders", "after restart", queueId: 1, properties: [new(MessageProperties.DelayLevel, "6")])).Code);
            await node.RestartAsync();
            Assert.True(clock.ElapsedMilliseconds < 5_500, $"the restart took {clock.ElapsedMilliseconds} ms; the message was due at 6 s");
            Assert.True(File.Exists(file));

            var records = await PullUntilAsync(node, "CG", "Orders", 1, 0, Soon);
            Assert.Equal("after restart", Assert.Single(records).Body);
            Assert.InRange(clock.ElapsedMilliseconds, 5_950, 6_000 + 5_000);
            Assert.True(await EventuallyAsync(() => Task.FromResult(ConfigJson.Load<DelayOffsetTable>(file).Value.Offsets.GetValueOrDefault(6) == 1), Soon));

            // Exactly once: nothing more arrives in either queue (the scheduler has ticked many times since the restart).
            Assert.Equal(ResponseCode.PullNotFound, (await node.PullAsync("CG", "Orders", 1, 1, suspendMillis: 1_200)).Code);
            Assert.Equal(1, OffsetOf(await node.BrokerAsync(Request(RequestCode.GetMaxOffset, new TopicQueueRequestHeader("Orders", 0)))));
            Assert.Equal(1, OffsetOf(await node.BrokerAsync(Request(RequestCode.GetMaxOffset, new TopicQueueRequestHeader("Orders", 1)))));
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_message_sent_back_reappears_in_the_groups_retry_topic_after_the_retry_delay()
    {
        await using var node = await WireNode.StartAsync(null, Topics, Levels);
        var original = await SendAndPullAsync(node, "to retry", 1);

        var clock = Stopwatch.StartNew();
        var back = await node.BrokerAsync(Request(RequestCode.ConsumerSendMsgBack, new ConsumerSendMsgBackRequestHeader(original.PhysicalOffset, "CG", 0, MaxReconsumeTimes: 16)));
        Assert.True(back.Code == ResponseCode.Success, back.Remark);

        var retry = Assert.Single(await PullUntilAsync(node, "CG", "%RETRY%CG", 0, 0, Soon));
        Assert.InRange(clock.ElapsedMilliseconds, 950, 1_000 + 4_000); // level 3 + reconsumeTimes 0 = level 3 (1 s here)
        Assert.Equal("%RETRY%CG", retry.Topic);
        Assert.Equal("to retry", retry.Body);
        Assert.Equal(1, retry.ReconsumeTimes);
        Assert.Equal(original.BornTimestamp, retry.BornTimestamp);
        Assert.Equal("Orders", retry.Properties[MessageProperties.RetryTopic]);
        Assert.Equal(original.OffsetMsgId, retry.Properties[MessageProperties.OriginMessageId]);
        Assert.Equal("1", retry.Properties[MessageProperties.ReconsumeTime]);
        Assert.Equal("TagR", retry.Properties[MessageProperties.Tags]);
        Assert.DoesNotContain(MessageProperties.DelayLevel, retry.Properties.Keys);

        // An unknown offset is refused, and nothing is stored.
        var bad = await node.BrokerAsync(Request(RequestCode.ConsumerSendMsgBack, new ConsumerSendMsgBackRequestHeader(987_654_321, "CG", 0)));
        Assert.Equal(ResponseCode.SystemError, bad.Code);
        Assert.Equal(1, OffsetOf(await node.BrokerAsync(Request(RequestCode.GetMaxOffset, new TopicQueueRequestHeader("%RETRY%CG", 0)))));
    }

    [Fact]
    public async Task Send_backs_past_the_reconsume_limit_go_to_the_readable_dead_letter_topic()
    {
        await using var node = await WireNode.StartAsync(null, Topics, Levels);
        var original = await SendAndPullAsync(node, "doomed", 3);

        // maxReconsumeTimes 2: the original (0) and the first retry (1) go to the retry topic, the second retry (2) dies.
        var current = original;
        for (var retryOffset = 0; retryOffset < 2; retryOffset++)
        {
            var back = await node.BrokerAsync(Request(RequestCode.ConsumerSendMsgBack, new ConsumerSendMsgBackRequestHeader(current.PhysicalOffset, "CG", 0, MaxReconsumeTimes: 2)));
            Assert.True(back.Code == ResponseCode.Success, back.Remark);
            current = Assert.Single(await PullUntilAsync(node, "CG", "%RETRY%CG", 0, retryOffset, Soon));
            Assert.Equal(retryOffset + 1, current.ReconsumeTimes);
            Assert.Equal(original.OffsetMsgId, current.Properties[MessageProperties.OriginMessageId]);
        }

        var clock = Stopwatch.StartNew();
        var last = await node.BrokerAsync(Request(RequestCode.ConsumerSendMsgBack, new ConsumerSendMsgBackRequestHeader(current.PhysicalOffset, "CG", 0, MaxReconsumeTimes: 2)));
        Assert.True(last.Code == ResponseCode.Success, last.Remark);

        var dead = Assert.Single(await PullUntilAsync(node, "CG", "%DLQ%CG", 0, 0, Soon));
        Assert.True(clock.ElapsedMilliseconds < 900, $"a dead letter is not delayed ({clock.ElapsedMilliseconds} ms)");
        Assert.Equal("%DLQ%CG", dead.Topic);
        Assert.Equal("doomed", dead.Body);
        Assert.Equal(3, dead.ReconsumeTimes);
        Assert.Equal("Orders", dead.Properties[MessageProperties.RetryTopic]);
        Assert.Equal(original.OffsetMsgId, dead.Properties[MessageProperties.OriginMessageId]);
        Assert.DoesNotContain(MessageProperties.DelayLevel, dead.Properties.Keys);
        Assert.Equal(2, OffsetOf(await node.BrokerAsync(Request(RequestCode.GetMaxOffset, new TopicQueueRequestHeader("%RETRY%CG", 0)))));

        // delayLevel -1 sends straight to the DLQ whatever the count.
        var direct = await node.BrokerAsync(Request(RequestCode.ConsumerSendMsgBack, new ConsumerSendMsgBackRequestHeader(original.PhysicalOffset, "CG", -1, MaxReconsumeTimes: 16)));
        Assert.True(direct.Code == ResponseCode.Success, direct.Remark);
        var second = Assert.Single(await PullUntilAsync(node, "CG", "%DLQ%CG", 0, 1, Soon));
        Assert.Equal(1, second.ReconsumeTimes);
    }

    [Fact]
    public async Task A_send_to_a_retry_topic_at_the_reconsume_limit_lands_in_the_dead_letter_topic()
    {
        await using var node = await WireNode.StartAsync(null, Topics, Levels);

        var below = await node.SendAsync("%RETRY%CG2", "retry me", queueId: 0, reconsumeTimes: 2, maxReconsumeTimes: 3);
        Assert.Equal(ResponseCode.Success, below.Code);
        var kept = Assert.Single(await PullUntilAsync(node, "CG2", "%RETRY%CG2", 0, 0, Soon));
        Assert.Equal("retry me", kept.Body);
        Assert.Equal(2, kept.ReconsumeTimes);

        var clock = Stopwatch.StartNew();
        var atLimit = await node.SendAsync("%RETRY%CG2", "dead", queueId: 0, reconsumeTimes: 3, maxReconsumeTimes: 3,
            properties: [new(MessageProperties.DelayLevel, "3")]);
        Assert.Equal(ResponseCode.Success, atLimit.Code);
        Assert.Equal(0, atLimit.ReadHeader<SendMessageResponseHeader>(out _)!.QueueId);

        var dead = Assert.Single(await PullUntilAsync(node, "CG2", "%DLQ%CG2", 0, 0, Soon));
        Assert.True(clock.ElapsedMilliseconds < 900, $"the dead letter was not delayed ({clock.ElapsedMilliseconds} ms)");
        Assert.Equal("%DLQ%CG2", dead.Topic);
        Assert.Equal("dead", dead.Body);
        Assert.Equal(3, dead.ReconsumeTimes);
        Assert.DoesNotContain(MessageProperties.DelayLevel, dead.Properties.Keys);
        Assert.Equal(1, OffsetOf(await node.BrokerAsync(Request(RequestCode.GetMaxOffset, new TopicQueueRequestHeader("%RETRY%CG2", 0)))));
    }

    private static async Task<PulledRecord> SendAndPullAsync(WireNode node, string body, int queueId)
    {
        var sent = await node.SendAsync("Orders", body, queueId: queueId, tags: "TagR", keys: "k-" + body);
        Assert.Equal(ResponseCode.Success, sent.Code);
        var record = Assert.Single(await PullUntilAsync(node, "CG", "Orders", queueId, 0, Soon));
        Assert.Equal(sent.ReadHeader<SendMessageResponseHeader>(out _)!.MsgId, record.OffsetMsgId);
        return record;
    }
}
