using System.Buffers;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using AkkaBroker.Common.Naming;
using AkkaBroker.Protocol;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Client;

/// <summary>Producer settings (RocketMQ's DefaultMQProducer defaults, reference §8.6).</summary>
public sealed class ProducerOptions : ClientOptions
{
    /// <summary>The producer group.</summary>
    public string ProducerGroup { get; init; } = "DEFAULT_PRODUCER";

    /// <summary>Time-out of one send, retries included.</summary>
    public TimeSpan SendMsgTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Extra attempts (on another broker where there is one) after a retryable failure.</summary>
    public int RetryTimesWhenSendFailed { get; init; } = 2;

    /// <summary>Bodies larger than this are deflated and flagged COMPRESSED.</summary>
    public int CompressMsgBodyOverHowmuch { get; init; } = 4096;

    /// <summary>Largest body accepted before sending (the broker has its own limit).</summary>
    public int MaxMessageSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Avoid brokers that were slow or failed (reference §8.7).</summary>
    public bool SendLatencyFaultEnable { get; init; }

    /// <summary>Queues of a topic the broker auto-creates on first send.</summary>
    public int DefaultTopicQueueNums { get; init; } = 4;

    /// <summary>The template topic for auto-creation.</summary>
    public string CreateTopicKey { get; init; } = "TBW102";
}

/// <summary>
/// Sends messages to the brokers of a topic's route (RocketMQ's DefaultMQProducer): round-robin over the writable
/// queues, or a caller's selector for ordered messages; retryable failures are retried on another broker up to
/// <see cref="ProducerOptions.RetryTimesWhenSendFailed"/> times; with latency fault tolerance slow or failed brokers
/// are skipped for a while. Thread-safe; start once, shut down once.
/// </summary>
public sealed class Producer : IAsyncDisposable
{
    // RocketMQ's retryResponseCodes: worth another broker.
    private static readonly HashSet<int> RetryableCodes =
    [
        ResponseCode.TopicNotExist, ResponseCode.ServiceNotAvailable, ResponseCode.SystemError, ResponseCode.NoPermission,
        ResponseCode.NoBuyerId, ResponseCode.NotInCurrentUnit, ResponseCode.SystemBusy,
    ];

    private readonly ProducerOptions _options;
    private readonly ILogger _log;
    private readonly LatencyFaultTolerance _faults;
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<TopicRouteData, List<MessageQueueRef>> _publishQueues = new();
    private ClientInstance? _client;
    private int _sendIndex = Random.Shared.Next();

    /// <summary>A producer with <paramref name="options"/>; call <see cref="StartAsync"/> before sending.</summary>
    public Producer(ProducerOptions options, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (ResourceNames.ValidateGroup(options.ProducerGroup) is { } invalid) throw new ArgumentException(invalid, nameof(options));
        _options = options;
        _log = options.LoggerFactory.CreateLogger<Producer>();
        _faults = new LatencyFaultTolerance(clock);
    }

    /// <summary>This client's id.</summary>
    public string ClientId => Client.ClientId;

    /// <summary>The latency tracker (for diagnostics and tests).</summary>
    public LatencyFaultTolerance Faults => _faults;

    private ClientInstance Client => _client ?? throw new MQClientException("the producer is not started");

    /// <summary>Starts the producer (no network traffic until the first send).</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_client is not null) throw new InvalidOperationException("the producer is already started");
        _client = new ClientInstance(_options);
        return Task.CompletedTask;
    }

    /// <summary>Tells every broker this producer used that it leaves, then closes its connections.</summary>
    public async Task ShutdownAsync()
    {
        var client = Interlocked.Exchange(ref _client, null);
        if (client is null) return;
        await client.UnregisterAsync(_options.ProducerGroup, null).ConfigureAwait(false);
        await client.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await ShutdownAsync().ConfigureAwait(false);

    /// <summary>Sends <paramref name="message"/> to a queue chosen round-robin, retrying on another broker when that can help.</summary>
    /// <exception cref="ArgumentException">The message is invalid (topic name, empty or oversized body).</exception>
    /// <exception cref="MQBrokerException">The broker refused it with a code that retrying cannot fix.</exception>
    /// <exception cref="MQClientException">No route, or every attempt failed; the inner exception is the last failure.</exception>
    public Task<SendResult> SendAsync(Message message, CancellationToken cancellationToken = default) =>
        SendCoreAsync(message, null, cancellationToken);

    /// <summary>
    /// Sends <paramref name="message"/> to the queue <paramref name="selector"/> picks from the topic's writable
    /// queues (e.g. by a hash of an order id, so one key's messages stay in order). No retry on another queue:
    /// that would break the order.
    /// </summary>
    public Task<SendResult> SendAsync(Message message, Func<IReadOnlyList<MessageQueueRef>, Message, MessageQueueRef> selector,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return SendCoreAsync(message, selector, cancellationToken);
    }

    /// <summary>Sends with a callback instead of a task (either <paramref name="onSuccess"/> or <paramref name="onError"/> runs once).</summary>
    public void Send(Message message, Action<SendResult> onSuccess, Action<Exception> onError)
    {
        SendAsync(message).ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully) onSuccess(t.Result);
            else onError(t.Exception?.GetBaseException() ?? new OperationCanceledException());
        }, TaskScheduler.Default);
    }

    /// <summary>Sends without waiting for the broker's answer (no result, no retry).</summary>
    public async Task SendOnewayAsync(Message message, CancellationToken cancellationToken = default)
    {
        var (body, sysFlag) = Prepare(message);
        var queues = await PublishQueuesAsync(message.Topic, cancellationToken).ConfigureAwait(false);
        var queue = queues[(int)((uint)Interlocked.Increment(ref _sendIndex) % (uint)queues.Count)];
        var address = Client.FindMasterAddress(queue.BrokerName) ?? throw new MQClientException($"no address for broker {queue.BrokerName}");
        await Client.InvokeOnewayAsync(address, BuildRequest(RequestCode.SendMessageV2, message, queue, body, sysFlag), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends messages of one topic as one SEND_BATCH_MESSAGE; they get consecutive offsets in one queue.</summary>
    public async Task<SendResult> SendBatchAsync(IReadOnlyList<Message> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0) throw new ArgumentException("the batch is empty", nameof(messages));
        var topic = messages[0].Topic;
        if (messages.Any(m => m.Topic != topic)) throw new ArgumentException("every message of a batch must have the same topic", nameof(messages));
        if (messages.Any(m => m.DelayTimeLevel > 0)) throw new ArgumentException("batch messages cannot be delayed", nameof(messages));
        foreach (var m in messages)
        {
            if (!m.Properties.ContainsKey(MessageProperties.UniqueKey)) m.SetProperty(MessageProperties.UniqueKey, UniqueKeys.Next());
        }

        var items = messages.Select(m => (m.Flag, Validate(m), MessageProperties.Format(m.Properties))).ToList();
        var length = MessageBatch.EncodedLength(items);
        if (length > _options.MaxMessageSize) throw new ArgumentException($"the batch is {length} bytes; the limit is {_options.MaxMessageSize}", nameof(messages));
        // The encoded batch lives in a pooled buffer: a frame is copied into the connection's pipe before the call
        // waits for its answer, so once the last attempt has ended nothing reads it. At --batch 32 a fresh 33 KB
        // array per send kept the bench client in gen1 collections 80 times a second.
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            MessageBatch.Encode(items, rented);
            var body = rented.AsMemory(0, length);
            return await SendWithRetriesAsync(new Message(topic, body), null, body, 0, RequestCode.SendBatchMessage, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    // Not async itself (one state machine a send fewer), yet a message that fails validation still gives a faulted
    // task rather than a throw at the call.
    private Task<SendResult> SendCoreAsync(Message message, Func<IReadOnlyList<MessageQueueRef>, Message, MessageQueueRef>? selector,
        CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> body;
        int sysFlag;
        try
        {
            (body, sysFlag) = Prepare(message);
        }
        catch (Exception e)
        {
            return Task.FromException<SendResult>(e);
        }

        return SendWithRetriesAsync(message, selector, body, sysFlag, RequestCode.SendMessageV2, cancellationToken);
    }

    private async Task<SendResult> SendWithRetriesAsync(Message message, Func<IReadOnlyList<MessageQueueRef>, Message, MessageQueueRef>? selector,
        ReadOnlyMemory<byte> body, int sysFlag, int code, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(_options.SendMsgTimeout.TotalSeconds * Stopwatch.Frequency);
        var attempts = selector is null ? 1 + Math.Max(0, _options.RetryTimesWhenSendFailed) : 1;
        string? lastBroker = null;
        Exception? last = null;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            var remaining = TimeSpan.FromSeconds((deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
            if (remaining <= TimeSpan.Zero) break;
            var queues = await PublishQueuesAsync(message.Topic, cancellationToken, refresh: attempt > 0).ConfigureAwait(false);
            var queue = selector is not null ? selector(queues, message) : Pick(queues, lastBroker);
            var address = Client.FindMasterAddress(queue.BrokerName);
            if (address is null)
            {
                last = new MQClientException($"broker {queue.BrokerName} has no master address in the route of {message.Topic}");
                lastBroker = queue.BrokerName;
                continue;
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                var response = await Client.InvokeAsync(address, BuildRequest(code, message, queue, body, sysFlag), remaining, cancellationToken).ConfigureAwait(false);
                RecordLatency(queue.BrokerName, Stopwatch.GetElapsedTime(started));
                if (TryResult(response, queue, out var result)) return result!;
                var refused = new MQBrokerException(response.Code, response.Remark, address);
                if (!RetryableCodes.Contains(response.Code)) throw refused;
                last = refused;
            }
            catch (Exception e) when (e is RemotingConnectionException or RemotingTimeoutException)
            {
                RecordLatency(queue.BrokerName, LatencyFaultTolerance.FailureLatency);
                last = e;
            }

            lastBroker = queue.BrokerName;
            _log.LogDebug("Send to {Queue} failed (attempt {Attempt}): {Reason}", queue, attempt + 1, last.Message);
        }

        throw new MQClientException($"sending to {message.Topic} failed after {attempts} attempt(s) within {_options.SendMsgTimeout.TotalMilliseconds:0} ms: {last?.Message}", last);
    }

    private void RecordLatency(string brokerName, TimeSpan latency)
    {
        if (_options.SendLatencyFaultEnable) _faults.Record(brokerName, latency);
    }

    private MessageQueueRef Pick(IReadOnlyList<MessageQueueRef> queues, string? avoidBroker)
    {
        var start = (uint)Interlocked.Increment(ref _sendIndex);
        // First choice: a queue on a broker that is neither the one that just failed nor avoided for latency.
        for (var i = 0; i < queues.Count; i++)
        {
            var queue = queues[(int)((start + (uint)i) % (uint)queues.Count)];
            if (queue.BrokerName == avoidBroker) continue;
            if (!_options.SendLatencyFaultEnable || _faults.IsAvailable(queue.BrokerName)) return queue;
        }

        if (_options.SendLatencyFaultEnable && _faults.PickLeastBad(queues.Select(q => q.BrokerName).Distinct().Where(b => b != avoidBroker)) is { } least)
            return queues.First(q => q.BrokerName == least);
        return queues[(int)(start % (uint)queues.Count)];
    }

    // A ValueTask: the route is cached on all but the first send, and a Task would be allocated for each.
    private async ValueTask<IReadOnlyList<MessageQueueRef>> PublishQueuesAsync(string topic, CancellationToken cancellationToken, bool refresh = false)
    {
        var route = await Client.GetRouteAsync(topic, refresh, cancellationToken).ConfigureAwait(false);
        // Routes are replaced, never changed, when refreshed: the queue list of one route object can be kept.
        var queues = route is null ? [] : _publishQueues.GetValue(route, r => WritableQueues(topic, r, int.MaxValue));
        if (queues.Count > 0) return queues;
        // Unknown topic: send through the template's brokers, which create it (when their auto-create is on).
        var template = await Client.GetRouteAsync(_options.CreateTopicKey, refresh, cancellationToken).ConfigureAwait(false);
        queues = template is null ? [] : WritableQueues(topic, template, _options.DefaultTopicQueueNums);
        return queues.Count > 0 ? queues : throw new MQClientException($"no route for topic {topic}: it does not exist and no broker auto-creates it");
    }

    private static List<MessageQueueRef> WritableQueues(string topic, TopicRouteData route, int maxPerBroker)
    {
        var queues = new List<MessageQueueRef>();
        foreach (var data in route.QueueDatas.OrderBy(q => q.BrokerName, StringComparer.Ordinal))
        {
            if ((data.Perm & 2) == 0) continue;
            for (var id = 0; id < Math.Min(data.WriteQueueNums, maxPerBroker); id++) queues.Add(new MessageQueueRef(topic, data.BrokerName, id));
        }

        return queues;
    }

    private (ReadOnlyMemory<byte> Body, int SysFlag) Prepare(Message message)
    {
        var body = Validate(message);
        if (body.Length <= _options.CompressMsgBodyOverHowmuch) return (body, 0);
        using var output = new MemoryStream(body.Length / 2);
        using (var zlib = new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true)) zlib.Write(body.Span);
        return (output.ToArray(), MessageSysFlag.Compressed);
    }

    private ReadOnlyMemory<byte> Validate(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (ResourceNames.ValidateTopic(message.Topic) is { } invalid) throw new ArgumentException(invalid, nameof(message));
        if (message.Body.IsEmpty) throw new ArgumentException("the message body is empty", nameof(message));
        if (message.Body.Length > _options.MaxMessageSize)
            throw new ArgumentException($"the message body is {message.Body.Length} bytes; the limit is {_options.MaxMessageSize}", nameof(message));
        return message.Body;
    }

    private RemotingCommand BuildRequest(int code, Message message, MessageQueueRef queue, ReadOnlyMemory<byte> body, int sysFlag)
    {
        // Every message gets a client-side id (UNIQ_KEY) once, kept across retries, as RocketMQ's Java client does.
        if (code != RequestCode.SendBatchMessage && !message.Properties.ContainsKey(MessageProperties.UniqueKey))
            message.SetProperty(MessageProperties.UniqueKey, UniqueKeys.Next());
        var properties = message.Properties.Count == 0 ? null : MessageProperties.FormatText(message.Properties);
        var header = new SendMessageRequestHeader(_options.ProducerGroup, message.Topic, _options.CreateTopicKey, _options.DefaultTopicQueueNums,
            queue.QueueId, sysFlag, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), message.Flag, properties, 0, false, null,
            code == RequestCode.SendBatchMessage);
        return header.ToRequest(code, body);
    }

    private static bool TryResult(RemotingCommand response, MessageQueueRef queue, out SendResult? result)
    {
        result = null;
        SendStatus status;
        switch (response.Code)
        {
            case ResponseCode.Success: status = SendStatus.SendOk; break;
            case ResponseCode.FlushDiskTimeout: status = SendStatus.FlushDiskTimeout; break;
            case ResponseCode.FlushSlaveTimeout: status = SendStatus.FlushSlaveTimeout; break;
            case ResponseCode.SlaveNotAvailable: status = SendStatus.SlaveNotAvailable; break;
            default: return false;
        }

        var header = response.ReadHeader<SendMessageResponseHeader>(out var error)
                     ?? throw new MQClientException($"the broker's send response is missing fields: {error}");
        result = new SendResult(status, header.MsgId, queue with { QueueId = header.QueueId }, header.QueueOffset);
        return true;
    }
}
