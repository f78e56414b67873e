using AkkaBroker.Actors;
using AkkaBroker.Store;
using AkkaBroker.Store.ConsumeQueues;
using AkkaBroker.Store.Dispatch;
using AkkaBroker.Store.Index;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Broker.Storage;

/// <summary>
/// Tails the CommitLog from the dispatched offset and builds the derived data (DESIGN.md §4 "Dispatch"): a
/// ConsumeQueue unit per record (and index entries), then publishes how far it got and tells subscribers which
/// queues grew, so held pulls wake at once. Flushes ConsumeQueues on a timer; runs on its own thread because
/// flushing blocks. Owns the ConsumeQueues' writes.
/// </summary>
public sealed class Dispatcher : ActorBase
{
    /// <summary>Subscribe to <see cref="MessagesArrived"/> (the queue actors do).</summary>
    /// <param name="Subscriber">Who is told.</param>
    public sealed record SubscribeArrivals(IActorRef Subscriber);

    /// <summary>The CommitLog's oldest segments were deleted: drop ConsumeQueue and index data below <paramref name="MinOffset"/>.</summary>
    /// <param name="MinOffset">The CommitLog's new first offset.</param>
    public sealed record CommitLogTrimmed(long MinOffset);

    /// <summary>
    /// The topic was deleted: destroy its ConsumeQueues once every record written before <paramref name="UpTo"/> is
    /// dispatched (so none of them recreates a queue afterwards). The reply is <see cref="TopicQueuesDeleted"/>.
    /// </summary>
    /// <param name="Topic">The deleted topic.</param>
    /// <param name="UpTo">The CommitLog end when the topic was deleted.</param>
    public sealed record DeleteTopicQueues(string Topic, long UpTo);

    /// <summary>Answer to <see cref="DeleteTopicQueues"/>: whether files were deleted, or why not.</summary>
    /// <param name="Deleted">Whether the topic had ConsumeQueues that are now gone.</param>
    /// <param name="Problem">Why they were left, or null.</param>
    public sealed record TopicQueuesDeleted(bool Deleted, string? Problem);

    /// <summary>A queue grew: its messages up to <paramref name="MaxOffset"/> (exclusive) are readable.</summary>
    /// <param name="Topic">Topic.</param>
    /// <param name="QueueId">Queue of the topic.</param>
    /// <param name="MaxOffset">The queue's new end.</param>
    public sealed record MessagesArrived(string Topic, int QueueId, long MaxOffset);

    private sealed class FlushTick
    {
        public static readonly FlushTick Instance = new();
    }

    private readonly CommitLog _log;
    private readonly ConsumeQueueStore _queues;
    private readonly RecordDispatcher _records;
    private readonly IndexService? _index;
    private readonly StoreCheckpoint _checkpoint;
    private readonly StoreSettings _settings;
    private readonly DispatchProgress _progress;
    private readonly HashSet<ConsumeQueue> _grown = [];
    private readonly List<IActorRef> _subscribers = [];
    private long _lastStoreTimestamp;
    private ThoroughClock _thorough;
    private bool _stalled;

    /// <summary>Creates the dispatcher, continuing from <paramref name="progress"/>'s offset (the recovered end).</summary>
    public Dispatcher(CommitLog log, ConsumeQueueStore queues, IndexService? index, RecordDispatcher records, StoreCheckpoint checkpoint,
        StoreSettings settings, DispatchProgress progress)
    {
        _log = log;
        _queues = queues;
        _index = index;
        _records = records;
        _checkpoint = checkpoint;
        _settings = settings;
        _thorough = new ThoroughClock(_settings.FlushConsumeQueueThoroughInterval);
        _progress = progress;
    }

    /// <summary>Props: a dedicated thread, since flushing blocks.</summary>
    public static Props Props(CommitLog log, ConsumeQueueStore queues, IndexService? index, RecordDispatcher records, StoreCheckpoint checkpoint,
        StoreSettings settings, DispatchProgress progress) =>
        Actors.Props.Create(() => new Dispatcher(log, queues, index, records, checkpoint, settings, progress)).WithDedicatedThread();

    /// <inheritdoc />
    protected override void PreStart() => Context.Timers.StartPeriodicTimer("flush", FlushTick.Instance, _settings.FlushIntervalConsumeQueue);

    /// <inheritdoc />
    protected override void PostStop() => FlushQueues(0, includeNewestIndex: true);

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case CommitLogWriter.Appended:
                DispatchAvailable();
                break;
            case FlushTick:
                var thorough = _thorough.IsDue();
                FlushQueues(thorough ? 0 : _settings.FlushConsumeQueueLeastPages, includeNewestIndex: thorough);
                break;
            case CommitLogTrimmed trimmed:
                var files = _queues.DeleteExpiredAll(trimmed.MinOffset);
                _queues.CorrectMinOffsetAll(trimmed.MinOffset);
                files += _index?.DeleteFilesBelow(trimmed.MinOffset) ?? 0;
                if (files > 0) Context.Log.LogInformation("Deleted {Count} ConsumeQueue/index file(s) below CommitLog offset {MinOffset}", files, trimmed.MinOffset);
                break;
            case DeleteTopicQueues delete:
                Sender.Tell(DeleteQueuesOf(delete));
                break;
            case SubscribeArrivals subscribe:
                _subscribers.Add(subscribe.Subscriber);
                Context.Watch(subscribe.Subscriber);
                break;
            case Terminated terminated:
                _subscribers.Remove(terminated.ActorRef);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void DispatchAvailable()
    {
        var result = _records.DispatchRange(_log, _progress.Offset, _log.ReadableOffset, _grown);
        if (result.LastStoreTimestamp > 0) _lastStoreTimestamp = result.LastStoreTimestamp;
        // Only the writer's own records lie below the readable offset, so a failure is a bug or damage.
        if (result.Failure is { } failure)
        {
            if (!_stalled) Context.Log.LogError("Dispatch stopped at CommitLog offset {Offset}: {Status}", result.Offset, failure);
            _stalled = true;
        }

        _progress.Publish(result.Offset);
        foreach (var queue in _grown)
        {
            if (_subscribers.Count == 0) break;
            var arrived = new MessagesArrived(queue.Topic, queue.QueueId, queue.MaxOffset);
            foreach (var subscriber in _subscribers) subscriber.Tell(arrived);
        }

        _grown.Clear();
    }

    private TopicQueuesDeleted DeleteQueuesOf(DeleteTopicQueues delete)
    {
        // The writer announced those records before the delete was sent, so they are normally dispatched already.
        DispatchAvailable();
        if (_progress.Offset < delete.UpTo)
            return new TopicQueuesDeleted(false, $"dispatch is behind (at {_progress.Offset}, topic deleted at {delete.UpTo})");
        try
        {
            var deleted = _queues.DeleteTopic(delete.Topic);
            if (deleted) Context.Log.LogInformation("Deleted the ConsumeQueues of topic {Topic}", delete.Topic);
            return new TopicQueuesDeleted(deleted, null);
        }
        catch (IOException e)
        {
            Context.Log.LogError(e, "Could not delete the ConsumeQueues of topic {Topic}", delete.Topic);
            return new TopicQueuesDeleted(false, e.Message);
        }
    }

    // The index file still filling is synced only by the thorough flush (and at stop); a full one at the next tick.
    private void FlushQueues(int leastPages, bool includeNewestIndex)
    {
        var storeTimestamp = _lastStoreTimestamp;
        try
        {
            _queues.FlushAll(leastPages);
            if (_index?.Flush(includeNewestIndex) is > 0 and var indexed) _checkpoint.IndexMsgTimestamp = indexed;
            if (storeTimestamp > 0 && storeTimestamp != _checkpoint.LogicsMsgTimestamp)
            {
                _checkpoint.LogicsMsgTimestamp = storeTimestamp;
                _checkpoint.Flush();
            }
        }
        catch (IOException e)
        {
            Context.Log.LogError(e, "ConsumeQueue flush failed (they can be rebuilt from the CommitLog)");
        }
    }
}

/// <summary>
/// How far the Dispatcher has got in the CommitLog; written by the Dispatcher, read by anyone
/// (a pull must not read past what the ConsumeQueues cover).
/// </summary>
public sealed class DispatchProgress
{
    private long _offset;

    /// <summary>Starts at <paramref name="offset"/> (the recovered CommitLog end).</summary>
    public DispatchProgress(long offset) => _offset = offset;

    /// <summary>CommitLog offset up to which every record is dispatched.</summary>
    public long Offset => Volatile.Read(ref _offset);

    internal void Publish(long offset) => Volatile.Write(ref _offset, offset);
}
