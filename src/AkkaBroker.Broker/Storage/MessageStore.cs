using System.Buffers;
using System.Text;
using AkkaBroker.Actors;
using AkkaBroker.Protocol;
using AkkaBroker.Store;
using AkkaBroker.Store.ConsumeQueues;
using AkkaBroker.Store.Files;
using AkkaBroker.Store.Read;

namespace AkkaBroker.Broker.Storage;

/// <summary>
/// The broker's storage as its processors see it (DESIGN.md §4): puts go through the CommitLogWriter actor and
/// complete per the flush policy; reads go straight to mapped memory, up to what the Dispatcher has published.
/// Created by the BrokerGuardian after recovery; <see cref="StopAsync"/> stops writer, flusher and dispatcher in that
/// order (every accepted put is answered and flushed) and closes the files cleanly.
/// </summary>
public sealed class MessageStore
{
    private readonly StoreEngine _engine;
    private readonly MessageReader _reader;
    private readonly IActorRef _writer;
    private readonly IActorRef _flusher;
    private readonly IActorRef _dispatcher;
    private readonly IActorRef _cleaner;
    private readonly IActorRef? _committer;
    private readonly IActorRef? _prefaulter;
    private readonly IActorRef? _cacheTrimmer;
    private readonly DispatchProgress _progress;
    private int _stopping;

    private MessageStore(StoreEngine engine, IActorRef writer, IActorRef flusher, IActorRef dispatcher, IActorRef cleaner, IActorRef? committer,
        IActorRef? prefaulter, IActorRef? cacheTrimmer, long? cacheWindow, DispatchProgress progress, bool isMaster)
    {
        _prefaulter = prefaulter;
        _cacheTrimmer = cacheTrimmer;
        _cleaner = cleaner;
        _committer = committer;
        _engine = engine;
        _writer = writer;
        _flusher = flusher;
        _dispatcher = dispatcher;
        _progress = progress;
        _reader = new MessageReader(engine.CommitLog, engine.ConsumeQueues, engine.Settings, correctOffsets: isMaster, cacheWindow);
    }

    /// <summary>What recovery found when the store opened.</summary>
    public StoreRecoveryReport Recovery => _engine.Report;

    /// <summary>The store settings.</summary>
    public StoreSettings Settings => _engine.Settings;

    /// <summary>The Dispatcher (subscribe to arrivals with <see cref="Dispatcher.SubscribeArrivals"/>).</summary>
    public IActorRef Dispatcher => _dispatcher;

    /// <summary>The CommitLogWriter (the clean-up service and admin tools talk to it).</summary>
    public IActorRef Writer => _writer;

    /// <summary>The Flusher (for <see cref="Flusher.GetStats"/>).</summary>
    public IActorRef Flusher => _flusher;

    /// <summary>CommitLog offset up to which messages are in their ConsumeQueues.</summary>
    public long DispatchedOffset => _progress.Offset;

    /// <summary>The CommitLog's first retained offset.</summary>
    public long MinPhysicalOffset => _engine.CommitLog.MinOffset;

    /// <summary>The CommitLog's end.</summary>
    public long MaxPhysicalOffset => _engine.CommitLog.MaxOffset;

    /// <summary>CommitLog offset below which pages were dropped from the page cache (0 while trimming is off; see <see cref="CacheTrimmer"/>).</summary>
    public long CacheTrimmedOffset => _engine.CommitLog.CacheTrimmedTo;

    /// <summary>The CommitLog offset up to which data is flushed.</summary>
    public long FlushedPhysicalOffset => _engine.CommitLog.FlushedOffset;

    /// <summary>Store time of the newest indexed message (0 without an index), for QUERY_MESSAGE's response header.</summary>
    public long IndexLastUpdateTimestamp => _engine.Index?.LastTimestamp ?? 0;

    /// <summary>CommitLog offset of the newest indexed message (0 without an index), for QUERY_MESSAGE's response header.</summary>
    public long IndexLastUpdatePhyOffset => _engine.Index?.MaxIndexedPhyOffset ?? 0;

    /// <summary>Fraction of the CommitLog's disk in use.</summary>
    public double CommitLogDiskRatio => _engine.CommitLog.DiskUsedRatio();

    /// <summary>
    /// Opens (and recovers) the store, then starts its actors under <paramref name="context"/>.
    /// </summary>
    /// <exception cref="StoreLockedException">Another process uses the store folder.</exception>
    /// <exception cref="StoreCorruptException">Files are damaged beyond repair.</exception>
    public static MessageStore Start(IActorContext context, StoreSettings settings, HostAndPort storeHost, bool isMaster)
    {
        var engine = StoreEngine.Open(settings);
        try
        {
            var progress = new DispatchProgress(engine.CommitLog.MaxOffset);
            var flusher = context.ActorOf(Storage.Flusher.Props(engine.CommitLog, engine.Checkpoint, settings), "flusher");
            var dispatcher = context.ActorOf(Storage.Dispatcher.Props(engine.CommitLog, engine.ConsumeQueues, engine.Index, engine.Dispatcher, engine.Checkpoint, settings, progress), "dispatcher");
            // Whoever puts records into the file wakes the async flusher: the committer when writes go through the pool.
            // The writer then wakes the committer instead, as RocketMQ's puts wake its commit service.
            var flushWakeup = settings.FlushDiskType == FlushDiskType.AsyncFlush && !settings.FlushCommitLogTimed
                ? StoreWakeup.ForFlusher(flusher, engine.CommitLog)
                : null;
            var committer = settings.TransientStorePoolEnable ? context.ActorOf(Committer.Props(engine.CommitLog, settings, dispatcher, flushWakeup), "committer") : null;
            var writerWakeup = committer is null ? flushWakeup : StoreWakeup.ForCommitter(committer, engine.CommitLog);
            var cacheWindow = settings.EffectiveCacheWindow(HostMemory.ReportsFreePagesHere);
            var prefaults = settings.Prefaults(cacheWindow);
            // Only a running AUTO prefaulter reads the writer's working time; otherwise no mailbox run is timed.
            var load = prefaults && settings.CommitLogPrefault == CommitLogPrefault.Auto ? new WriterLoad() : null;
            var writer = context.ActorOf(CommitLogWriter.Props(engine.CommitLog, settings, storeHost, engine.QueueOffsetTable(), dispatcher, flusher,
                writerWakeup, load), "commitlog-writer");
            var cleaner = context.ActorOf(CleanService.Props(settings, writer, dispatcher, engine.CommitLog.DiskUsedRatio), "clean-service");
            var prefaulter = prefaults
                ? context.ActorOf(Prefaulter.Props(engine.CommitLog, settings.CommitLogPrefaultAhead, settings.CommitLogPrefault, load), "prefaulter")
                : null;
            var cacheTrimmer = cacheWindow is { } window ? context.ActorOf(CacheTrimmer.Props(engine.CommitLog, window, settings.CommitLogCacheTrim), "cache-trimmer") : null;
            return new MessageStore(engine, writer, flusher, dispatcher, cleaner, committer, prefaulter, cacheTrimmer, cacheWindow, progress, isMaster);
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Stores a message filled into a rented <see cref="PutMessageRequest"/>. Allocation-free; the request returns to
    /// its pool when the result is read, so read it exactly once.
    /// </summary>
    public ValueTask<PutMessageResult> PutAsync(PutMessageRequest request)
    {
        var result = request.AsValueTask();
        if (Volatile.Read(ref _stopping) != 0)
            request.Complete(PutMessageResult.Refused(PutMessageStatus.ServiceNotAvailable, "the broker is shutting down"));
        else
            _writer.Tell(request);
        return result;
    }

    /// <summary>
    /// Stores a SEND_BATCH_MESSAGE body: every message of one topic-queue with consecutive queue offsets, or none when
    /// any is malformed or too large.
    /// </summary>
    public Task<PutMessageBatchResult> PutBatchAsync(PutMessageBatchRequest request)
    {
        if (Volatile.Read(ref _stopping) != 0)
            request.Complete(new PutMessageBatchResult(PutMessageStatus.ServiceNotAvailable, [], "the broker is shutting down"));
        else
            _writer.Tell(request);
        return request.Result;
    }

    /// <summary>Convenience form of <see cref="PutAsync(PutMessageRequest)"/> (allocates the property bytes).</summary>
    public ValueTask<PutMessageResult> PutAsync(string topic, int queueId, ReadOnlyMemory<byte> body,
        IEnumerable<KeyValuePair<string, string>>? properties = null, HostAndPort bornHost = default)
    {
        var request = PutMessageRequest.Rent();
        request.Topic = topic;
        request.QueueId = queueId;
        request.Body = body;
        request.Properties = properties is null ? ReadOnlyMemory<byte>.Empty : MessageProperties.Format(properties);
        request.BornTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        request.BornHost = bornHost;
        return PutAsync(request);
    }

    /// <summary>Reads up to <paramref name="maxCount"/> records of a queue from <paramref name="offset"/> into <paramref name="output"/>.</summary>
    public GetMessageResult GetMessages(string topic, int queueId, long offset, int maxCount, TagFilter filter, IBufferWriter<byte> output) =>
        _reader.GetMessages(topic, queueId, offset, maxCount, filter, output);

    /// <summary>The queue's first retained offset (0 for an unknown queue).</summary>
    public long GetMinOffset(string topic, int queueId) => _engine.ConsumeQueues.TryGet(topic, queueId, out var q) ? q.MinOffset : 0;

    /// <summary>The queue's end (0 for an unknown queue).</summary>
    public long GetMaxOffset(string topic, int queueId) => _engine.ConsumeQueues.TryGet(topic, queueId, out var q) ? q.MaxOffset : 0;

    /// <summary>The ConsumeQueue unit at <paramref name="offset"/> of a queue; false when there is none (yet).</summary>
    public bool TryGetUnit(string topic, int queueId, long offset, out ConsumeQueueUnit unit)
    {
        unit = default;
        return _engine.ConsumeQueues.TryGet(topic, queueId, out var queue) && queue.TryGetUnit(offset, out unit) && !unit.IsBlank;
    }

    /// <summary>Offset of the first message stored at or after <paramref name="timestampMs"/>.</summary>
    public long GetOffsetByTime(string topic, int queueId, long timestampMs) => _reader.GetOffsetByTime(topic, queueId, timestampMs);

    /// <summary>Store time of the queue's first retained message, or -1.</summary>
    public long GetEarliestStoreTime(string topic, int queueId)
    {
        if (!_engine.ConsumeQueues.TryGet(topic, queueId, out var queue) || !queue.TryGetUnit(queue.MinOffset, out var unit)) return -1;
        return _reader.StoreTimestampOf(unit.PhysicalOffset, unit.Size);
    }

    /// <summary>Store time of the message at queue offset <paramref name="offset"/> of a queue, or -1 when there is none.</summary>
    public long GetStoreTimestamp(string topic, int queueId, long offset)
    {
        if (!TryGetUnit(topic, queueId, offset, out var unit)) return -1;
        return _reader.StoreTimestampOf(unit.PhysicalOffset, unit.Size);
    }

    /// <summary>Store time of the CommitLog's first retained message, or -1 when it is empty.</summary>
    public long GetEarliestMessageTime()
    {
        var log = _engine.CommitLog;
        var status = log.TryRead(log.MinOffset, Math.Min(log.ReadableOffset, DispatchedOffset), out var lease);
        using (lease)
        {
            return status == CommitLogReadStatus.Ok ? lease.View.StoreTimestamp : -1;
        }
    }

    /// <summary>
    /// Deletes the ConsumeQueue files of a deleted topic (DELETE_TOPIC_IN_BROKER). The Dispatcher owns them, so it
    /// does the work after dispatching what the CommitLog held when asked. The CommitLog keeps the records until
    /// they expire.
    /// </summary>
    public async Task<Dispatcher.TopicQueuesDeleted> DeleteTopicQueuesAsync(string topic, TimeSpan timeout) =>
        await _dispatcher.Ask<Dispatcher.TopicQueuesDeleted>(new Dispatcher.DeleteTopicQueues(topic, _engine.CommitLog.MaxOffset), timeout)
            .ConfigureAwait(false);

    /// <summary>Copies the record at <paramref name="physicalOffset"/> into <paramref name="output"/>; false when there is none.</summary>
    public bool LookUpByPhysicalOffset(long physicalOffset, IBufferWriter<byte> output)
    {
        var log = _engine.CommitLog;
        var status = log.TryRead(physicalOffset, Math.Min(log.ReadableOffset, DispatchedOffset), out var lease);
        using (lease)
        {
            if (status != CommitLogReadStatus.Ok) return false;
            lease.Bytes.CopyTo(output.GetSpan(lease.Length));
            output.Advance(lease.Length);
            return true;
        }
    }

    /// <summary>
    /// Records of <paramref name="topic"/> whose KEYS or UNIQ_KEY contain <paramref name="key"/>, stored within the time
    /// range, newest first, at most <paramref name="maxNum"/>; each copied into <paramref name="output"/>. Returns how many.
    /// </summary>
    public int QueryByKey(string topic, string key, int maxNum, long beginTimestamp, long endTimestamp, IBufferWriter<byte> output)
    {
        if (_engine.Index is not { } index) return 0;
        var log = _engine.CommitLog;
        var wanted = Encoding.UTF8.GetBytes(key);
        var topicBytes = Encoding.UTF8.GetBytes(topic);
        var found = 0;
        foreach (var offset in index.Query(topic, key, maxNum, beginTimestamp, endTimestamp))
        {
            var status = log.TryRead(offset, log.ReadableOffset, out var lease);
            using (lease)
            {
                // Index hashes collide: keep only records that really carry the key in this topic.
                if (status != CommitLogReadStatus.Ok || !lease.View.Topic.SequenceEqual(topicBytes) || !HasKey(lease.View.Properties, wanted)) continue;
                lease.Bytes.CopyTo(output.GetSpan(lease.Length));
                output.Advance(lease.Length);
                found++;
            }
        }

        return found;
    }

    /// <summary>
    /// Refuses new puts, stops the clean-up, then writer, committer, flusher and dispatcher (each finishing what it
    /// holds), then closes the files.
    /// </summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _stopping, 1) != 0) return;
        await _cleaner.GracefulStop(timeout);
        if (_prefaulter is not null) await _prefaulter.GracefulStop(timeout);
        if (_cacheTrimmer is not null) await _cacheTrimmer.GracefulStop(timeout);
        await _writer.GracefulStop(timeout);
        if (_committer is not null) await _committer.GracefulStop(timeout);
        await _flusher.GracefulStop(timeout);
        await _dispatcher.GracefulStop(timeout);
        _engine.Dispose();
    }

    private static bool HasKey(ReadOnlySpan<byte> properties, ReadOnlySpan<byte> key)
    {
        if (MessageProperties.TryGetValue(properties, "UNIQ_KEY"u8, out var unique) && unique.SequenceEqual(key)) return true;
        if (!MessageProperties.TryGetValue(properties, "KEYS"u8, out var keys)) return false;
        foreach (var range in keys.Split((byte)' '))
        {
            if (keys[range].SequenceEqual(key)) return true;
        }

        return false;
    }
}
