using System.Collections.Concurrent;
using System.Text.Json;
using AkkaBroker.Common.Naming;
using AkkaBroker.Protocol;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Client;

/// <summary>
/// A push consumer (RocketMQ's DefaultMQPushConsumer): subscribes topics with tag expressions, divides the group's
/// queues among its members (client-side rebalance every <see cref="PushConsumerOptions.RebalanceInterval"/> and when
/// the broker says membership changed), long-polls each owned queue, and hands messages to a concurrent or an
/// orderly callback. Failed messages go back to the broker for redelivery; offsets are committed every few seconds
/// and at shutdown (broadcasting keeps them in a local file).
/// </summary>
public sealed class PushConsumer : IAsyncDisposable
{
    private readonly PushConsumerOptions _options;
    private readonly ILogger _log;
    private readonly Dictionary<string, TagFilter> _subscriptions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<MessageQueueRef, QueueWork> _owned = new();
    private readonly ConcurrentDictionary<MessageQueueRef, long> _offsets = new();
    private readonly SemaphoreSlim _rebalanceGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private Func<IReadOnlyList<MessageExt>, Task<ConsumeResult>>? _concurrent;
    private Func<IReadOnlyList<MessageExt>, Task<OrderlyConsumeResult>>? _orderly;
    private SemaphoreSlim? _consumeSlots;
    private ClientInstance? _client;
    private Task? _loops;
    private string? _localOffsetFile;

    /// <summary>A consumer with <paramref name="options"/>; subscribe and register a callback, then start it.</summary>
    public PushConsumer(PushConsumerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (ResourceNames.ValidateGroup(options.ConsumerGroup) is { } invalid) throw new ArgumentException(invalid, nameof(options));
        _options = options;
        _log = options.LoggerFactory.CreateLogger<PushConsumer>();
    }

    /// <summary>This client's id (after start).</summary>
    public string ClientId => _client?.ClientId ?? throw new InvalidOperationException("not started");

    /// <summary>The queues this member owns now.</summary>
    public IReadOnlyCollection<MessageQueueRef> OwnedQueues => _owned.Keys.ToArray();

    /// <summary>Subscribes <paramref name="topic"/> with a tag expression (<c>*</c>, or <c>TagA || TagB</c>).</summary>
    public void Subscribe(string topic, string expression = "*")
    {
        if (ResourceNames.ValidateTopic(topic) is { } invalid) throw new ArgumentException(invalid, nameof(topic));
        if (_client is not null) throw new InvalidOperationException("subscribe before starting");
        _subscriptions[topic] = TagFilter.Parse(expression);
    }

    /// <summary>Consumes messages concurrently: up to <see cref="PushConsumerOptions.ConsumeThreadMax"/> callbacks at once.</summary>
    public void RegisterListener(Func<IReadOnlyList<MessageExt>, Task<ConsumeResult>> listener) => _concurrent = listener;

    /// <summary>Consumes each queue in order, one batch at a time, holding the queue's lock on the broker.</summary>
    public void RegisterOrderlyListener(Func<IReadOnlyList<MessageExt>, Task<OrderlyConsumeResult>> listener) => _orderly = listener;

    private bool Orderly => _orderly is not null;

    private bool Broadcasting => _options.MessageModel == MessageModel.Broadcasting;

    /// <summary>Starts heartbeats, rebalancing and pulling.</summary>
    /// <exception cref="InvalidOperationException">No subscription or no listener.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_subscriptions.Count == 0) throw new InvalidOperationException("subscribe to at least one topic before starting");
        if (_concurrent is null == _orderly is null) throw new InvalidOperationException("register exactly one listener (concurrent or orderly)");
        if (_client is not null) throw new InvalidOperationException("already started");
        // Failed messages come back through the group's retry topic, which clustering members subscribe too.
        if (!Broadcasting) _subscriptions.TryAdd("%RETRY%" + _options.ConsumerGroup, TagFilter.All);
        _consumeSlots = new SemaphoreSlim(Math.Max(1, _options.ConsumeThreadMax));
        _client = new ClientInstance(_options, OnBrokerRequestAsync);
        if (Broadcasting) LoadLocalOffsets();
        foreach (var topic in _subscriptions.Keys)
        {
            try
            {
                await _client.GetRouteAsync(topic, refresh: true, cancellationToken).ConfigureAwait(false);
            }
            catch (MQClientException e)
            {
                _log.LogWarning("No route for {Topic} yet: {Reason}", topic, e.Message);
            }
        }

        await HeartbeatAsync().ConfigureAwait(false);
        await RebalanceAsync().ConfigureAwait(false);
        _loops = Task.WhenAll(
            EveryAsync(_options.RebalanceInterval, RebalanceAsync),
            EveryAsync(_options.HeartbeatBrokerInterval, HeartbeatAsync),
            EveryAsync(_options.PersistConsumerOffsetInterval, PersistOffsetsAsync));
    }

    /// <summary>Stops pulling, waits for running callbacks, commits offsets, releases locks and leaves the group.</summary>
    public async Task ShutdownAsync()
    {
        var client = _client;
        if (client is null || _stopping.IsCancellationRequested) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loops is not null) await _loops.ConfigureAwait(false);
        await Task.WhenAll(_owned.Values.Select(w => w.StopAsync())).ConfigureAwait(false);
        await PersistOffsetsAsync().ConfigureAwait(false);
        if (Orderly) await UnlockAsync(_owned.Keys.ToList()).ConfigureAwait(false);
        await client.UnregisterAsync(null, _options.ConsumerGroup).ConfigureAwait(false);
        await client.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await ShutdownAsync().ConfigureAwait(false);

    private ClientInstance Client => _client ?? throw new InvalidOperationException("not started");

    private ValueTask<RemotingCommand?> OnBrokerRequestAsync(RemotingCommand request, RemotingConnection connection)
    {
        if (request.Code == RequestCode.NotifyConsumerIdsChanged) _ = Task.Run(RebalanceAsync);
        return new((RemotingCommand?)null);
    }

    private async Task EveryAsync(TimeSpan interval, Func<Task> action)
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, _stopping.Token).ConfigureAwait(false);
                await action().ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e)
            {
                _log.LogWarning(e, "Consumer {Group}: periodic task failed", _options.ConsumerGroup);
            }
        }
    }

    private async Task HeartbeatAsync()
    {
        var body = BrokerCalls.ConsumerHeartbeat(Client.ClientId, _options.ConsumerGroup, ConsumeType.ConsumePassively, _options.MessageModel,
            _options.ConsumeFromWhere, _subscriptions);
        foreach (var address in Client.AllMasterAddresses())
        {
            try
            {
                var response = await Client.InvokeAsync(address, RemotingCommand.CreateRequest(RequestCode.HeartBeat, body: body), _options.RequestTimeout)
                    .ConfigureAwait(false);
                if (response.Code != ResponseCode.Success) _log.LogWarning("Heartbeat to {Address} refused: {Remark}", address, response.Remark);
            }
            catch (Exception e) when (IsTransient(e))
            {
                _log.LogDebug("Heartbeat to {Address} failed: {Reason}", address, e.Message);
            }
        }
    }

    private async Task RebalanceAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        await _rebalanceGate.WaitAsync().ConfigureAwait(false);
        try
        {
            var wanted = new List<MessageQueueRef>();
            foreach (var topic in _subscriptions.Keys)
            {
                var route = await Client.GetRouteAsync(topic, refresh: true).ConfigureAwait(false);
                if (route is null) continue;
                var queues = BrokerCalls.ReadableQueues(topic, route);
                if (Broadcasting)
                {
                    wanted.AddRange(queues);
                    continue;
                }

                var members = await ConsumerIdsAsync(route).ConfigureAwait(false);
                if (members is null) continue; // keep what we have until the broker answers
                wanted.AddRange(QueueAllocation.Allocate(_options.AllocateStrategy, Client.ClientId, members, queues));
            }

            foreach (var gone in _owned.Keys.Except(wanted).ToList())
            {
                if (_owned.TryRemove(gone, out var work)) await work.StopAsync().ConfigureAwait(false);
                await CommitAsync(gone).ConfigureAwait(false);
                if (Orderly) await UnlockAsync([gone]).ConfigureAwait(false);
                _offsets.TryRemove(gone, out _);
            }

            if (Orderly)
            {
                var locked = await LockAsync(wanted).ConfigureAwait(false);
                wanted = wanted.Where(locked.Contains).ToList();
            }

            foreach (var added in wanted.Except(_owned.Keys).ToList())
            {
                var start = await StartOffsetAsync(added).ConfigureAwait(false);
                if (start < 0) continue;
                _offsets[added] = start;
                var work = new QueueWork(this, added, start);
                if (_owned.TryAdd(added, work)) work.Start();
            }
        }
        catch (Exception e) when (IsTransient(e))
        {
            _log.LogWarning("Rebalance of {Group} failed: {Reason}", _options.ConsumerGroup, e.Message);
        }
        finally
        {
            _rebalanceGate.Release();
        }
    }

    private async Task<List<string>?> ConsumerIdsAsync(TopicRouteData route)
    {
        foreach (var broker in route.BrokerDatas)
        {
            if (!broker.BrokerAddrs.TryGetValue(0, out var address)) continue;
            var request = RemotingCommand.CreateRequest(RequestCode.GetConsumerListByGroup, new ConsumerGroupRequestHeader(_options.ConsumerGroup).ToExtFields());
            try
            {
                var response = await Client.InvokeAsync(address, request, _options.RequestTimeout).ConfigureAwait(false);
                if (response.Code == ResponseCode.Success &&
                    RemotingJson.TryDeserialize<GetConsumerListByGroupResponseBody>(response.Body.Span, out var body, out _) && body is not null)
                    return body.ConsumerIdList;
            }
            catch (Exception e) when (IsTransient(e))
            {
            }
        }

        return null;
    }

    private async Task<long> StartOffsetAsync(MessageQueueRef queue)
    {
        if (Broadcasting && _offsets.TryGetValue(queue, out var local)) return local;
        var address = Client.FindMasterAddress(queue.BrokerName);
        if (address is null) return -1;
        if (!Broadcasting && await BrokerCalls.QueryCommittedAsync(Client, address, _options.ConsumerGroup, queue).ConfigureAwait(false) is >= 0 and var committed)
            return committed;
        return await BrokerCalls.StartingOffsetAsync(Client, address, queue, _options.ConsumeFromWhere, _options.ConsumeTimestamp).ConfigureAwait(false);
    }

    private async Task PersistOffsetsAsync()
    {
        if (Broadcasting)
        {
            SaveLocalOffsets();
            return;
        }

        foreach (var queue in _offsets.Keys.ToList()) await CommitAsync(queue).ConfigureAwait(false);
    }

    private async Task CommitAsync(MessageQueueRef queue)
    {
        if (Broadcasting || !_offsets.TryGetValue(queue, out var offset)) return;
        var address = Client.FindMasterAddress(queue.BrokerName);
        if (address is null) return;
        try
        {
            await BrokerCalls.CommitAsync(Client, address, _options.ConsumerGroup, queue, offset).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransient(e))
        {
            _log.LogDebug("Committing {Queue} failed: {Reason}", queue, e.Message);
        }
    }

    private async Task<HashSet<MessageQueueRef>> LockAsync(IReadOnlyList<MessageQueueRef> queues)
    {
        var locked = new HashSet<MessageQueueRef>();
        await ForEachBrokerAsync(queues, RequestCode.LockBatchMq, mqs => new LockBatchRequestBody { ClientId = Client.ClientId, ConsumerGroup = _options.ConsumerGroup, MqSet = mqs },
            response =>
            {
                if (response.Code == ResponseCode.Success && RemotingJson.TryDeserialize<LockBatchResponseBody>(response.Body.Span, out var ok, out _) && ok is not null)
                {
                    foreach (var q in ok.LockOkMqSet) locked.Add(new MessageQueueRef(q.Topic, q.BrokerName, q.QueueId));
                }
            }).ConfigureAwait(false);
        return locked;
    }

    private Task UnlockAsync(IReadOnlyList<MessageQueueRef> queues) =>
        ForEachBrokerAsync(queues, RequestCode.UnlockBatchMq,
            mqs => new UnlockBatchRequestBody { ClientId = Client.ClientId, ConsumerGroup = _options.ConsumerGroup, MqSet = mqs }, static _ => { });

    // One lock or unlock request per broker for its queues; a broker that does not answer simply locks nothing.
    private async Task ForEachBrokerAsync<TBody>(IReadOnlyList<MessageQueueRef> queues, int code, Func<List<MessageQueue>, TBody> body,
        Action<RemotingCommand> onResponse)
    {
        foreach (var byBroker in queues.GroupBy(q => q.BrokerName))
        {
            var address = Client.FindMasterAddress(byBroker.Key);
            if (address is null) continue;
            var mqs = byBroker.Select(q => new MessageQueue { Topic = q.Topic, BrokerName = q.BrokerName, QueueId = q.QueueId }).ToList();
            try
            {
                var response = await Client.InvokeAsync(address, RemotingCommand.CreateRequest(code, body: RemotingJson.Serialize(body(mqs))),
                    _options.RequestTimeout).ConfigureAwait(false);
                onResponse(response);
            }
            catch (Exception e) when (IsTransient(e))
            {
            }
        }
    }

    private async Task<bool> SendBackAsync(MessageExt message)
    {
        var address = Client.FindMasterAddress(message.BrokerName);
        if (address is null) return false;
        var header = new ConsumerSendMsgBackRequestHeader(message.CommitLogOffset, _options.ConsumerGroup, 0,
            message.Properties.GetValueOrDefault(MessageProperties.OriginMessageId) ?? message.MsgId, message.Topic, false, _options.MaxReconsumeTimes);
        try
        {
            var response = await Client.InvokeAsync(address, RemotingCommand.CreateRequest(RequestCode.ConsumerSendMsgBack, header.ToExtFields()),
                _options.RequestTimeout).ConfigureAwait(false);
            return response.Code == ResponseCode.Success;
        }
        catch (Exception e) when (IsTransient(e))
        {
            return false;
        }
    }

    private string LocalOffsetFile => _localOffsetFile ??= Path.Combine(
        _options.LocalOffsetStoreDir ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".akkabroker_offsets"),
        Client.ClientId.Replace(':', '_').Replace('@', '_'), _options.ConsumerGroup, "offsets.json");

    private void LoadLocalOffsets()
    {
        try
        {
            if (!File.Exists(LocalOffsetFile)) return;
            var stored = JsonSerializer.Deserialize<List<LocalOffset>>(File.ReadAllBytes(LocalOffsetFile)) ?? [];
            foreach (var o in stored) _offsets[new MessageQueueRef(o.Topic, o.BrokerName, o.QueueId)] = o.Offset;
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            _log.LogWarning("Local offsets in {File} unreadable ({Reason}); starting per consume-from-where", LocalOffsetFile, e.Message);
        }
    }

    private void SaveLocalOffsets()
    {
        var list = _offsets.Select(o => new LocalOffset(o.Key.Topic, o.Key.BrokerName, o.Key.QueueId, o.Value)).ToList();
        Directory.CreateDirectory(Path.GetDirectoryName(LocalOffsetFile)!);
        var temp = LocalOffsetFile + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(list));
        File.Move(temp, LocalOffsetFile, overwrite: true);
    }

    private static bool IsTransient(Exception e) =>
        e is RemotingConnectionException or RemotingTimeoutException or MQClientException or ObjectDisposedException or OperationCanceledException;

    private sealed record LocalOffset(string Topic, string BrokerName, int QueueId, long Offset);

    /// <summary>One owned queue: its pull loop, the messages pulled and not yet consumed, and its consume progress.</summary>
    private sealed class QueueWork
    {
        private readonly PushConsumer _owner;
        private readonly MessageQueueRef _queue;
        private readonly CancellationTokenSource _stop;
        private readonly SortedDictionary<long, MessageExt> _pending = [];
        private Task _orderlyTail = Task.CompletedTask;
        private readonly List<Task> _running = [];
        private long _nextPull;
        private long _pendingBytes;
        private Task? _loop;

        public QueueWork(PushConsumer owner, MessageQueueRef queue, long start)
        {
            _owner = owner;
            _queue = queue;
            _nextPull = start;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(owner._stopping.Token);
        }

        public void Start() => _loop = Task.Run(PullLoopAsync);

        public async Task StopAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            if (_loop is not null) await _loop.ConfigureAwait(false);
            Task[] running;
            lock (_running) running = [.. _running];
            await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        private async Task PullLoopAsync()
        {
            var o = _owner._options;
            var filter = _owner._subscriptions[_queue.Topic];
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    int count;
                    long bytes;
                    lock (_pending)
                    {
                        count = _pending.Count;
                        bytes = _pendingBytes;
                    }

                    // Flow control: let the callbacks catch up before pulling more.
                    if (count >= o.PullThresholdForQueue || bytes >= o.PullThresholdSizeForQueue)
                    {
                        await Task.Delay(50, _stop.Token).ConfigureAwait(false);
                        continue;
                    }

                    await PullOnceAsync(filter).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (Exception e) when (IsTransient(e) || e is MQBrokerException)
                {
                    _owner._log.LogDebug("Pull from {Queue} failed: {Reason}", _queue, e.Message);
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(3), _stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
        }

        private async Task PullOnceAsync(TagFilter filter)
        {
            var o = _owner._options;
            var address = _owner.Client.FindMasterAddress(_queue.BrokerName) ?? throw new MQClientException($"no address for {_queue.BrokerName}");
            var committed = _owner.Broadcasting ? 0 : _owner._offsets.GetValueOrDefault(_queue);
            var response = await BrokerCalls.PullAsync(_owner.Client, address, o.ConsumerGroup, _queue, _nextPull, o.PullBatchSize, filter.Expression,
                o.BrokerSuspendMaxTime, committed, _stop.Token).ConfigureAwait(false);
            var result = response.ReadHeader<PullMessageResponseHeader>(out _);
            switch (response.Code)
            {
                case ResponseCode.Success when result is not null:
                    var messages = MessageExt.DecodeAll(response.Body.Span, _queue.BrokerName)
                        .Where(m => filter.MatchesAll || (m.Tags is { } tag && filter.Tags.Contains(tag))).ToList();
                    _nextPull = result.NextBeginOffset;
                    if (messages.Count == 0)
                    {
                        // Everything filtered out: the offset may still move past them.
                        AdvanceWhenIdle(result.NextBeginOffset);
                        break;
                    }

                    Enqueue(messages, result.NextBeginOffset);
                    break;
                case ResponseCode.PullNotFound or ResponseCode.PullRetryImmediately when result is not null:
                    _nextPull = result.NextBeginOffset;
                    AdvanceWhenIdle(result.NextBeginOffset);
                    break;
                case ResponseCode.PullOffsetMoved when result is not null:
                    _owner._log.LogWarning("Offset of {Queue} moved from {Old} to {New}", _queue, _nextPull, result.NextBeginOffset);
                    _nextPull = result.NextBeginOffset;
                    _owner._offsets[_queue] = result.NextBeginOffset;
                    await _owner.CommitAsync(_queue).ConfigureAwait(false);
                    break;
                default:
                    throw new MQBrokerException(response.Code, response.Remark, address);
            }
        }

        private void AdvanceWhenIdle(long next)
        {
            lock (_pending)
            {
                if (_pending.Count == 0) _owner._offsets[_queue] = next;
            }
        }

        private void Enqueue(List<MessageExt> messages, long next)
        {
            lock (_pending)
            {
                foreach (var m in messages)
                {
                    _pending[m.QueueOffset] = m;
                    _pendingBytes += m.Body.Length;
                }
            }

            var batch = Math.Max(1, _owner._options.ConsumeMessageBatchMaxSize);
            for (var i = 0; i < messages.Count; i += batch)
            {
                var slice = messages.GetRange(i, Math.Min(batch, messages.Count - i));
                // Orderly batches run strictly one after another, in pull order.
                var task = _owner.Orderly ? _orderlyTail = ConsumeOrderlyAsync(_orderlyTail, slice) : ConsumeConcurrentlyAsync(slice);
                lock (_running)
                {
                    _running.Add(task);
                    _running.RemoveAll(t => t.IsCompleted);
                }
            }
        }

        private async Task ConsumeConcurrentlyAsync(List<MessageExt> batch)
        {
            var slots = _owner._consumeSlots!;
            await slots.WaitAsync().ConfigureAwait(false);
            ConsumeResult result;
            try
            {
                result = await _owner._concurrent!(batch).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _owner._log.LogWarning(e, "Consume callback of {Group} threw; the messages will be redelivered", _owner._options.ConsumerGroup);
                result = ConsumeResult.ReconsumeLater;
            }
            finally
            {
                slots.Release();
            }

            if (result == ConsumeResult.ReconsumeLater && !_owner.Broadcasting)
            {
                foreach (var message in batch)
                {
                    // When the broker cannot take it back, keep it here and try it again shortly (it must not be skipped).
                    while (!await _owner.SendBackAsync(message).ConfigureAwait(false))
                    {
                        if (_stop.IsCancellationRequested) return;
                        await Task.Delay(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                        var retried = await _owner._concurrent!([message]).ConfigureAwait(false);
                        if (retried == ConsumeResult.Success) break;
                    }
                }
            }

            Done(batch);
        }

        private async Task ConsumeOrderlyAsync(Task previous, List<MessageExt> batch)
        {
            await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            {
                for (var attempt = 0; !_stop.IsCancellationRequested; attempt++)
                {
                    OrderlyConsumeResult result;
                    try
                    {
                        result = await _owner._orderly!(batch).ConfigureAwait(false);
                    }
                    catch (Exception e)
                    {
                        _owner._log.LogWarning(e, "Orderly consume callback of {Group} threw", _owner._options.ConsumerGroup);
                        result = OrderlyConsumeResult.SuspendCurrentQueueAMoment;
                    }

                    if (result == OrderlyConsumeResult.Success) break;
                    if (attempt + 1 >= _owner._options.MaxReconsumeTimes)
                    {
                        // Past the limit the messages go to the dead-letter topic so the queue can move on.
                        foreach (var message in batch) await _owner.SendBackAsync(message).ConfigureAwait(false);
                        break;
                    }

                    await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }

                if (!_stop.IsCancellationRequested) Done(batch);
            }
        }

        private void Done(List<MessageExt> batch)
        {
            lock (_pending)
            {
                foreach (var m in batch)
                {
                    if (_pending.Remove(m.QueueOffset)) _pendingBytes -= m.Body.Length;
                }

                // The committed offset is the oldest message still in flight, or the next to pull when none is.
                _owner._offsets[_queue] = _pending.Count > 0 ? _pending.Keys.First() : _nextPull;
            }
        }
    }
}
