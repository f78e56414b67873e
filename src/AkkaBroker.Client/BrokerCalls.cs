using AkkaBroker.Protocol;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;

namespace AkkaBroker.Client;

/// <summary>The heartbeat, offset and pull requests every consumer makes, in one place.</summary>
internal static class BrokerCalls
{
    /// <summary>
    /// The HEART_BEAT body of one consumer group: the client's id and the group's subscriptions with their tags, tag
    /// hash codes and a fresh version, as the Java client sends them.
    /// </summary>
    public static byte[] ConsumerHeartbeat(string clientId, string group, ConsumeType consumeType, MessageModel model, ConsumeFromWhere from,
        IReadOnlyDictionary<string, TagFilter> subscriptions)
    {
        var data = new HeartbeatData { ClientId = clientId };
        data.ConsumerDataSet.Add(new ConsumerData
        {
            GroupName = group, ConsumeType = consumeType, MessageModel = model, ConsumeFromWhere = from,
            SubscriptionDataSet = subscriptions.Select(s => new SubscriptionData
            {
                Topic = s.Key, SubString = s.Value.Expression, TagsSet = [.. s.Value.Tags], CodeSet = [.. s.Value.Tags.Select(t => JavaHash.StringHashCode(t.AsSpan()))],
                SubVersion = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            }).ToList(),
        });
        return RemotingJson.Serialize(data);
    }

    /// <summary>The group's committed offset of a queue, or -1 when the broker has none.</summary>
    public static async Task<long> QueryCommittedAsync(ClientInstance client, string address, string group, MessageQueueRef queue, CancellationToken ct = default)
    {
        var query = RemotingCommand.CreateRequest(RequestCode.QueryConsumerOffset, new QueryConsumerOffsetRequestHeader(group, queue.Topic, queue.QueueId).ToExtFields());
        var response = await client.InvokeAsync(address, query, client.Options.RequestTimeout, ct).ConfigureAwait(false);
        return response.Code == ResponseCode.Success && response.ReadHeader<OffsetResponseHeader>(out _) is { } found ? found.Offset : -1;
    }

    /// <summary>Where a group without a committed offset starts (RocketMQ's rules; a retry topic always from its start); -1 when the broker does not answer.</summary>
    public static async Task<long> StartingOffsetAsync(ClientInstance client, string address, MessageQueueRef queue, ConsumeFromWhere from, DateTimeOffset timestamp,
        CancellationToken ct = default)
    {
        if (queue.Topic.StartsWith("%RETRY%", StringComparison.Ordinal)) from = ConsumeFromWhere.ConsumeFromFirstOffset;
        var request = from switch
        {
            ConsumeFromWhere.ConsumeFromFirstOffset =>
                RemotingCommand.CreateRequest(RequestCode.GetMinOffset, new TopicQueueRequestHeader(queue.Topic, queue.QueueId).ToExtFields()),
            ConsumeFromWhere.ConsumeFromTimestamp => RemotingCommand.CreateRequest(RequestCode.SearchOffsetByTimestamp,
                new SearchOffsetRequestHeader(queue.Topic, queue.QueueId, timestamp.ToUnixTimeMilliseconds()).ToExtFields()),
            _ => RemotingCommand.CreateRequest(RequestCode.GetMaxOffset, new TopicQueueRequestHeader(queue.Topic, queue.QueueId).ToExtFields()),
        };
        var answer = await client.InvokeAsync(address, request, client.Options.RequestTimeout, ct).ConfigureAwait(false);
        return answer.Code == ResponseCode.Success && answer.ReadHeader<OffsetResponseHeader>(out _) is { } offset ? offset.Offset : -1;
    }

    /// <summary>Commits the group's offset of a queue (UPDATE_CONSUMER_OFFSET).</summary>
    public static async Task CommitAsync(ClientInstance client, string address, string group, MessageQueueRef queue, long offset, CancellationToken ct = default)
    {
        var request = RemotingCommand.CreateRequest(RequestCode.UpdateConsumerOffset,
            new UpdateConsumerOffsetRequestHeader(group, queue.Topic, queue.QueueId, offset).ToExtFields());
        var response = await client.InvokeAsync(address, request, client.Options.RequestTimeout, ct).ConfigureAwait(false);
        if (response.Code != ResponseCode.Success) throw new MQBrokerException(response.Code, response.Remark, address);
    }

    /// <summary>One PULL_MESSAGE with the subscription in the request (and SUSPEND when <paramref name="suspend"/> is positive).</summary>
    public static Task<RemotingCommand> PullAsync(ClientInstance client, string address, string group, MessageQueueRef queue, long offset, int max,
        string expression, TimeSpan suspend, long commitOffset, CancellationToken ct)
    {
        var sysFlag = PullSysFlag.FlagSubscription | (suspend > TimeSpan.Zero ? PullSysFlag.FlagSuspend : 0) | (commitOffset > 0 ? PullSysFlag.FlagCommitOffset : 0);
        var header = new PullMessageRequestHeader(group, queue.Topic, queue.QueueId, offset, max, sysFlag, Math.Max(commitOffset, 0),
            (long)suspend.TotalMilliseconds, expression, 0);
        var request = RemotingCommand.CreateRequest(RequestCode.PullMessage);
        request.WriteHeader(header);
        return client.InvokeAsync(address, request, suspend + TimeSpan.FromSeconds(15), ct);
    }

    /// <summary>The readable queues of a topic's route.</summary>
    public static List<MessageQueueRef> ReadableQueues(string topic, TopicRouteData route) =>
        route.QueueDatas.Where(q => (q.Perm & 4) != 0)
            .SelectMany(q => Enumerable.Range(0, q.ReadQueueNums).Select(i => new MessageQueueRef(topic, q.BrokerName, i))).ToList();
}
