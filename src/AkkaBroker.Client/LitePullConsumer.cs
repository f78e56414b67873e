using System.Collections.Concurrent;
using AkkaBroker.Common.Naming;
using AkkaBroker.Protocol;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Client;

/// <summary>Lite pull consumer settings.</summary>
public sealed class LitePullConsumerOptions : ClientOptions
{
    /// <summary>The consumer group (offsets are committed under it).</summary>
    public string ConsumerGroup { get; init; } = "DEFAULT_CONSUMER";

    /// <summary>Where a queue without a committed offset starts.</summary>
    public ConsumeFromWhere ConsumeFromWhere { get; init; } = ConsumeFromWhere.ConsumeFromLastOffset;

    /// <summary>With <see cref="ConsumeFromWhere.ConsumeFromTimestamp"/>: the start time.</summary>
    public DateTimeOffset ConsumeTimestamp { get; init; } = DateTimeOffset.UtcNow.AddMinutes(-30);

    /// <summary>Messages per pull request.</summary>
    public int PullBatchSize { get; init; } = 32;

    /// <summary>How long the broker may hold a pull that finds nothing.</summary>
    public TimeSpan BrokerSuspendMaxTime { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>With subscriptions: how often the assignment is recomputed.</summary>
    public TimeSpan RebalanceInterval { get; init; } = TimeSpan.FromSeconds(20);
}

/// <summary>
/// A pull consumer the application drives (RocketMQ's lite pull consumer): subscribe topics (queues are divided
/// among the group's members like a push consumer's) or assign queues yourself, then <see cref="PollAsync"/>
/// returns the next messages of the owned queues; positions advance as messages are returned and are committed
/// when you call <see cref="CommitAsync"/>. <see cref="Seek"/>, <see cref="Pause"/> and <see cref="Resume"/>
/// steer single queues. Not thread-safe: one poller at a time (like Kafka's consumer).
/// </summary>
public sealed class LitePullConsumer : IAsyncDisposable
{
    private readonly LitePullConsumerOptions _options;
    private readonly ILogger _log;
    private readonly Dictionary<string, TagFilter> _subscriptions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<MessageQueueRef, long> _positions = new();
    private readonly HashSet<MessageQueueRef> _paused = [];
    private List<MessageQueueRef> _assigned = [];
    private bool _manual;
    private int _next;
    private long _lastRebalance;
    private ClientInstance? _client;

    /// <summary>A consumer with <paramref name="options"/>.</summary>
    public LitePullConsumer(LitePullConsumerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (ResourceNames.ValidateGroup(options.ConsumerGroup) is { } invalid) throw new ArgumentException(invalid, nameof(options));
        _options = options;
        _log = options.LoggerFactory.CreateLogger<LitePullConsumer>();
    }

    /// <summary>The queues polled now.</summary>
    public IReadOnlyList<MessageQueueRef> Assignment => _assigned;

    /// <summary>Subscribes <paramref name="topic"/> (group-managed queues).</summary>
    public void Subscribe(string topic, string expression = "*")
    {
        if (ResourceNames.ValidateTopic(topic) is { } invalid) throw new ArgumentException(invalid, nameof(topic));
        if (_manual) throw new InvalidOperationException("this consumer assigns its queues itself");
        _subscriptions[topic] = TagFilter.Parse(expression);
    }

    /// <summary>Polls exactly these queues (no group rebalancing).</summary>
    public void Assign(IEnumerable<MessageQueueRef> queues)
    {
        if (_subscriptions.Count > 0) throw new InvalidOperationException("this consumer subscribes topics");
        _manual = true;
        _assigned = queues.Distinct().ToList();
    }

    /// <summary>The queues of <paramref name="topic"/> (for <see cref="Assign"/>).</summary>
    public async Task<IReadOnlyList<MessageQueueRef>> FetchQueuesAsync(string topic, CancellationToken cancellationToken = default)
    {
        var route = await Client.GetRouteAsync(topic, refresh: true, cancellationToken).ConfigureAwait(false)
                    ?? throw new MQClientException($"topic {topic} has no route");
        return BrokerCalls.ReadableQueues(topic, route);
    }

    /// <summary>Connects; with subscriptions, registers with the group (heartbeat) and takes its share of the queues.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_client is not null) throw new InvalidOperationException("already started");
        _client = new ClientInstance(_options);
        if (!_manual && _subscriptions.Count > 0) await RebalanceAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Moves the position of <paramref name="queue"/> to <paramref name="offset"/> (the next message returned).</summary>
    public void Seek(MessageQueueRef queue, long offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        _positions[queue] = offset;
    }

    /// <summary>Stops returning messages of these queues until <see cref="Resume"/>.</summary>
    public void Pause(IEnumerable<MessageQueueRef> queues)
    {
        foreach (var q in queues) _paused.Add(q);
    }

    /// <summary>Returns messages of these queues again.</summary>
    public void Resume(IEnumerable<MessageQueueRef> queues)
    {
        foreach (var q in queues) _paused.Remove(q);
    }

    /// <summary>
    /// The next messages of one owned queue (queues are visited in turn), waiting up to <paramref name="timeout"/>
    /// for some to arrive; empty when none did.
    /// </summary>
    public async Task<IReadOnlyList<MessageExt>> PollAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        do
        {
            if (!_manual && Environment.TickCount64 - _lastRebalance > _options.RebalanceInterval.TotalMilliseconds)
                await RebalanceAsync(cancellationToken).ConfigureAwait(false);
            var active = _assigned.Where(q => !_paused.Contains(q)).ToList();
            if (active.Count == 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
                continue;
            }

            // One short pull per queue in turn, so a busy queue cannot starve the others.
            for (var i = 0; i < active.Count; i++)
            {
                var queue = active[(_next++ & int.MaxValue) % active.Count];
                var found = await PullAsync(queue, cancellationToken).ConfigureAwait(false);
                if (found.Count > 0) return found;
            }
        }
        while (DateTime.UtcNow < deadline);

        return [];
    }

    /// <summary>Commits the current position of every owned queue (or of <paramref name="queues"/>) to the broker.</summary>
    public async Task CommitAsync(IEnumerable<MessageQueueRef>? queues = null, CancellationToken cancellationToken = default)
    {
        foreach (var queue in (queues ?? _assigned).ToList())
        {
            if (!_positions.TryGetValue(queue, out var offset)) continue;
            var address = Client.FindMasterAddress(queue.BrokerName) ?? throw new MQClientException($"no address for broker {queue.BrokerName}");
            await BrokerCalls.CommitAsync(Client, address, _options.ConsumerGroup, queue, offset, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts a commit and returns at once; failures are logged.</summary>
    public void CommitAsyncFireAndForget(IEnumerable<MessageQueueRef>? queues = null) =>
        _ = CommitAsync(queues).ContinueWith(t => _log.LogWarning(t.Exception, "Commit failed"), TaskContinuationOptions.OnlyOnFaulted);

    /// <summary>The committed offset of <paramref name="queue"/> at the broker, or -1.</summary>
    public async Task<long> CommittedAsync(MessageQueueRef queue, CancellationToken cancellationToken = default)
    {
        var address = Client.FindMasterAddress(queue.BrokerName) ?? throw new MQClientException($"no address for broker {queue.BrokerName}");
        return await BrokerCalls.QueryCommittedAsync(Client, address, _options.ConsumerGroup, queue, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Leaves the group and closes the connections (positions are not committed: call <see cref="CommitAsync"/> first).</summary>
    public async ValueTask DisposeAsync()
    {
        var client = Interlocked.Exchange(ref _client, null);
        if (client is null) return;
        if (!_manual && _subscriptions.Count > 0) await client.UnregisterAsync(null, _options.ConsumerGroup).ConfigureAwait(false);

        await client.DisposeAsync().ConfigureAwait(false);
    }

    private ClientInstance Client => _client ?? throw new InvalidOperationException("start the consumer first");

    private async Task<IReadOnlyList<MessageExt>> PullAsync(MessageQueueRef queue, CancellationToken ct)
    {
        var address = Client.FindMasterAddress(queue.BrokerName);
        if (address is null)
        {
            await Client.GetRouteAsync(queue.Topic, refresh: true, ct).ConfigureAwait(false);
            address = Client.FindMasterAddress(queue.BrokerName) ?? throw new MQClientException($"no address for broker {queue.BrokerName}");
        }

        if (!_positions.TryGetValue(queue, out var position))
        {
            position = await BrokerCalls.QueryCommittedAsync(Client, address, _options.ConsumerGroup, queue, ct).ConfigureAwait(false);
            if (position < 0)
                position = await BrokerCalls.StartingOffsetAsync(Client, address, queue, _options.ConsumeFromWhere, _options.ConsumeTimestamp, ct).ConfigureAwait(false);
            _positions[queue] = Math.Max(position, 0);
        }

        var filter = _subscriptions.GetValueOrDefault(queue.Topic) ?? TagFilter.All;
        var response = await BrokerCalls.PullAsync(Client, address, _options.ConsumerGroup, queue, position, _options.PullBatchSize, filter.Expression,
            _options.BrokerSuspendMaxTime, 0, ct).ConfigureAwait(false);
        var header = response.ReadHeader<PullMessageResponseHeader>(out _);
        if (header is null) throw new MQBrokerException(response.Code, response.Remark, address);
        // Every pull status carries where to continue; a moved offset is simply adopted.
        _positions[queue] = header.NextBeginOffset;
        if (response.Code != ResponseCode.Success) return [];
        return MessageExt.DecodeAll(response.Body.Span, queue.BrokerName)
            .Where(m => filter.MatchesAll || (m.Tags is { } tag && filter.Tags.Contains(tag))).ToList();
    }

    private async Task RebalanceAsync(CancellationToken ct)
    {
        _lastRebalance = Environment.TickCount64;
        var heartbeat = BrokerCalls.ConsumerHeartbeat(Client.ClientId, _options.ConsumerGroup, ConsumeType.ConsumeActively, MessageModel.Clustering,
            _options.ConsumeFromWhere, _subscriptions);
        var wanted = new List<MessageQueueRef>();
        foreach (var topic in _subscriptions.Keys)
        {
            var route = await Client.GetRouteAsync(topic, refresh: true, ct).ConfigureAwait(false);
            if (route is null) continue;
            List<string>? members = null;
            foreach (var address in route.BrokerDatas.Select(b => b.BrokerAddrs.GetValueOrDefault(0)).OfType<string>())
            {
                await Client.InvokeAsync(address, RemotingCommand.CreateRequest(RequestCode.HeartBeat, body: heartbeat),
                    _options.RequestTimeout, ct).ConfigureAwait(false);
                var list = await Client.InvokeAsync(address, RemotingCommand.CreateRequest(RequestCode.GetConsumerListByGroup,
                    new ConsumerGroupRequestHeader(_options.ConsumerGroup).ToExtFields()), _options.RequestTimeout, ct).ConfigureAwait(false);
                if (list.Code == ResponseCode.Success && RemotingJson.TryDeserialize<GetConsumerListByGroupResponseBody>(list.Body.Span, out var body, out _))
                    members = body!.ConsumerIdList;
            }

            wanted.AddRange(QueueAllocation.Allocate(AllocateStrategy.Average, Client.ClientId, members ?? [Client.ClientId], BrokerCalls.ReadableQueues(topic, route)));
        }

        var gone = _assigned.Except(wanted).ToList();
        // Hand over where this member got to before another member takes the queue.
        if (gone.Count > 0) await CommitAsync(gone, ct).ConfigureAwait(false);
        foreach (var queue in gone) _positions.TryRemove(queue, out _);
        _assigned = wanted;
    }
}
