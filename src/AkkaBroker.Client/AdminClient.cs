using AkkaBroker.Common.Naming;
using AkkaBroker.Protocol;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;

namespace AkkaBroker.Client;

/// <summary>
/// Cluster administration over the remoting protocol (RocketMQ's DefaultMQAdminExt, the parts operators use):
/// cluster layout from the name servers, topic creation and deletion on every master of a cluster, routes.
/// </summary>
public sealed class AdminClient : IAsyncDisposable
{
    /// <summary>The group name admin pulls use (RocketMQ's TOOLS_CONSUMER).</summary>
    public const string ToolsGroup = "TOOLS_CONSUMER";

    private readonly ClientInstance _client;

    /// <summary>An admin client for the name servers in <paramref name="options"/>.</summary>
    public AdminClient(ClientOptions options) => _client = new ClientInstance(options);

    /// <summary>The clusters and their broker groups (GET_BROKER_CLUSTER_INFO from the first name server that answers).</summary>
    public async Task<ClusterInfo> GetClusterInfoAsync(CancellationToken cancellationToken = default)
    {
        var response = await NameServerAsync(RemotingCommand.CreateRequest(RequestCode.GetBrokerClusterInfo), cancellationToken).ConfigureAwait(false);
        if (!RemotingJson.TryDeserialize<ClusterInfo>(response.Body.Span, out var info, out var error) || info is null)
            throw new MQClientException($"unreadable cluster info: {error}");
        return info;
    }

    /// <summary>The master addresses of <paramref name="cluster"/> (every cluster when null).</summary>
    public async Task<IReadOnlyList<(string BrokerName, string Address)>> GetMastersAsync(string? cluster, CancellationToken cancellationToken = default)
    {
        var info = await GetClusterInfoAsync(cancellationToken).ConfigureAwait(false);
        var names = cluster is null
            ? (IEnumerable<string>)info.BrokerAddrTable.Keys
            : info.ClusterAddrTable.TryGetValue(cluster, out var inCluster) ? inCluster : throw new MQClientException($"cluster {cluster} is unknown to the name servers");
        return names.Where(info.BrokerAddrTable.ContainsKey)
            .Select(n => (n, info.BrokerAddrTable[n].BrokerAddrs.GetValueOrDefault(0)))
            .Where(b => b.Item2 is not null)
            .Select(b => (b.n, b.Item2!))
            .OrderBy(b => b.n, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Creates or updates <paramref name="topic"/> on every master of <paramref name="cluster"/> (all clusters when null).</summary>
    /// <returns>The broker names that took it.</returns>
    public Task<IReadOnlyList<string>> CreateTopicAsync(string topic, int queues, string? cluster = null, int perm = 6, bool order = false,
        CancellationToken cancellationToken = default) =>
        CreateTopicAsync(new TopicConfig { TopicName = topic, ReadQueueNums = queues, WriteQueueNums = queues, Perm = perm, Order = order }, cluster,
            cancellationToken);

    /// <summary>
    /// Creates or updates a topic with <paramref name="config"/> (read and write queue counts may differ) on every
    /// master of <paramref name="cluster"/> (all clusters when null); each broker registers it before answering.
    /// </summary>
    /// <returns>The broker names that took it.</returns>
    public async Task<IReadOnlyList<string>> CreateTopicAsync(TopicConfig config, string? cluster = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (ResourceNames.ValidateTopic(config.TopicName) is { } invalid) throw new ArgumentException(invalid, nameof(config));
        ArgumentOutOfRangeException.ThrowIfLessThan(config.ReadQueueNums, 1, nameof(config));
        ArgumentOutOfRangeException.ThrowIfLessThan(config.WriteQueueNums, 1, nameof(config));
        var masters = await GetMastersAsync(cluster, cancellationToken).ConfigureAwait(false);
        if (masters.Count == 0) throw new MQClientException("no master broker is registered with the name servers");
        var filter = config.TopicFilterType == TopicFilterType.MultiTag ? "MULTI_TAG" : "SINGLE_TAG";
        var header = new CreateTopicRequestHeader(config.TopicName, "TBW102", config.ReadQueueNums, config.WriteQueueNums, config.Perm, filter,
            config.TopicSysFlag, config.Order);
        foreach (var (name, address) in masters)
            await BrokerAsync(address, RemotingCommand.CreateRequest(RequestCode.UpdateAndCreateTopic, header.ToExtFields()), cancellationToken).ConfigureAwait(false);

        return masters.Select(m => m.BrokerName).ToList();
    }

    /// <summary>
    /// Deletes <paramref name="topic"/> from every master of <paramref name="cluster"/> (all clusters when null), then
    /// from every name server (RocketMQ's order: a broker that still had it would register it again).
    /// </summary>
    /// <returns>The broker names it was deleted from.</returns>
    public async Task<IReadOnlyList<string>> DeleteTopicAsync(string topic, string? cluster = null, CancellationToken cancellationToken = default)
    {
        if (ResourceNames.ValidateTopic(topic) is { } invalid) throw new ArgumentException(invalid, nameof(topic));
        var masters = await GetMastersAsync(cluster, cancellationToken).ConfigureAwait(false);
        var header = new DeleteTopicRequestHeader(topic).ToExtFields();
        foreach (var (_, address) in masters)
            await BrokerAsync(address, RemotingCommand.CreateRequest(RequestCode.DeleteTopicInBroker, header), cancellationToken).ConfigureAwait(false);

        // Every name server keeps its own route table, so each must forget the topic.
        foreach (var address in _client.Options.NamesrvAddr)
            await BrokerAsync(address, RemotingCommand.CreateRequest(RequestCode.DeleteTopicInNamesrv, header), cancellationToken).ConfigureAwait(false);
        return masters.Select(m => m.BrokerName).ToList();
    }

    /// <summary>Every topic the name servers route (GET_ALL_TOPIC_LIST_FROM_NAMESERVER), sorted.</summary>
    public async Task<IReadOnlyList<string>> GetTopicListAsync(CancellationToken cancellationToken = default)
    {
        var response = await NameServerAsync(RemotingCommand.CreateRequest(RequestCode.GetAllTopicListFromNameserver), cancellationToken).ConfigureAwait(false);
        if (!RemotingJson.TryDeserialize<TopicList>(response.Body.Span, out var list, out var error) || list is null)
            throw new MQClientException($"unreadable topic list: {error}");
        return list.Topics.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The broker at <paramref name="brokerAddress"/>'s configuration of <paramref name="topic"/> (GET_ALL_TOPIC_CONFIG), or null when it has none.</summary>
    public async Task<TopicConfig?> GetTopicConfigAsync(string brokerAddress, string topic, CancellationToken cancellationToken = default)
    {
        var response = await BrokerAsync(brokerAddress, RemotingCommand.CreateRequest(RequestCode.GetAllTopicConfig), cancellationToken).ConfigureAwait(false);
        if (!RemotingJson.TryDeserialize<TopicConfigSerializeWrapper>(response.Body.Span, out var table, out var error) || table is null)
            throw new MQClientException($"broker {brokerAddress} sent an unreadable topic table: {error}");
        return table.TopicConfigTable.GetValueOrDefault(topic);
    }

    /// <summary>
    /// Per queue of <paramref name="topic"/> on every broker group routing it: min and max offset and the store time
    /// of the newest message (0 for an empty queue), as RocketMQ's topicStatus shows them.
    /// </summary>
    /// <exception cref="MQClientException">No name server routes the topic.</exception>
    public async Task<IReadOnlyList<TopicQueueStatus>> GetTopicStatusAsync(string topic, CancellationToken cancellationToken = default)
    {
        var route = await RequireRouteAsync(topic, cancellationToken).ConfigureAwait(false);
        var result = new List<TopicQueueStatus>();
        foreach (var queueData in route.QueueDatas.OrderBy(q => q.BrokerName, StringComparer.Ordinal))
        {
            if (MasterOf(route, queueData.BrokerName) is not { } address) continue;
            for (var queueId = 0; queueId < Math.Max(queueData.ReadQueueNums, queueData.WriteQueueNums); queueId++)
            {
                var queue = new MessageQueueRef(topic, queueData.BrokerName, queueId);
                var min = await OffsetAsync(address, RequestCode.GetMinOffset, new TopicQueueRequestHeader(topic, queueId).ToExtFields(), cancellationToken).ConfigureAwait(false);
                var max = await OffsetAsync(address, RequestCode.GetMaxOffset, new TopicQueueRequestHeader(topic, queueId).ToExtFields(), cancellationToken).ConfigureAwait(false);
                var last = max > min ? await StoreTimeAtAsync(address, queue, max - 1, cancellationToken).ConfigureAwait(false) : 0;
                result.Add(new TopicQueueStatus(queueData.BrokerName, queueId, min, max, last));
            }
        }

        return result;
    }

    /// <summary>
    /// The progress of consumer group <paramref name="group"/> (GET_CONSUME_STATS) per queue: the queue's max offset,
    /// the group's committed offset and the lag, from every master (or, with <paramref name="topic"/>, every master
    /// routing that topic), sorted by topic, broker and queue; and the group's pull rate summed over those brokers.
    /// No queues when no broker knows the group.
    /// </summary>
    public async Task<ConsumeProgress> GetConsumeProgressAsync(string group, string? topic = null, CancellationToken cancellationToken = default)
    {
        if (ResourceNames.ValidateGroup(group) is { } invalid) throw new ArgumentException(invalid, nameof(group));
        IEnumerable<string> addresses;
        if (topic is null)
        {
            addresses = (await GetMastersAsync(null, cancellationToken).ConfigureAwait(false)).Select(m => m.Address);
        }
        else
        {
            var route = await RequireRouteAsync(topic, cancellationToken).ConfigureAwait(false);
            addresses = route.BrokerDatas.Select(b => b.BrokerAddrs.GetValueOrDefault(0)).OfType<string>();
        }

        var result = new List<QueueConsumeProgress>();
        var tps = 0.0;
        foreach (var address in addresses.Distinct(StringComparer.Ordinal))
        {
            var request = RemotingCommand.CreateRequest(RequestCode.GetConsumeStats, new GetConsumeStatsRequestHeader(group, topic).ToExtFields());
            var response = await BrokerAsync(address, request, cancellationToken).ConfigureAwait(false);
            if (!RemotingJson.TryDeserialize<ConsumeStats>(response.Body.Span, out var stats, out var error) || stats is null)
                throw new MQClientException($"broker {address} sent unreadable consume stats: {error}");
            result.AddRange(stats.OffsetTable.Select(e => new QueueConsumeProgress(e.Key.Topic, e.Key.BrokerName, e.Key.QueueId, e.Value.BrokerOffset,
                e.Value.ConsumerOffset, e.Value.LastTimestamp)));
            tps += stats.ConsumeTps;
        }

        return new ConsumeProgress(
            result.OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.BrokerName, StringComparer.Ordinal).ThenBy(p => p.QueueId).ToList(), tps);
    }

    /// <summary>
    /// The live members of consumer group <paramref name="group"/> and its subscriptions
    /// (GET_CONSUMER_CONNECTION_LIST from every master, members merged by client id).
    /// </summary>
    /// <exception cref="MQClientException">No broker has a member of the group online.</exception>
    public async Task<ConsumerConnection> GetConsumerConnectionsAsync(string group, CancellationToken cancellationToken = default)
    {
        if (ResourceNames.ValidateGroup(group) is { } invalid) throw new ArgumentException(invalid, nameof(group));
        ConsumerConnection? merged = null;
        foreach (var (name, address) in await GetMastersAsync(null, cancellationToken).ConfigureAwait(false))
        {
            var request = RemotingCommand.CreateRequest(RequestCode.GetConsumerConnectionList, new ConsumerGroupRequestHeader(group).ToExtFields());
            var response = await _client.InvokeAsync(address, request, _client.Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            if (response.Code == ResponseCode.ConsumerNotOnline) continue;
            if (response.Code != ResponseCode.Success) throw new MQBrokerException(response.Code, response.Remark, $"{name} ({address})");
            if (!RemotingJson.TryDeserialize<ConsumerConnection>(response.Body.Span, out var connection, out var error) || connection is null)
                throw new MQClientException($"broker {address} sent an unreadable connection list: {error}");
            if (merged is null)
            {
                merged = connection;
                continue;
            }

            foreach (var member in connection.ConnectionSet.Where(c => merged.ConnectionSet.All(m => m.ClientId != c.ClientId))) merged.ConnectionSet.Add(member);
            foreach (var (subscribed, data) in connection.SubscriptionTable) merged.SubscriptionTable.TryAdd(subscribed, data);
        }

        return merged ?? throw new MQClientException($"consumer group {group} is not online");
    }

    /// <summary>
    /// Messages of <paramref name="topic"/> carrying <paramref name="key"/> (QUERY_MESSAGE on every master routing the
    /// topic, stored within the time range), at most <paramref name="maxNum"/> per broker; index hash collisions are
    /// filtered out. Sorted by store time.
    /// </summary>
    public async Task<IReadOnlyList<MessageExt>> QueryMessagesByKeyAsync(string topic, string key, int maxNum = 64, DateTimeOffset? begin = null,
        DateTimeOffset? end = null, CancellationToken cancellationToken = default) =>
        await QueryIndexAsync(topic, key, maxNum, begin, end, unique: false, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The message with offset msgId <paramref name="msgId"/> (VIEW_MESSAGE_BY_ID at the broker the id names), or
    /// null when <paramref name="msgId"/> is not an offset msgId.
    /// </summary>
    /// <exception cref="MQBrokerException">The broker has no message at that offset.</exception>
    public async Task<MessageExt?> ViewMessageAsync(string msgId, CancellationToken cancellationToken = default)
    {
        if (!MessageId.TryDecodeOffsetId(msgId, out var storeHost, out var offset)) return null;
        string address;
        try
        {
            address = storeHost.ToString();
        }
        catch (ArgumentOutOfRangeException)
        {
            // A producer's unique id has the same length; its bytes rarely make a valid port.
            return null;
        }

        var request = RemotingCommand.CreateRequest(RequestCode.ViewMessageById, new ViewMessageRequestHeader(offset).ToExtFields());
        var response = await BrokerAsync(address, request, cancellationToken).ConfigureAwait(false);
        var info = await GetClusterInfoAsync(cancellationToken).ConfigureAwait(false);
        var brokerName = info.BrokerAddrTable.Values.FirstOrDefault(b => b.BrokerAddrs.ContainsValue(address))?.BrokerName ?? address;
        return MessageExt.DecodeAll(response.Body.Span, brokerName).FirstOrDefault()
               ?? throw new MQClientException($"broker {address} sent an unreadable message for id {msgId}");
    }

    /// <summary>
    /// Messages of <paramref name="topic"/> whose client-side unique id (UNIQ_KEY, a producer's msgId) is
    /// <paramref name="uniqueId"/>: a key query flagged <c>_UNIQUE_KEY_QUERY</c>, as RocketMQ's queryMsgById falls back to.
    /// </summary>
    public async Task<IReadOnlyList<MessageExt>> QueryMessagesByUniqueIdAsync(string topic, string uniqueId, CancellationToken cancellationToken = default) =>
        await QueryIndexAsync(topic, uniqueId, 32, null, null, unique: true, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Moves consumer group <paramref name="group"/>'s committed offset of every queue of <paramref name="topic"/> to the
    /// first message stored at or after <paramref name="timestamp"/> (RocketMQ 4's resetOffsetByTime the old way:
    /// SEARCH_OFFSET_BY_TIMESTAMP, then UPDATE_CONSUMER_OFFSET). Running consumers keep their in-memory positions and
    /// commit them again; a consumer picks the new offsets up when it starts or is given the queue by a rebalance.
    /// </summary>
    public async Task<IReadOnlyList<OffsetResetResult>> ResetOffsetByTimeAsync(string group, string topic, DateTimeOffset timestamp,
        CancellationToken cancellationToken = default)
    {
        if (ResourceNames.ValidateGroup(group) is { } invalid) throw new ArgumentException(invalid, nameof(group));
        var route = await RequireRouteAsync(topic, cancellationToken).ConfigureAwait(false);
        var result = new List<OffsetResetResult>();
        foreach (var queue in BrokerCalls.ReadableQueues(topic, route).OrderBy(q => q.BrokerName, StringComparer.Ordinal).ThenBy(q => q.QueueId))
        {
            if (MasterOf(route, queue.BrokerName) is not { } address) continue;
            var previous = await BrokerCalls.QueryCommittedAsync(_client, address, group, queue, cancellationToken).ConfigureAwait(false);
            var target = await OffsetAsync(address, RequestCode.SearchOffsetByTimestamp,
                new SearchOffsetRequestHeader(topic, queue.QueueId, timestamp.ToUnixTimeMilliseconds()).ToExtFields(), cancellationToken).ConfigureAwait(false);
            await BrokerCalls.CommitAsync(_client, address, group, queue, target, cancellationToken).ConfigureAwait(false);
            result.Add(new OffsetResetResult(topic, queue.BrokerName, queue.QueueId, previous, target));
        }

        return result;
    }

    /// <summary>The runtime figures of the broker at <paramref name="brokerAddress"/> (GET_BROKER_RUNTIME_INFO's KVTable).</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetBrokerRuntimeInfoAsync(string brokerAddress, CancellationToken cancellationToken = default)
    {
        var response = await BrokerAsync(brokerAddress, RemotingCommand.CreateRequest(RequestCode.GetBrokerRuntimeInfo), cancellationToken).ConfigureAwait(false);
        if (!RemotingJson.TryDeserialize<KVTable>(response.Body.Span, out var table, out var error) || table is null)
            throw new MQClientException($"broker {brokerAddress} sent unreadable runtime info: {error}");
        return table.Table;
    }

    /// <summary>The route of <paramref name="topic"/>, or null when no name server knows it.</summary>
    public Task<TopicRouteData?> GetRouteAsync(string topic, CancellationToken cancellationToken = default) =>
        _client.GetRouteAsync(topic, refresh: true, cancellationToken);

    /// <summary>Waits until the name servers route <paramref name="topic"/> (a broker registers new topics asynchronously).</summary>
    public async Task<TopicRouteData> WaitForRouteAsync(string topic, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await GetRouteAsync(topic, cancellationToken).ConfigureAwait(false) is { QueueDatas.Count: > 0 } route) return route;
            if (DateTime.UtcNow > deadline) throw new MQClientException($"topic {topic} has no route after {timeout.TotalSeconds:0} s");
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _client.DisposeAsync();

    private async Task<TopicRouteData> RequireRouteAsync(string topic, CancellationToken cancellationToken)
    {
        if (ResourceNames.ValidateTopic(topic) is { } invalid) throw new ArgumentException(invalid, nameof(topic));
        return await GetRouteAsync(topic, cancellationToken).ConfigureAwait(false) is { QueueDatas.Count: > 0 } route
            ? route
            : throw new MQClientException($"topic {topic} does not exist");
    }

    private static string? MasterOf(TopicRouteData route, string brokerName) =>
        route.BrokerDatas.FirstOrDefault(b => b.BrokerName == brokerName)?.BrokerAddrs.GetValueOrDefault(0);

    // A request to a broker (or a name server) that must answer SUCCESS.
    private async Task<RemotingCommand> BrokerAsync(string address, RemotingCommand request, CancellationToken cancellationToken)
    {
        var response = await _client.InvokeAsync(address, request, _client.Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        if (response.Code != ResponseCode.Success) throw new MQBrokerException(response.Code, response.Remark, address);
        return response;
    }

    private async Task<long> OffsetAsync(string address, int code, Dictionary<string, string> header, CancellationToken cancellationToken)
    {
        var response = await BrokerAsync(address, RemotingCommand.CreateRequest(code, header), cancellationToken).ConfigureAwait(false);
        return response.ReadHeader<OffsetResponseHeader>(out var error)?.Offset
               ?? throw new MQClientException($"broker {address} answered {RequestCode.Describe(code)} without an offset: {error}");
    }

    // No request returns the store time at an offset, so the record itself is pulled (without a registered group).
    private async Task<long> StoreTimeAtAsync(string address, MessageQueueRef queue, long offset, CancellationToken cancellationToken)
    {
        var response = await BrokerCalls.PullAsync(_client, address, ToolsGroup, queue, offset, 1, "*", TimeSpan.Zero, 0, cancellationToken).ConfigureAwait(false);
        return response.Code == ResponseCode.Success ? MessageExt.DecodeAll(response.Body.Span, queue.BrokerName).FirstOrDefault()?.StoreTimestamp ?? 0 : 0;
    }

    private async Task<List<MessageExt>> QueryIndexAsync(string topic, string key, int maxNum, DateTimeOffset? begin, DateTimeOffset? end, bool unique,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var route = await RequireRouteAsync(topic, cancellationToken).ConfigureAwait(false);
        var header = new QueryMessageRequestHeader(topic, key, maxNum, begin?.ToUnixTimeMilliseconds() ?? 0,
            end?.ToUnixTimeMilliseconds() ?? long.MaxValue).ToExtFields();
        if (unique) header["_UNIQUE_KEY_QUERY"] = "true";
        var found = new List<MessageExt>();
        foreach (var broker in route.BrokerDatas.OrderBy(b => b.BrokerName, StringComparer.Ordinal))
        {
            if (broker.BrokerAddrs.GetValueOrDefault(0) is not { } address) continue;
            var response = await _client.InvokeAsync(address, RemotingCommand.CreateRequest(RequestCode.QueryMessage, new Dictionary<string, string>(header)),
                _client.Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            if (response.Code == ResponseCode.QueryNotFound) continue;
            if (response.Code != ResponseCode.Success) throw new MQBrokerException(response.Code, response.Remark, address);
            // The index is a hash table: a hit may be another key with the same hash.
            found.AddRange(MessageExt.DecodeAll(response.Body.Span, broker.BrokerName).Where(m => m.Topic == topic && (unique
                ? m.Properties.GetValueOrDefault(MessageProperties.UniqueKey) == key
                : m.Keys?.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(key, StringComparer.Ordinal) == true)));
        }

        return found.OrderBy(m => m.StoreTimestamp).ThenBy(m => m.CommitLogOffset).ToList();
    }

    private async Task<RemotingCommand> NameServerAsync(RemotingCommand request, CancellationToken cancellationToken)
    {
        Exception? last = null;
        foreach (var address in _client.Options.NamesrvAddr)
        {
            try
            {
                var response = await _client.InvokeAsync(address, request, _client.Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
                if (response.Code != ResponseCode.Success) throw new MQBrokerException(response.Code, response.Remark, address);
                return response;
            }
            catch (Exception e) when (e is Remoting.RemotingConnectionException or Remoting.RemotingTimeoutException)
            {
                last = e;
            }
        }

        throw new MQClientException("no name server answered", last);
    }
}

/// <summary>One queue of a topic in <see cref="AdminClient.GetTopicStatusAsync"/>.</summary>
/// <param name="BrokerName">The broker group.</param>
/// <param name="QueueId">The queue.</param>
/// <param name="MinOffset">The oldest offset still stored.</param>
/// <param name="MaxOffset">The offset the next message gets.</param>
/// <param name="LastUpdateTimestamp">Store time of the newest message, ms since the epoch; 0 for an empty queue.</param>
public sealed record TopicQueueStatus(string BrokerName, int QueueId, long MinOffset, long MaxOffset, long LastUpdateTimestamp);

/// <summary>A consumer group's progress (<see cref="AdminClient.GetConsumeProgressAsync"/>).</summary>
/// <param name="Queues">Per queue, sorted by topic, broker and queue.</param>
/// <param name="ConsumeTps">Messages per second the group pulled over about the last minute, summed over the brokers.</param>
public sealed record ConsumeProgress(IReadOnlyList<QueueConsumeProgress> Queues, double ConsumeTps)
{
    /// <summary>Messages not yet consumed, over all queues.</summary>
    public long TotalLag => Queues.Sum(q => q.Lag);
}

/// <summary>A consumer group's progress in one queue (<see cref="AdminClient.GetConsumeProgressAsync"/>).</summary>
/// <param name="Topic">The topic.</param>
/// <param name="BrokerName">The broker group.</param>
/// <param name="QueueId">The queue.</param>
/// <param name="BrokerOffset">The queue's max offset.</param>
/// <param name="ConsumerOffset">The group's committed offset (0 when it has none).</param>
/// <param name="LastTimestamp">Store time of the last consumed message, ms since the epoch; 0 when unknown.</param>
public sealed record QueueConsumeProgress(string Topic, string BrokerName, int QueueId, long BrokerOffset, long ConsumerOffset, long LastTimestamp)
{
    /// <summary>Messages not yet consumed.</summary>
    public long Lag => Math.Max(BrokerOffset - ConsumerOffset, 0);
}

/// <summary>One queue moved by <see cref="AdminClient.ResetOffsetByTimeAsync"/>.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="BrokerName">The broker group.</param>
/// <param name="QueueId">The queue.</param>
/// <param name="PreviousOffset">The committed offset before (-1: none).</param>
/// <param name="NewOffset">The committed offset now.</param>
public sealed record OffsetResetResult(string Topic, string BrokerName, int QueueId, long PreviousOffset, long NewOffset);
