using System.Globalization;
using AkkaBroker.Actors;
using AkkaBroker.Broker.Consumers;
using AkkaBroker.Common.Naming;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;

namespace AkkaBroker.Broker.Processing;

// Consumer-facing admin codes: consume stats, connections, runtime info and the orderly-consumption locks.
public sealed partial class AdminProcessors
{
    /// <summary>The release whose wire behaviour this broker follows (RemotingCommand.DefaultVersion is its ordinal).</summary>
    private const string VersionDesc = "V4_9_8";

    /// <summary>
    /// GET_CONSUME_STATS (208): per read queue of each topic the group has offsets in or subscribes (or of the one
    /// topic asked for): the queue's max offset, the group's offset and the store time of the last consumed message.
    /// A topic the online group no longer subscribes is skipped, as in Java. consumeTps sums the group's pull rate
    /// over the last minute on each topic listed.
    /// </summary>
    private ValueTask<RemotingCommand?> GetConsumeStatsAsync(RemotingCommand request, RemotingConnection connection)
    {
        var header = request.ReadHeader<GetConsumeStatsRequestHeader>(out var error);
        if (header is null) return Done(request, ResponseCode.SystemError, $"bad GET_CONSUME_STATS header: {error}");
        var group = header.ConsumerGroup;
        if (ResourceNames.ValidateGroup(group) is { } invalid) return Done(request, ResponseCode.SystemError, invalid);

        var online = _broker.Consumers.Find(group);
        var topics = new SortedSet<string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(header.Topic))
        {
            topics.UnionWith(_broker.Offsets.TopicsOf(group));
            if (online is not null) topics.UnionWith(online.Subscriptions.Keys);
        }
        else
        {
            topics.Add(header.Topic);
        }

        var stats = new ConsumeStats();
        foreach (var topic in topics)
        {
            if (_broker.Topics.Find(topic) is not { } config) continue;
            if (online is { Subscriptions.Count: > 0 } && !online.Subscriptions.ContainsKey(topic)) continue;
            stats.ConsumeTps += _broker.ConsumeRates.Tps(group, topic);
            for (var queueId = 0; queueId < config.ReadQueueNums; queueId++)
            {
                var consumerOffset = Math.Max(_broker.Offsets.Query(group, topic, queueId), 0);
                var lastTimestamp = consumerOffset > 0 ? _broker.Store.GetStoreTimestamp(topic, queueId, consumerOffset - 1) : 0;
                stats.OffsetTable[new MessageQueue { BrokerName = _broker.Broker.BrokerName, QueueId = queueId, Topic = topic }] = new OffsetWrapper
                {
                    BrokerOffset = Math.Max(_broker.Store.GetMaxOffset(topic, queueId), 0),
                    ConsumerOffset = consumerOffset,
                    LastTimestamp = Math.Max(lastTimestamp, 0),
                };
            }
        }

        return WithBody(request, RemotingJson.Serialize(stats));
    }

    /// <summary>GET_CONSUMER_CONNECTION_LIST (203): the group's live members and subscriptions; CONSUMER_NOT_ONLINE without members.</summary>
    private ValueTask<RemotingCommand?> GetConsumerConnectionListAsync(RemotingCommand request, RemotingConnection connection)
    {
        var header = request.ReadHeader<ConsumerGroupRequestHeader>(out var error);
        if (header is null) return Done(request, ResponseCode.SystemError, $"bad GET_CONSUMER_CONNECTION_LIST header: {error}");
        if (_broker.Consumers.Find(header.ConsumerGroup) is not { Members.Count: > 0 } group)
            return Done(request, ResponseCode.ConsumerNotOnline, $"the consumer group[{header.ConsumerGroup}] not online");

        var body = new ConsumerConnection
        {
            ConsumeFromWhere = group.ConsumeFromWhere,
            ConsumeType = group.ConsumeType,
            MessageModel = group.MessageModel,
            SubscriptionTable = new Dictionary<string, SubscriptionData>(group.Subscriptions, StringComparer.Ordinal),
            ConnectionSet = group.Members.Select(m => new Connection
            {
                ClientAddr = m.Connection.RemoteAddress, ClientId = m.ClientId, Language = m.Language.ToString(), Version = m.Version,
            }).ToList(),
        };
        return WithBody(request, RemotingJson.Serialize(body));
    }

    /// <summary>
    /// GET_BROKER_RUNTIME_INFO (28): a KVTable with the subset of Java's keys this broker really measures (send
    /// counts and times from <see cref="BrokerServices.PutStats"/>, put and get rates from
    /// <see cref="BrokerServices.TrafficRates"/>; no thread-pool figures, which it does not keep).
    /// </summary>
    private ValueTask<RemotingCommand?> GetBrokerRuntimeInfoAsync(RemotingCommand request, RemotingConnection connection)
    {
        var store = _broker.Store;
        var max = store.MaxPhysicalOffset;
        var table = new KVTable();
        table.Table["brokerVersionDesc"] = VersionDesc;
        table.Table["brokerVersion"] = Text(RemotingCommand.DefaultVersion);
        table.Table["bootTimestamp"] = Text(_bootTimestamp);
        table.Table["commitLogMinOffset"] = Text(store.MinPhysicalOffset);
        table.Table["commitLogMaxOffset"] = Text(max);
        table.Table["dispatchBehindBytes"] = Text(Math.Max(max - store.DispatchedOffset, 0));
        table.Table["remainHowManyDataToFlush"] = Text(Math.Max(max - store.FlushedPhysicalOffset, 0));
        table.Table["earliestMessageTimeStamp"] = Text(store.GetEarliestMessageTime());
        table.Table["commitLogDiskRatio"] = store.CommitLogDiskRatio.ToString(CultureInfo.InvariantCulture);
        _broker.PutStats.AddTo(table.Table);
        _broker.TrafficRates.AddTo(table.Table);
        return WithBody(request, RemotingJson.Serialize(table));

        static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>LOCK_BATCH_MQ (41): the group's Rebalance actor locks what is free (or already the client's); the reply lists them.</summary>
    private async ValueTask<RemotingCommand?> LockBatchAsync(RemotingCommand request, RemotingConnection connection)
    {
        if (!RemotingJson.TryDeserialize<LockBatchRequestBody>(request.Body.Span, out var body, out var error) || body is null)
            return BrokerServices.Reply(request, ResponseCode.SystemError, $"bad LOCK_BATCH_MQ body: {error}");
        if (CheckLocker(body.ConsumerGroup, body.ClientId) is { } invalid) return BrokerServices.Reply(request, ResponseCode.SystemError, invalid);
        var locked = await AskGroupAsync(body.ConsumerGroup, new Rebalance.LockBatch(body.ClientId, body.MqSet.Distinct().ToList())).ConfigureAwait(false);
        if (locked is null) return BrokerServices.Reply(request, ResponseCode.SystemBusy, $"the group's rebalance did not answer within {AskTimeout.TotalSeconds} s");
        var response = BrokerServices.Reply(request, ResponseCode.Success);
        response.Body = RemotingJson.Serialize(new LockBatchResponseBody { LockOkMqSet = locked.Queues.ToList() });
        return response;
    }

    /// <summary>UNLOCK_BATCH_MQ (42): releases the client's locks among the queues; code only.</summary>
    private async ValueTask<RemotingCommand?> UnlockBatchAsync(RemotingCommand request, RemotingConnection connection)
    {
        if (!RemotingJson.TryDeserialize<UnlockBatchRequestBody>(request.Body.Span, out var body, out var error) || body is null)
            return BrokerServices.Reply(request, ResponseCode.SystemError, $"bad UNLOCK_BATCH_MQ body: {error}");
        if (CheckLocker(body.ConsumerGroup, body.ClientId) is { } invalid) return BrokerServices.Reply(request, ResponseCode.SystemError, invalid);
        var released = await AskGroupAsync(body.ConsumerGroup, new Rebalance.UnlockBatch(body.ClientId, body.MqSet.Distinct().ToList())).ConfigureAwait(false);
        return released is null
            ? BrokerServices.Reply(request, ResponseCode.SystemBusy, $"the group's rebalance did not answer within {AskTimeout.TotalSeconds} s")
            : BrokerServices.Reply(request, ResponseCode.Success);
    }

    private static string? CheckLocker(string group, string clientId) =>
        ResourceNames.ValidateGroup(group) ?? (string.IsNullOrEmpty(clientId) ? "the request names no clientId" : null);

    // Null when the group's actor did not answer in time.
    private async Task<Rebalance.Locked?> AskGroupAsync(string group, object message)
    {
        try
        {
            return await _broker.ConsumerGroups.Ask<Rebalance.Locked>(new ConsumerGroups.ForGroup(group, message), AskTimeout).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }
}
