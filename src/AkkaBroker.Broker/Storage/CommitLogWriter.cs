using System.Buffers;
using System.Text;
using AkkaBroker.Actors;
using AkkaBroker.Common.Naming;
using AkkaBroker.Protocol;
using AkkaBroker.Store;

using Microsoft.Extensions.Logging;

namespace AkkaBroker.Broker.Storage;

/// <summary>
/// The only writer of the CommitLog (DESIGN.md §3). Each run drains every queued <see cref="PutMessageRequest"/> and
/// appends them as one batch: assigns queue offsets from the topic-queue offset table it owns, encodes straight into
/// the mapped segment, then tells the Dispatcher once, and answers each request or passes it to the Flusher when it
/// must wait for the disk. A storage I/O error is sticky: from then on every put is refused with the reason.
/// </summary>
public sealed class CommitLogWriter : ActorBase
{
    /// <summary>Signal to the Dispatcher that the readable CommitLog end moved.</summary>
    public sealed class Appended
    {
        /// <summary>The one instance (the Dispatcher reads the offset from the CommitLog itself).</summary>
        public static readonly Appended Instance = new();

        private Appended()
        {
        }
    }

    /// <summary>The clean-up service's verdict on disk space; above the refuse ratio writes are refused.</summary>
    /// <param name="Full">Whether writes must be refused.</param>
    /// <param name="UsedRatio">Disk use, 0..1, for the refusal's reason.</param>
    public sealed record DiskSpace(bool Full, double UsedRatio);

    /// <summary>Deletes expired segments on the writer's thread (the segment list has one owner).</summary>
    /// <param name="Reserved">Keep segments written within this time.</param>
    /// <param name="Force">Delete even inside the reserved time (disk nearly full).</param>
    /// <param name="MaxDeletes">At most this many segments per request.</param>
    public sealed record DeleteExpired(TimeSpan Reserved, bool Force, int MaxDeletes);

    /// <summary>Reply to <see cref="DeleteExpired"/>.</summary>
    /// <param name="Deleted">Segments deleted.</param>
    /// <param name="MinOffset">The CommitLog's new minimum offset.</param>
    public sealed record ExpiredDeleted(int Deleted, long MinOffset);

    private const int MaxBatch = 4096;
    private readonly CommitLog _log;
    private readonly StoreSettings _settings;
    private readonly HostAndPort _storeHost;
    private readonly IActorRef _dispatcher;
    private readonly IActorRef _flusher;
    private readonly StoreWakeup? _wakeup;
    private readonly WriterLoad? _load;
    private readonly Dictionary<(string Topic, int QueueId), long> _queueOffsets;
    private readonly Dictionary<string, byte[]> _topicBytes = new(StringComparer.Ordinal);
    private readonly List<Envelope> _batch = new(MaxBatch);
    private readonly List<(PutMessageRequest Request, PutMessageResult Result)> _appended = new(MaxBatch);
    private string? _failure;
    private string? _diskFull;

    /// <summary>Creates the writer over a recovered CommitLog.</summary>
    /// <param name="log">The CommitLog, recovered.</param>
    /// <param name="settings">Store settings (flush policy).</param>
    /// <param name="storeHost">This broker's address, written into every record.</param>
    /// <param name="queueOffsets">Next queue offset per topic-queue, from the recovered ConsumeQueues; owned by the writer from now on.</param>
    /// <param name="dispatcher">Told <see cref="Appended"/> after each batch.</param>
    /// <param name="flusher">Receives the requests that wait for a sync flush.</param>
    /// <param name="wakeup">Signalled after each batch: the committer's with the transient pool, else the async flusher's; null when neither is woken by writes.</param>
    /// <param name="load">Where the writer adds its working time (for the Prefaulter); null when nobody reads it.</param>
    public CommitLogWriter(CommitLog log, StoreSettings settings, HostAndPort storeHost,
        Dictionary<(string, int), long> queueOffsets, IActorRef dispatcher, IActorRef flusher, StoreWakeup? wakeup, WriterLoad? load = null)
    {
        _load = load;
        _log = log;
        _settings = settings;
        _storeHost = storeHost;
        _queueOffsets = queueOffsets;
        _dispatcher = dispatcher;
        _flusher = flusher;
        _wakeup = wakeup;
    }

    /// <summary>Props for the writer.</summary>
    public static Props Props(CommitLog log, StoreSettings settings, HostAndPort storeHost,
        Dictionary<(string, int), long> queueOffsets, IActorRef dispatcher, IActorRef flusher, StoreWakeup? wakeup, WriterLoad? load = null) =>
        Actors.Props.Create(() => new CommitLogWriter(log, settings, storeHost, queueOffsets, dispatcher, flusher, wakeup, load));

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        if (_load is null)
        {
            Handle(message, Sender);
            return;
        }

        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        Handle(message, Sender);
        _load.AddBusy(System.Diagnostics.Stopwatch.GetTimestamp() - start);
    }

    // Messages drained with a batch are handled with their own sender, not the batch's first one.
    private void Handle(object message, IActorRef sender)
    {
        switch (message)
        {
            case PutMessageRequest first:
                AppendBatch(first, sender);
                break;
            case PutMessageBatchRequest batch:
                _log.BeginBatch();
                var batchResult = AppendMessageBatch(batch);
                // Some of its messages may be stored (an earlier full buffer was written): the client's retry may duplicate them, never lose them.
                if (!TryEndBatch()) batchResult = new PutMessageBatchResult(PutMessageStatus.ServiceNotAvailable, [], _failure);

                if (batchResult.Status == PutMessageStatus.PutOk) Announce();
                RespondBatch(batch, batchResult);
                break;
            case DiskSpace space:
                var reason = space.Full ? $"disk is {space.UsedRatio:P0} full; writes are refused until space is freed" : null;
                if (reason != _diskFull) Context.Log.Log(space.Full ? LogLevel.Error : LogLevel.Information, "{State}", reason ?? "disk space is back below the refuse ratio; writes resume");
                _diskFull = reason;
                break;
            case DeleteExpired delete:
                var deleted = _log.DeleteExpiredSegments(delete.Reserved, DateTime.UtcNow, delete.Force, delete.MaxDeletes);
                sender.Tell(new ExpiredDeleted(deleted, _log.MinOffset));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void AppendBatch(PutMessageRequest first, IActorRef sender)
    {
        _batch.Clear();
        _batch.Add(new Envelope(first, sender));
        DrainQueued(_batch, MaxBatch - 1);
        var appended = false;
        var answers = CompletionBatch.Rent();
        _log.BeginBatch();
        foreach (var envelope in _batch)
        {
            if (envelope.Message is not PutMessageRequest request)
            {
                // Another kind of message drained with the batch keeps its order: what came before it is settled first.
                Settle(answers);
                Handle(envelope.Message, envelope.Sender);
                _log.BeginBatch();
                continue;
            }

            var result = Append(request);
            appended |= result.IsStored;
            _appended.Add((request, result));
        }

        Settle(answers);
        _batch.Clear();
        if (appended) Announce();
        answers.Post();
    }

    private void Announce()
    {
        _dispatcher.Tell(Appended.Instance);
        _wakeup?.Signal();
    }

    // Writes what the CommitLog collected since BeginBatch, then answers those requests (at once, or through the
    // flusher, which must never see a record before it is written). A failed write refuses the records it lost.
    private void Settle(CompletionBatch answers)
    {
        var written = TryEndBatch();
        var readable = _log.ReadableOffset;
        foreach (var (request, result) in _appended)
        {
            var lost = !written && result.IsStored && result.PhysicalOffset + result.WroteBytes > readable;
            Respond(request, lost ? PutMessageResult.Refused(PutMessageStatus.ServiceNotAvailable, _failure!) : result, answers);
        }

        _appended.Clear();
    }

    // Writes what the CommitLog collected since BeginBatch; false (and the writer failed for good) when that write failed.
    private bool TryEndBatch()
    {
        try
        {
            _log.EndBatch();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Fail(e);
            return false;
        }
    }

    private void Fail(Exception e)
    {
        _failure = $"the store is read-only after a storage error: {e.Message}";
        Context.Log.LogCritical(e, "CommitLog append failed; the broker refuses writes from now on");
    }

    // Why no put can be taken for this queue right now, or null.
    private (PutMessageStatus Status, string Reason)? Refusal(int queueId) =>
        _failure is not null ? (PutMessageStatus.ServiceNotAvailable, _failure)
        : _diskFull is not null ? (PutMessageStatus.ServiceNotAvailable, _diskFull)
        : queueId < 0 ? (PutMessageStatus.MessageIllegal, $"queue id {queueId} is negative")
        : null;

    // Appends one record. A storage error makes the writer refuse writes for good: false, with the reason in _failure.
    private bool TryAppend(in MessageRecordFields fields, ReadOnlySpan<byte> body, ReadOnlySpan<byte> topic,
        ReadOnlySpan<byte> properties, out CommitLogAppendResult appended)
    {
        try
        {
            appended = _log.Append(fields, body, topic, properties);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Fail(e);
            appended = default;
            return false;
        }
    }

    private PutMessageResult Append(PutMessageRequest request)
    {
        if (Refusal(request.QueueId) is { } refused) return PutMessageResult.Refused(refused.Status, refused.Reason);

        var key = (request.Topic, request.QueueId);
        var transaction = MessageSysFlag.TransactionType(request.SysFlag);
        // Half and rollback messages take no queue position (they never reach consumers), as in RocketMQ.
        var takesQueueOffset = transaction is MessageSysFlag.TransactionNotType or MessageSysFlag.TransactionCommit;
        var queueOffset = takesQueueOffset ? _queueOffsets.GetValueOrDefault(key) : 0;
        var storeTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var fields = new MessageRecordFields(request.QueueId, request.Flag, queueOffset, 0, request.SysFlag, request.BornTimestamp,
            request.BornHost, storeTimestamp, _storeHost, request.ReconsumeTimes, request.PreparedTransactionOffset);
        if (!TryAppend(fields, request.Body.Span, TopicBytes(request.Topic), request.Properties.Span, out var appended))
            return PutMessageResult.Refused(PutMessageStatus.ServiceNotAvailable, _failure!);

        if (!appended.IsOk)
        {
            return PutMessageResult.Refused(appended.Status, appended.Status switch
            {
                PutMessageStatus.MessageIllegal => $"message of {request.Body.Length} body bytes exceeds max-message-size {_settings.MaxMessageSize} or has an invalid topic",
                PutMessageStatus.PropertiesSizeExceeded => $"properties of {request.Properties.Length} bytes exceed 32767",
                _ => appended.Status.ToString(),
            });
        }

        if (takesQueueOffset) _queueOffsets[key] = queueOffset + 1;
        return new PutMessageResult(PutMessageStatus.PutOk, appended.PhysicalOffset, appended.Size, queueOffset, storeTimestamp);
    }

    private PutMessageBatchResult AppendMessageBatch(PutMessageBatchRequest request)
    {
        static PutMessageBatchResult Refuse(PutMessageStatus status, string reason) => new(status, [], reason);
        if (Refusal(request.QueueId) is { } refused) return Refuse(refused.Status, refused.Reason);
        if (MessageBatch.Validate(request.Batch.Span, out var count) is { } malformed) return Refuse(PutMessageStatus.MessageIllegal, $"malformed batch: {malformed}");
        var topic = TopicBytes(request.Topic);
        if (topic.Length == 0) return Refuse(PutMessageStatus.MessageIllegal, $"invalid topic '{request.Topic}'");

        // All or nothing for size: check every message before the first is written.
        var extra = request.BatchProperties.Span;
        var reader = new MessageBatch.Reader(request.Batch.Span);
        for (var i = 0; reader.MoveNext(); i++)
        {
            var item = reader.Current;
            var propertiesLength = MergedLength(item.Properties, extra);
            var size = MessageRecord.CalculateSize(request.BornHost.IsIPv6, _storeHost.IsIPv6, item.Body.Length, topic.Length, propertiesLength);
            if (propertiesLength > MessageRecord.MaxPropertiesLength || size > _settings.MaxMessageSize)
                return Refuse(PutMessageStatus.MessageIllegal, $"message {i} of the batch ({size} bytes) exceeds max-message-size {_settings.MaxMessageSize}");
        }

        var key = (request.Topic, request.QueueId);
        var results = new List<PutMessageResult>(count);
        var storeTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var buffer = ArrayPool<byte>.Shared.Rent(MessageRecord.MaxPropertiesLength + 1);
        try
        {
            reader = new MessageBatch.Reader(request.Batch.Span);
            while (reader.MoveNext())
            {
                var item = reader.Current;
                var properties = Merge(item.Properties, extra, buffer);
                var queueOffset = _queueOffsets.GetValueOrDefault(key);
                var fields = new MessageRecordFields(request.QueueId, item.Flag, queueOffset, 0, request.SysFlag, request.BornTimestamp,
                    request.BornHost, storeTimestamp, _storeHost, 0, 0);
                if (!TryAppend(fields, item.Body, topic, properties, out var appended))
                    return new PutMessageBatchResult(PutMessageStatus.ServiceNotAvailable, results, _failure);

                if (!appended.IsOk) return new PutMessageBatchResult(appended.Status, results, $"stopped after {results.Count} of {count} messages: {appended.Status}");
                _queueOffsets[key] = queueOffset + 1;
                results.Add(new PutMessageResult(PutMessageStatus.PutOk, appended.PhysicalOffset, appended.Size, queueOffset, storeTimestamp));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new PutMessageBatchResult(PutMessageStatus.PutOk, results);
    }

    // Batch-level properties go after the message's own, joined by 0x02 unless one is already there (RocketMQ's rule).
    private static int MergedLength(ReadOnlySpan<byte> own, ReadOnlySpan<byte> extra) =>
        extra.IsEmpty ? own.Length : own.IsEmpty ? extra.Length : own.Length + extra.Length + (own[^1] == MessageProperties.PropertySeparator ? 0 : 1);

    private static ReadOnlySpan<byte> Merge(ReadOnlySpan<byte> own, ReadOnlySpan<byte> extra, byte[] buffer)
    {
        if (extra.IsEmpty) return own;
        if (own.IsEmpty) return extra;
        own.CopyTo(buffer);
        var at = own.Length;
        if (own[^1] != MessageProperties.PropertySeparator) buffer[at++] = MessageProperties.PropertySeparator;
        extra.CopyTo(buffer.AsSpan(at));
        return buffer.AsSpan(0, at + extra.Length);
    }

    private void RespondBatch(PutMessageBatchRequest request, PutMessageBatchResult result)
    {
        if (result.Status == PutMessageStatus.PutOk && request.WaitStoreMsgOk && _settings.FlushDiskType == FlushDiskType.SyncFlush)
        {
            request.PendingResult = result;
            request.AcceptedAtTicks = Environment.TickCount64;
            _flusher.Tell(request);
            return;
        }

        request.Complete(result);
    }

    private void Respond(PutMessageRequest request, PutMessageResult result, CompletionBatch answers)
    {
        if (result.IsStored && request.WaitStoreMsgOk && _settings.FlushDiskType == FlushDiskType.SyncFlush)
        {
            request.PendingResult = result;
            request.AcceptedAtTicks = Environment.TickCount64;
            _flusher.Tell(request);
            return;
        }

        answers.Add(request, result);
    }

    private byte[] TopicBytes(string topic)
    {
        if (!_topicBytes.TryGetValue(topic, out var bytes))
        {
            // Bounded by the topics a broker hosts; names were validated by the caller, checked again here for safety.
            if (ResourceNames.ValidateTopic(topic) is not null) return [];
            bytes = Encoding.UTF8.GetBytes(topic);
            _topicBytes[topic] = bytes;
        }

        return bytes;
    }
}
