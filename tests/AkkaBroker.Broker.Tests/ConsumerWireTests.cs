using System.Collections.Concurrent;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;
using static AkkaBroker.Broker.Tests.WireRecords;

namespace AkkaBroker.Broker.Tests;

/// <summary>
/// The consumer side of the broker over the wire, as a RocketMQ 4 consumer drives it: heartbeats and group
/// membership (with NOTIFY_CONSUMER_IDS_CHANGED), consumer offsets (explicit, piggybacked on pulls, across a
/// restart) and the queue offset queries.
/// </summary>
public sealed class ConsumerWireTests
{
    private const string Topics = "akkabroker.broker.topics = [ { name = \"Orders\", read-queue-nums = 4, write-queue-nums = 4 } ]";
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_heartbeat_routes_the_groups_retry_topic_before_answering_and_lists_the_client()
    {
        await using var node = await WireNode.StartAsync(null, Topics);
        Assert.Null(await node.RouteAsync("%RETRY%CG1"));
        var none = await node.BrokerAsync(Request(RequestCode.GetConsumerListByGroup, new ConsumerGroupRequestHeader("CG1")));
        Assert.Equal(ResponseCode.SystemError, none.Code);
        Assert.Contains("CG1", none.Remark);

        var beat = await node.BrokerAsync(Heartbeat("10.0.0.1@1", "CG1", "Orders"));
        Assert.Equal(ResponseCode.Success, beat.Code);

        // No waiting: the broker registered the retry topic with the name server before it answered.
        var route = await node.RouteAsync("%RETRY%CG1");
        Assert.NotNull(route);
        var queues = Assert.Single(route.QueueDatas);
        Assert.Equal(1, queues.ReadQueueNums);
        Assert.Equal(1, queues.WriteQueueNums);
        Assert.Equal(6, queues.Perm);
        Assert.Equal(node.BrokerAddress, Assert.Single(route.BrokerDatas).BrokerAddrs[0]);

        await AssertMembersAsync(node, "CG1", ["10.0.0.1@1"]);
    }

    [Fact]
    public async Task Joining_leaving_and_unregistering_members_change_the_list_and_notify_the_others()
    {
        await using var node = await WireNode.StartAsync(null, Topics);
        await using var a = await Member.ConnectAsync(node);
        await using var b = await Member.ConnectAsync(node);
        await using var c = await Member.ConnectAsync(node);

        Assert.Equal(ResponseCode.Success, (await a.BeatAsync("client-a", "CG")).Code);
        await AssertMembersAsync(node, "CG", ["client-a"]);
        var aSeen = await a.WaitNotificationsAsync(1, Soon);
        Assert.Equal(1, aSeen); // every member is told of a change, the one joining too

        Assert.Equal(ResponseCode.Success, (await b.BeatAsync("client-b", "CG")).Code);
        Assert.True(await a.WaitNotificationsAsync(aSeen + 1, Soon) > aSeen, "a is told that b joined");
        await AssertMembersAsync(node, "CG", ["client-a", "client-b"]);
        Assert.All(a.Notifications, n => Assert.Equal(("CG", RequestCode.NotifyConsumerIdsChanged, true), n));

        // A heartbeat of a known member with the same subscription changes nothing and notifies nobody; c joining
        // after it notifies a exactly once (the group's actor handles them in order).
        aSeen = a.Notifications.Count;
        Assert.Equal(ResponseCode.Success, (await a.BeatAsync("client-a", "CG")).Code);
        Assert.Equal(ResponseCode.Success, (await c.BeatAsync("client-c", "CG")).Code);
        await AssertMembersAsync(node, "CG", ["client-a", "client-b", "client-c"]);
        await a.WaitNotificationsAsync(aSeen + 1, Soon);
        await Task.Delay(200); // room for a wrong extra notification to arrive
        Assert.Equal(aSeen + 1, a.Notifications.Count);
        aSeen++;

        // b's connection closes: b leaves, a is told.
        await b.DisposeAsync();
        await AssertMembersAsync(node, "CG", ["client-a", "client-c"]);
        Assert.True(await a.WaitNotificationsAsync(aSeen + 1, Soon) > aSeen, "a is told that b left");

        // c unregisters: it leaves, a is told.
        aSeen = a.Notifications.Count;
        var unregister = await c.Connection.InvokeAsync(Request(RequestCode.UnregisterClient, new UnregisterClientRequestHeader("client-c", null, "CG")), Soon);
        Assert.Equal(ResponseCode.Success, unregister.Code);
        await AssertMembersAsync(node, "CG", ["client-a"]);
        Assert.True(await a.WaitNotificationsAsync(aSeen + 1, Soon) > aSeen, "a is told that c left");

        // The last member unregisters: the group has nobody, as soon as the answer arrives (Java removes it first).
        var last = await a.Connection.InvokeAsync(Request(RequestCode.UnregisterClient, new UnregisterClientRequestHeader("client-a", null, "CG")), Soon);
        Assert.Equal(ResponseCode.Success, last.Code);
        Assert.Equal(ResponseCode.SystemError, (await node.BrokerAsync(Request(RequestCode.GetConsumerListByGroup, new ConsumerGroupRequestHeader("CG")))).Code);
        // Unregistering from a group the broker does not know is answered too.
        var unknown = await a.Connection.InvokeAsync(Request(RequestCode.UnregisterClient, new UnregisterClientRequestHeader("client-a", null, "NoSuchGroup")), Soon);
        Assert.Equal(ResponseCode.Success, unknown.Code);
        Assert.All(a.Notifications, n => Assert.Equal(("CG", RequestCode.NotifyConsumerIdsChanged, true), n));
    }

    [Fact]
    public async Task Consumer_offsets_are_updated_queried_defaulted_and_piggybacked_on_pulls()
    {
        await using var node = await WireNode.StartAsync(null, Topics);

        // A group without an offset on a queue that still starts at 0 reads it from 0 (RocketMQ's rule).
        Assert.Equal(0, OffsetOf(await node.BrokerAsync(Request(RequestCode.QueryConsumerOffset, new QueryConsumerOffsetRequestHeader("CG", "Orders", 2)))));

        var update = await node.BrokerAsync(Request(RequestCode.UpdateConsumerOffset, new UpdateConsumerOffsetRequestHeader("CG", "Orders", 1, 42)));
        Assert.Equal(ResponseCode.Success, update.Code);
        Assert.Equal(42, OffsetOf(await node.BrokerAsync(Request(RequestCode.QueryConsumerOffset, new QueryConsumerOffsetRequestHeader("CG", "Orders", 1)))));
        // Another group and another queue are untouched.
        Assert.Equal(0, OffsetOf(await node.BrokerAsync(Request(RequestCode.QueryConsumerOffset, new QueryConsumerOffsetRequestHeader("Other", "Orders", 1)))));
        var updateAgain = await node.BrokerAsync(Request(RequestCode.UpdateConsumerOffset, new UpdateConsumerOffsetRequestHeader("CG", "Orders", 1, 7)));
        Assert.Equal(ResponseCode.Success, updateAgain.Code);
        Assert.Equal(7, OffsetOf(await node.BrokerAsync(Request(RequestCode.QueryConsumerOffset, new QueryConsumerOffsetRequestHeader("CG", "Orders", 1)))));

        var unknownTopic = await node.BrokerAsync(Request(RequestCode.UpdateConsumerOffset, new UpdateConsumerOffsetRequestHeader("CG", "NoSuchTopic", 0, 1)));
        Assert.Equal(ResponseCode.TopicNotExist, unknownTopic.Code);

        // The pull's piggybacked commit offset is stored whatever the pull finds.
        for (var i = 0; i < 3; i++) Assert.Equal(ResponseCode.Success, (await node.SendAsync("Orders", $"m{i}", queueId: 3)).Code);
        var pulled = await node.PullAsync("CG", "Orders", 3, 0, suspendMillis: 5_000, commitOffset: 2);
        Assert.Equal(ResponseCode.Success, pulled.Code);
        Assert.Equal(2, OffsetOf(await node.BrokerAsync(Request(RequestCode.QueryConsumerOffset, new QueryConsumerOffsetRequestHeader("CG", "Orders", 3)))));
        var empty = await node.PullAsync("CG", "Orders", 0, 0, commitOffset: 5);
        Assert.Equal(ResponseCode.PullNotFound, empty.Code);
        Assert.Equal(5, OffsetOf(await node.BrokerAsync(Request(RequestCode.QueryConsumerOffset, new QueryConsumerOffsetRequestHeader("CG", "Orders", 0)))));
    }

    [Fact]
    public async Task Consumer_offsets_survive_a_restart_in_consumerOffset_json()
    {
        using var dir = new StoreDir();
        var node = await WireNode.StartAsync(dir, Topics);
        try
        {
            for (var queue = 0; queue < 4; queue++)
            {
                var update = await node.BrokerAsync(Request(RequestCode.UpdateConsumerOffset, new UpdateConsumerOffsetRequestHeader("CG", "Orders", queue, 100 + queue)));
                Assert.Equal(ResponseCode.Success, update.Code);
            }

            Assert.Equal(ResponseCode.Success, (await node.SendAsync("Orders", "x", queueId: 0)).Code);
            Assert.Equal(ResponseCode.Success, (await node.PullAsync("G2", "Orders", 0, 0, suspendMillis: 5_000, commitOffset: 1)).Code);

            await node.RestartAsync();

            var file = Path.Combine(dir.Path, "config", "consumerOffset.json");
            Assert.True(File.Exists(file), $"{file} exists");
            Assert.Contains("Orders@CG", File.ReadAllText(file));
            for (var queue = 0; queue < 4; queue++)
            {
                var query = await node.BrokerAsync(Request(RequestCode.QueryConsumerOffset, new QueryConsumerOffsetRequestHeader("CG", "Orders", queue)));
                Assert.Equal(100 + queue, OffsetOf(query));
            }

            Assert.Equal(1, OffsetOf(await node.BrokerAsync(Request(RequestCode.QueryConsumerOffset, new QueryConsumerOffsetRequestHeader("G2", "Orders", 0)))));
        }
        finally
        {
            await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Max_min_earliest_and_by_timestamp_offsets_follow_the_stored_messages()
    {
        await using var node = await WireNode.StartAsync(null, Topics);
        Assert.Equal(0, OffsetOf(await node.BrokerAsync(Request(RequestCode.GetMaxOffset, new TopicQueueRequestHeader("Orders", 1)))));
        var earliestEmpty = await node.BrokerAsync(Request(RequestCode.GetEarliestMsgStoretime, new TopicQueueRequestHeader("Orders", 1)));
        Assert.Equal(ResponseCode.Success, earliestEmpty.Code);
        Assert.Equal(-1, earliestEmpty.ReadHeader<GetEarliestMsgStoretimeResponseHeader>(out _)!.Timestamp);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(ResponseCode.Success, (await node.SendAsync("Orders", $"m{i}", queueId: 1)).Code);
            await Task.Delay(3); // distinct store times
        }

        Assert.Equal(ResponseCode.Success, (await node.SendAsync("Orders", "other queue", queueId: 2)).Code);
        var records = new List<PulledRecord>();
        while (records.Count < 5) records.AddRange(await PullUntilAsync(node, "CG", "Orders", 1, records.Count, Soon));
        Assert.Equal(["m0", "m1", "m2", "m3", "m4"], records.Select(r => r.Body));

        Assert.Equal(5, OffsetOf(await node.BrokerAsync(Request(RequestCode.GetMaxOffset, new TopicQueueRequestHeader("Orders", 1)))));
        Assert.Equal(0, OffsetOf(await node.BrokerAsync(Request(RequestCode.GetMinOffset, new TopicQueueRequestHeader("Orders", 1)))));
        Assert.Equal(0, OffsetOf(await node.BrokerAsync(Request(RequestCode.GetMaxOffset, new TopicQueueRequestHeader("Orders", 0)))));
        Assert.Equal(0, OffsetOf(await node.BrokerAsync(Request(RequestCode.GetMaxOffset, new TopicQueueRequestHeader("NoSuchTopic", 0)))));

        var earliest = await node.BrokerAsync(Request(RequestCode.GetEarliestMsgStoretime, new TopicQueueRequestHeader("Orders", 1)));
        Assert.Equal(ResponseCode.Success, earliest.Code);
        Assert.Equal(records[0].StoreTimestamp, earliest.ReadHeader<GetEarliestMsgStoretimeResponseHeader>(out _)!.Timestamp);

        // By time: the first offset stored at or after the time; 0 before everything, the end after everything.
        async Task<long> SearchAsync(long timestamp) =>
            OffsetOf(await node.BrokerAsync(Request(RequestCode.SearchOffsetByTimestamp, new SearchOffsetRequestHeader("Orders", 1, timestamp))));
        Assert.Equal(0, await SearchAsync(0));
        Assert.Equal(0, await SearchAsync(records[0].StoreTimestamp));
        foreach (var record in records)
        {
            var expected = records.FindIndex(r => r.StoreTimestamp >= record.StoreTimestamp);
            Assert.Equal(expected, await SearchAsync(record.StoreTimestamp));
            var afterIt = records.FindIndex(r => r.StoreTimestamp >= record.StoreTimestamp + 1);
            Assert.Equal(afterIt < 0 ? 5 : afterIt, await SearchAsync(record.StoreTimestamp + 1));
        }

        Assert.Equal(5, await SearchAsync(records[^1].StoreTimestamp + 60_000));
    }

    private static async Task AssertMembersAsync(WireNode node, string group, string[] expected)
    {
        // The group's actor publishes the membership just after the heartbeat is answered.
        List<string> members = [];
        await EventuallyAsync(async () => (members = await MembersAsync(node, group)).SequenceEqual(expected), Soon);
        Assert.Equal(expected, members);
    }

    private static async Task<List<string>> MembersAsync(WireNode node, string group)
    {
        var response = await node.BrokerAsync(Request(RequestCode.GetConsumerListByGroup, new ConsumerGroupRequestHeader(group)));
        if (response.Code != ResponseCode.Success) return [];
        Assert.True(RemotingJson.TryDeserialize<GetConsumerListByGroupResponseBody>(response.Body.Span, out var body, out var error), error);
        return body!.ConsumerIdList;
    }

    /// <summary>A consumer's own connection to the broker, recording the NOTIFY_CONSUMER_IDS_CHANGED requests it receives.</summary>
    private sealed class Member : IAsyncDisposable
    {
        private readonly ConcurrentQueue<(string Group, int Code, bool Oneway)> _notifications = new();

        private Member()
        {
        }

        public RemotingConnection Connection { get; private set; } = null!;

        public IReadOnlyCollection<(string Group, int Code, bool Oneway)> Notifications => _notifications;

        public static async Task<Member> ConnectAsync(WireNode node)
        {
            var member = new Member();
            member.Connection = await RemotingClient.OpenAsync("127.0.0.1", node.BrokerPort, new RemotingOptions { IdleTimeout = Timeout.InfiniteTimeSpan },
                member.HandleAsync);
            return member;
        }

        public Task<RemotingCommand> BeatAsync(string clientId, string group) => Connection.InvokeAsync(Heartbeat(clientId, group, "Orders"), Soon);

        /// <summary>Waits until at least <paramref name="count"/> notifications arrived (or the time passes); returns how many did.</summary>
        public async Task<int> WaitNotificationsAsync(int count, TimeSpan within)
        {
            await EventuallyAsync(() => Task.FromResult(_notifications.Count >= count), within);
            return _notifications.Count;
        }

        public ValueTask DisposeAsync() => Connection.DisposeAsync();

        private ValueTask<RemotingCommand?> HandleAsync(RemotingCommand request, RemotingConnection connection)
        {
            _notifications.Enqueue((request.ReadHeader<ConsumerGroupRequestHeader>(out _)?.ConsumerGroup ?? "?", request.Code, request.IsOneway));
            return new((RemotingCommand?)null);
        }
    }
}
