using System.Globalization;
using System.Text;
using AkkaBroker.Protocol;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Store.Config;

namespace AkkaBroker.Broker.Tests;

/// <summary>The query and admin codes over the wire against a whole node, as RocketMQ's admin tools and clients use them.</summary>
public sealed class AdminWireTests
{
    private const string Topics = "akkabroker.broker.topics = [ { name = \"Orders\", read-queue-nums = 2, write-queue-nums = 2 } ]";
    private const string NoAutoCreate = "akkabroker.broker.auto-create-topic-enable = false";

    [Fact]
    public async Task A_created_topic_is_routed_at_once_listed_and_its_update_survives_a_restart()
    {
        await using var node = await WireNode.StartAsync(null, NoAutoCreate);
        Assert.Equal(ResponseCode.Success, (await CreateTopicAsync(node, "Payments", 3, 3)).Code);

        // Answered after registration, so the route is there without waiting.
        var route = await node.RouteAsync("Payments");
        Assert.NotNull(route);
        Assert.Equal(3, Assert.Single(route.QueueDatas).WriteQueueNums);
        Assert.Equal(ResponseCode.Success, (await node.SendAsync("Payments", "x", queueId: 2)).Code);

        Assert.Equal(ResponseCode.Success, (await CreateTopicAsync(node, "Payments", 5, 4, perm: 4)).Code);
        await node.RestartAsync();

        var all = await node.BrokerAsync(RemotingCommand.CreateRequest(RequestCode.GetAllTopicConfig));
        Assert.Equal(ResponseCode.Success, all.Code);
        var wrapper = Parse<TopicConfigSerializeWrapper>(all);
        var payments = wrapper.TopicConfigTable["Payments"];
        Assert.Equal((5, 4, 4), (payments.ReadQueueNums, payments.WriteQueueNums, payments.Perm));
        Assert.True(wrapper.DataVersion.Counter > 0);
        Assert.Contains("SCHEDULE_TOPIC_XXXX", wrapper.TopicConfigTable.Keys);
        // Read-only after the update: sends are refused.
        Assert.Equal(ResponseCode.NoPermission, (await node.SendAsync("Payments", "x")).Code);
    }

    [Fact]
    public async Task Topic_creation_refuses_bad_names_system_topics_the_cluster_name_bad_fields_and_bad_headers()
    {
        await using var node = await WireNode.StartAsync();
        foreach (var (topic, remark) in new[]
                 {
                     ("bad topic!", "bad topic!"), ("TBW102", "The topic[TBW102] is conflict with system topic."),
                     ("DefaultCluster", "The topic[DefaultCluster] is conflict with system topic."),
                     ("rmq_sys_x", "The topic[rmq_sys_x] is conflict with system topic."),
                 })
        {
            var refused = await CreateTopicAsync(node, topic, 1, 1);
            Assert.Equal(ResponseCode.SystemError, refused.Code);
            Assert.Contains(remark, refused.Remark);
        }

        Assert.Equal(ResponseCode.SystemError, (await CreateTopicAsync(node, "T1", 2000, 1)).Code);
        Assert.Equal(ResponseCode.SystemError, (await CreateTopicAsync(node, "T1", 1, 1, filterType: "NO_SUCH")).Code);
        var noHeader = await node.BrokerAsync(RemotingCommand.CreateRequest(RequestCode.UpdateAndCreateTopic));
        Assert.Equal(ResponseCode.SystemError, noHeader.Code);
        Assert.Contains("topic", noHeader.Remark);
        Assert.Null(await node.RouteAsync("T1"));
    }

    [Fact]
    public async Task A_deleted_topic_loses_its_config_offsets_and_queue_files_and_refuses_sends()
    {
        await using var node = await WireNode.StartAsync(null, Topics, NoAutoCreate);
        Assert.Equal(ResponseCode.Success, (await node.SendAsync("Orders", "m0", queueId: 1)).Code);
        Assert.Equal(ResponseCode.Success, (await node.PullAsync("CG", "Orders", 1, 0, suspendMillis: 5_000)).Code);
        Assert.Equal(ResponseCode.Success, (await CommitOffsetAsync(node, "CG", "Orders", 1, 1)).Code);
        var queueDir = Path.Combine(node.Dir.Path, "consumequeue", "Orders");
        Assert.True(Directory.Exists(queueDir));

        var delete = RemotingCommand.CreateRequest(RequestCode.DeleteTopicInBroker);
        delete.WriteHeader(new DeleteTopicRequestHeader("Orders"));
        Assert.Equal(ResponseCode.Success, (await node.BrokerAsync(delete)).Code);

        Assert.Equal(ResponseCode.TopicNotExist, (await node.SendAsync("Orders", "late")).Code);
        Assert.False(Directory.Exists(queueDir));
        var offsets = Parse<ConsumerOffsetTable>(await node.BrokerAsync(RemotingCommand.CreateRequest(RequestCode.GetAllConsumerOffset)));
        Assert.DoesNotContain("Orders@CG", offsets.Offsets.Keys);
        var topics = Parse<TopicConfigSerializeWrapper>(await node.BrokerAsync(RemotingCommand.CreateRequest(RequestCode.GetAllTopicConfig)));
        Assert.DoesNotContain("Orders", topics.TopicConfigTable.Keys);

        var system = RemotingCommand.CreateRequest(RequestCode.DeleteTopicInBroker);
        system.WriteHeader(new DeleteTopicRequestHeader("SCHEDULE_TOPIC_XXXX"));
        Assert.Equal(ResponseCode.SystemError, (await node.BrokerAsync(system)).Code);
    }

    [Fact]
    public async Task Messages_are_found_by_key_and_viewed_by_their_offset_msgId()
    {
        await using var node = await WireNode.StartAsync(null, Topics);
        var ids = new List<string>();
        foreach (var (body, keys) in new[] { ("a", "k1"), ("b", "k2 k1"), ("c", "k3") })
        {
            var sent = await node.SendAsync("Orders", body, keys: keys);
            Assert.Equal(ResponseCode.Success, sent.Code);
            ids.Add(sent.ReadHeader<SendMessageResponseHeader>(out _)!.MsgId);
        }

        var begin = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();
        var end = DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds();
        // The index is built just after each send is answered: wait until all three are in it.
        await StoreTestExtensions.EventuallyAsync(() => node.Node.Store!.DispatchedOffset, d => d == node.Node.Store!.MaxPhysicalOffset);
        var found = await EventuallyAsync(() => QueryAsync(node, "k1", 0, begin, end), r => r.Code == ResponseCode.Success);
        Assert.Equal(["a", "b"], StoreTestExtensions.Bodies(found.Body.Span).Order());
        var indexHeader = found.ReadHeader<QueryMessageResponseHeader>(out _);
        Assert.NotNull(indexHeader);
        Assert.True(indexHeader.IndexLastUpdatePhyoffset > 0);
        Assert.True(indexHeader.IndexLastUpdateTimestamp >= begin);

        Assert.Single(StoreTestExtensions.Bodies((await QueryAsync(node, "k1", 1, begin, end)).Body.Span));
        var missing = await QueryAsync(node, "nope", 32, begin, end);
        Assert.Equal(ResponseCode.QueryNotFound, missing.Code);
        Assert.Equal("can not find message, maybe time range not correct", missing.Remark);
        Assert.Equal(ResponseCode.QueryNotFound, (await QueryAsync(node, "k3", 32, 0, begin)).Code);

        Assert.True(MessageId.TryDecodeOffsetId(ids[2], out _, out var offset));
        var view = RemotingCommand.CreateRequest(RequestCode.ViewMessageById);
        view.WriteHeader(new ViewMessageRequestHeader(offset));
        var viewed = await node.BrokerAsync(view);
        Assert.Equal(ResponseCode.Success, viewed.Code);
        Assert.Equal(RecordReadStatus.Ok, MessageRecord.TryRead(viewed.Body.Span, checkCrc: true, out var record));
        Assert.Equal("c", Encoding.UTF8.GetString(record.Body));
        Assert.Equal(offset, record.PhysicalOffset);

        var wrong = RemotingCommand.CreateRequest(RequestCode.ViewMessageById);
        wrong.WriteHeader(new ViewMessageRequestHeader(offset + 1));
        var notFound = await node.BrokerAsync(wrong);
        Assert.Equal(ResponseCode.SystemError, notFound.Code);
        Assert.Equal($"can not find message by the offset, {offset + 1}", notFound.Remark);

        static Task<RemotingCommand> QueryAsync(WireNode n, string key, int maxNum, long from, long to)
        {
            var request = RemotingCommand.CreateRequest(RequestCode.QueryMessage);
            request.WriteHeader(new QueryMessageRequestHeader("Orders", key, maxNum, from, to));
            return n.BrokerAsync(request);
        }
    }

    [Fact]
    public async Task Consume_stats_show_each_queues_lag_and_last_consumed_time()
    {
        await using var node = await WireNode.StartAsync(null, Topics);
        for (var i = 0; i < 5; i++) Assert.Equal(ResponseCode.Success, (await node.SendAsync("Orders", $"m{i}", queueId: 0)).Code);
        for (var i = 0; i < 2; i++) Assert.Equal(ResponseCode.Success, (await node.SendAsync("Orders", $"n{i}", queueId: 1)).Code);
        Assert.Equal(ResponseCode.Success, (await CommitOffsetAsync(node, "CG", "Orders", 0, 3)).Code);

        var stats = await EventuallyAsync(() => ConsumeStatsAsync(node, "CG", null), s => s.OffsetTable.Values.Sum(o => o.BrokerOffset) == 7);
        var byQueue = stats.OffsetTable.ToDictionary(e => (e.Key.Topic, e.Key.QueueId, e.Key.BrokerName), e => e.Value);
        Assert.Equal(2, byQueue.Count);
        var q0 = byQueue[("Orders", 0, "broker-a")];
        Assert.Equal((5L, 3L), (q0.BrokerOffset, q0.ConsumerOffset));
        Assert.InRange(q0.LastTimestamp, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var q1 = byQueue[("Orders", 1, "broker-a")];
        Assert.Equal((2L, 0L, 0L), (q1.BrokerOffset, q1.ConsumerOffset, q1.LastTimestamp));

        Assert.Empty((await ConsumeStatsAsync(node, "OtherGroup", null)).OffsetTable);
        Assert.Equal(2, (await ConsumeStatsAsync(node, "OtherGroup", "Orders")).OffsetTable.Count);

        var all = Parse<ConsumerOffsetTable>(await node.BrokerAsync(RemotingCommand.CreateRequest(RequestCode.GetAllConsumerOffset)));
        Assert.Equal(3, all.Offsets["Orders@CG"][0]);
        var delay = await node.BrokerAsync(RemotingCommand.CreateRequest(RequestCode.GetAllDelayOffset));
        Assert.Equal(ResponseCode.Success, delay.Code);
        Assert.StartsWith("{\"offsetTable\":{", Encoding.UTF8.GetString(delay.Body.Span));

        static async Task<ConsumeStats> ConsumeStatsAsync(WireNode n, string group, string? topic)
        {
            var request = RemotingCommand.CreateRequest(RequestCode.GetConsumeStats);
            request.WriteHeader(new GetConsumeStatsRequestHeader(group, topic));
            return Parse<ConsumeStats>(await n.BrokerAsync(request));
        }
    }

    [Fact]
    public async Task Queue_locks_go_to_the_first_client_until_it_unlocks()
    {
        await using var node = await WireNode.StartAsync(null, Topics);
        List<MessageQueue> queues = [Queue(0), Queue(1)];

        Assert.Equal(queues, (await LockAsync(node, "10.0.0.1@a", queues)).OrderBy(q => q.QueueId));
        Assert.Empty(await LockAsync(node, "10.0.0.2@b", queues));
        // A holder's renewal keeps what it has.
        Assert.Equal(2, (await LockAsync(node, "10.0.0.1@a", queues)).Count);

        var unlock = RemotingCommand.CreateRequest(RequestCode.UnlockBatchMq, body: RemotingJson.Serialize(
            new UnlockBatchRequestBody { ConsumerGroup = "OrderlyGroup", ClientId = "10.0.0.1@a", MqSet = [Queue(0)] }));
        Assert.Equal(ResponseCode.Success, (await node.BrokerAsync(unlock)).Code);
        Assert.Equal([Queue(0)], await LockAsync(node, "10.0.0.2@b", queues));

        var garbage = await node.BrokerAsync(RemotingCommand.CreateRequest(RequestCode.LockBatchMq, body: "{not json"u8.ToArray()));
        Assert.Equal(ResponseCode.SystemError, garbage.Code);
        Assert.Contains("LOCK_BATCH_MQ", garbage.Remark);

        static MessageQueue Queue(int id) => new() { BrokerName = "broker-a", QueueId = id, Topic = "Orders" };
    }

    [Fact]
    public async Task Subscription_groups_are_created_listed_deleted_and_kept_across_restarts()
    {
        await using var node = await WireNode.StartAsync();
        var create = RemotingCommand.CreateRequest(RequestCode.UpdateAndCreateSubscriptiongroup, body: RemotingJson.Serialize(
            new SubscriptionGroupConfig { GroupName = "BillingGroup", RetryMaxTimes = 5, ConsumeBroadcastEnable = false }));
        Assert.Equal(ResponseCode.Success, (await node.BrokerAsync(create)).Code);
        Assert.True(File.Exists(Path.Combine(node.Dir.Path, "config", SubscriptionGroupTable.FileName)));

        await node.RestartAsync();
        var groups = await AllGroupsAsync(node);
        Assert.Equal((5, false), (groups.Groups["BillingGroup"].RetryMaxTimes, groups.Groups["BillingGroup"].ConsumeBroadcastEnable));
        Assert.Contains("TOOLS_CONSUMER", groups.Groups.Keys);

        var delete = RemotingCommand.CreateRequest(RequestCode.DeleteSubscriptiongroup);
        delete.WriteHeader(new DeleteSubscriptionGroupRequestHeader("BillingGroup", RemoveOffset: true));
        Assert.Equal(ResponseCode.Success, (await node.BrokerAsync(delete)).Code);
        await node.RestartAsync();
        Assert.DoesNotContain("BillingGroup", (await AllGroupsAsync(node)).Groups.Keys);

        var bad = await node.BrokerAsync(RemotingCommand.CreateRequest(RequestCode.UpdateAndCreateSubscriptiongroup, body: "[1,2]"u8.ToArray()));
        Assert.Equal(ResponseCode.SystemError, bad.Code);
        var badName = await node.BrokerAsync(RemotingCommand.CreateRequest(RequestCode.UpdateAndCreateSubscriptiongroup,
            body: RemotingJson.Serialize(new SubscriptionGroupConfig { GroupName = "no spaces" })));
        Assert.Equal(ResponseCode.SystemError, badName.Code);

        static async Task<SubscriptionGroupTable> AllGroupsAsync(WireNode n) =>
            Parse<SubscriptionGroupTable>(await n.BrokerAsync(RemotingCommand.CreateRequest(RequestCode.GetAllSubscriptiongroupConfig)));
    }

    [Fact]
    public async Task Consumer_connections_come_from_heartbeats_and_an_unknown_group_is_not_online()
    {
        await using var node = await WireNode.StartAsync(null, Topics);
        var heartbeat = new HeartbeatData
        {
            ClientId = "10.0.0.9@4242",
            ConsumerDataSet =
            [
                new ConsumerData
                {
                    GroupName = "LiveGroup", ConsumeFromWhere = ConsumeFromWhere.ConsumeFromFirstOffset,
                    SubscriptionDataSet = [new SubscriptionData { Topic = "Orders", SubString = "TagA", SubVersion = 7 }],
                },
            ],
        };
        var beat = RemotingCommand.CreateRequest(RequestCode.HeartBeat, body: RemotingJson.Serialize(heartbeat));
        Assert.Equal(ResponseCode.Success, (await node.BrokerAsync(beat)).Code);

        var answer = await EventuallyAsync(() => ConnectionsAsync(node, "LiveGroup"), r => r.Code == ResponseCode.Success);
        var connections = Parse<ConsumerConnection>(answer);
        var connection = Assert.Single(connections.ConnectionSet);
        Assert.Equal("10.0.0.9@4242", connection.ClientId);
        Assert.Equal("JAVA", connection.Language);
        Assert.Equal(RemotingCommand.DefaultVersion, connection.Version);
        Assert.StartsWith("127.0.0.1:", connection.ClientAddr);
        Assert.Equal("TagA", connections.SubscriptionTable["Orders"].SubString);
        Assert.Equal(ConsumeFromWhere.ConsumeFromFirstOffset, connections.ConsumeFromWhere);
        Assert.Equal(MessageModel.Clustering, connections.MessageModel);

        var offline = await ConnectionsAsync(node, "NobodyHere");
        Assert.Equal(ResponseCode.ConsumerNotOnline, offline.Code);
        Assert.Equal("the consumer group[NobodyHere] not online", offline.Remark);

        static Task<RemotingCommand> ConnectionsAsync(WireNode n, string group)
        {
            var request = RemotingCommand.CreateRequest(RequestCode.GetConsumerConnectionList);
            request.WriteHeader(new ConsumerGroupRequestHeader(group));
            return n.BrokerAsync(request);
        }
    }

    [Fact]
    public async Task Runtime_info_reports_the_commit_log_span_and_dispatch_state()
    {
        await using var node = await WireNode.StartAsync(null, Topics);
        Assert.Equal(ResponseCode.Success, (await node.SendAsync("Orders", "x")).Code);
        Assert.Equal(ResponseCode.Success, (await node.SendAsync("Orders", "hello")).Code);
        Assert.Equal(ResponseCode.Success, (await node.PullAsync("CG", "Orders", 0, 0, suspendMillis: 5_000)).Code);

        // The Dispatcher publishes how far it got just after the entry is readable, so poll until it caught up.
        var info = await EventuallyAsync(
            async () => Parse<KVTable>(await node.BrokerAsync(RemotingCommand.CreateRequest(RequestCode.GetBrokerRuntimeInfo))).Table,
            t => t["dispatchBehindBytes"] == "0");
        // The sends, counted and timed under RocketMQ's keys, and finer in microseconds.
        Assert.Equal("2", info["putMessageTimesTotal"]);
        Assert.Equal("6", info["putMessageSizeTotal"]);
        Assert.Equal("3", info["putMessageAverageSize"]);
        var buckets = info["putMessageDistributeTime"].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(13, buckets.Length);
        Assert.StartsWith("[<=0ms]:", buckets[0]);
        Assert.Equal(2, buckets.Sum(b => long.Parse(b[(b.IndexOf(':') + 1)..])));
        var micros = info["putMessageLatencyMicros"].Split(' ').Select(p => p.Split(':')).ToDictionary(p => p[0], p => long.Parse(p[1]));
        Assert.Equal(["p50", "p99", "p99.9", "max"], micros.Keys);
        Assert.InRange(micros["p50"], 1, micros["max"]);
        Assert.Equal(long.Parse(info["putMessageEntireTimeMax"]), micros["max"] / 1000);
        // Rates over 10 s, 1 min and 10 min, parsed the way Java's clusterList does (the first figure).
        var putTps = info["putTps"].Split(' ').Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(3, putTps.Count);
        Assert.All(putTps, t => Assert.True(t > 0));
        Assert.True(double.Parse(info["getTransferedTps"].Split(' ')[0], CultureInfo.InvariantCulture) > 0);
        Assert.True(double.Parse(info["getFoundTps"].Split(' ')[0], CultureInfo.InvariantCulture) > 0);
        Assert.Equal("V4_9_8", info["brokerVersionDesc"]);
        Assert.Equal("0", info["commitLogMinOffset"]);
        Assert.True(long.Parse(info["commitLogMaxOffset"]) > 0);
        Assert.Equal("0", info["dispatchBehindBytes"]);
        Assert.InRange(long.Parse(info["earliestMessageTimeStamp"]), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(),
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.Equal("2", info["msgPutTotalTodayNow"]);
        Assert.Equal("0", info["msgPutTotalTodayMorning"]);
        Assert.InRange(long.Parse(info["msgGetTotalTodayNow"]), 1, 2); // the pull may have come before the second send was readable
    }

    private static Task<RemotingCommand> CreateTopicAsync(WireNode node, string topic, int read, int write, int perm = 6, string filterType = "SINGLE_TAG")
    {
        var request = RemotingCommand.CreateRequest(RequestCode.UpdateAndCreateTopic);
        request.WriteHeader(new CreateTopicRequestHeader(topic, "TBW102", read, write, perm, filterType));
        return node.BrokerAsync(request);
    }

    private static Task<RemotingCommand> CommitOffsetAsync(WireNode node, string group, string topic, int queueId, long offset)
    {
        var request = RemotingCommand.CreateRequest(RequestCode.UpdateConsumerOffset);
        request.WriteHeader(new UpdateConsumerOffsetRequestHeader(group, topic, queueId, offset));
        return node.BrokerAsync(request);
    }

    private static async Task<List<MessageQueue>> LockAsync(WireNode node, string clientId, List<MessageQueue> queues)
    {
        var request = RemotingCommand.CreateRequest(RequestCode.LockBatchMq, body: RemotingJson.Serialize(
            new LockBatchRequestBody { ConsumerGroup = "OrderlyGroup", ClientId = clientId, MqSet = queues }));
        return Parse<LockBatchResponseBody>(await node.BrokerAsync(request)).LockOkMqSet;
    }

    // The Dispatcher and the group actors publish just after a request is answered: poll with a deadline.
    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var value = await probe();
            if (done(value) || DateTime.UtcNow > deadline) return value;
            await Task.Delay(10);
        }
    }

    private static T Parse<T>(RemotingCommand response)
        where T : class
    {
        Assert.Equal(ResponseCode.Success, response.Code);
        Assert.True(RemotingJson.TryDeserialize<T>(response.Body.Span, out var body, out var error), error);
        return body!;
    }
}
