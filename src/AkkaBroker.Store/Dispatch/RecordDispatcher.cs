using System.Text;
using AkkaBroker.Protocol;
using AkkaBroker.Store.ConsumeQueues;
using AkkaBroker.Store.Index;

namespace AkkaBroker.Store.Dispatch;

/// <summary>
/// Turns one CommitLog record into its derived data: the ConsumeQueue unit (physical offset, size, tag code) and,
/// when an index is given, the IndexFile entries for its keys. Used by the Dispatcher as records arrive and by
/// recovery to rebuild; both may replay a record already dispatched (ConsumeQueue puts are idempotent).
/// Owner: whoever owns the ConsumeQueues (one thread). Allocates nothing per record once a topic is known.
/// </summary>
public sealed class RecordDispatcher
{
    private readonly ConsumeQueueStore _queues;
    private readonly IndexService? _index;
    private readonly long[] _delayMillis;
    private readonly Dictionary<string, ConsumeQueue?[]> _byTopic = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ConsumeQueue?[]>.AlternateLookup<ReadOnlySpan<char>> _byTopicSpan;

    /// <summary>
    /// A dispatcher writing into <paramref name="queues"/> and, when given, <paramref name="index"/>. Delayed
    /// messages (SCHEDULE_TOPIC_XXXX) get their delivery time as tag code, as RocketMQ stores it, computed from
    /// <paramref name="delayLevels"/>.
    /// </summary>
    public RecordDispatcher(ConsumeQueueStore queues, IndexService? index, IReadOnlyList<TimeSpan>? delayLevels = null)
    {
        _queues = queues;
        _index = index;
        _delayMillis = delayLevels?.Select(d => (long)d.TotalMilliseconds).ToArray() ?? [];
        _byTopicSpan = _byTopic.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private static ReadOnlySpan<byte> ScheduleTopic => "SCHEDULE_TOPIC_XXXX"u8;

    /// <summary>Records dispatched so far.</summary>
    public long Dispatched { get; private set; }

    // Store time plus the level's delay; levels past the last one count as the last (RocketMQ clamps them).
    private long DeliverTime(in MessageRecordView record, ReadOnlySpan<byte> properties)
    {
        if (!MessageProperties.TryGetValue(properties, "DELAY"u8, out var level) ||
            !System.Buffers.Text.Utf8Parser.TryParse(level, out int value, out _) || value <= 0)
            return record.StoreTimestamp;
        return record.StoreTimestamp + _delayMillis[Math.Min(value, _delayMillis.Length) - 1];
    }

    /// <summary>
    /// Dispatches <paramref name="record"/>; returns the queue it went to, or null when the record takes no queue
    /// position (a transaction's half or rollback message).
    /// </summary>
    public ConsumeQueue? Dispatch(in MessageRecordView record)
    {
        Dispatched++;
        var transaction = MessageSysFlag.TransactionType(record.SysFlag);
        if (transaction == MessageSysFlag.TransactionRollback) return null; // neither consumed nor looked up
        var takesQueue = transaction != MessageSysFlag.TransactionPrepared;
        var queue = takesQueue ? QueueOf(record.Topic, record.QueueId) : null;
        var properties = record.Properties;
        if (queue is not null)
        {
            MessageProperties.TryGetValue(properties, "TAGS"u8, out var tag);
            var tagsCode = TagsCode.Of(tag);
            if (_delayMillis.Length > 0 && record.Topic.SequenceEqual(ScheduleTopic)) tagsCode = DeliverTime(record, properties);
            queue.PutUnit(record.QueueOffset, record.PhysicalOffset, record.TotalSize, tagsCode);
        }

        if (_index is not null)
        {
            MessageProperties.TryGetValue(properties, "KEYS"u8, out var keys);
            MessageProperties.TryGetValue(properties, "UNIQ_KEY"u8, out var uniqueKey);
            if (!keys.IsEmpty || !uniqueKey.IsEmpty)
            {
                // Half messages have no queue to lend its topic string; they are rare enough to allocate one.
                var topic = queue?.Topic ?? Encoding.UTF8.GetString(record.Topic);
                _index.Put(topic, keys, uniqueKey, record.PhysicalOffset, record.StoreTimestamp);
            }
        }

        return queue;
    }

    private ConsumeQueue QueueOf(ReadOnlySpan<byte> topicUtf8, int queueId)
    {
        // Topic names are ASCII by RocketMQ's rules, so one char per byte.
        Span<char> topic = stackalloc char[topicUtf8.Length];
        var length = Encoding.UTF8.GetChars(topicUtf8, topic);
        topic = topic[..length];
        if (!_byTopicSpan.TryGetValue(topic, out var queues) || queueId >= queues.Length)
        {
            var name = topic.ToString();
            var grown = new ConsumeQueue?[Math.Max(queueId + 1, queues?.Length ?? 0)];
            queues?.CopyTo(grown, 0);
            _byTopic[name] = queues = grown;
        }

        return queues[queueId] ??= _queues.GetOrCreate(topic.ToString(), queueId);
    }

    /// <summary>
    /// Dispatches every record of <paramref name="log"/> in [<paramref name="from"/>, <paramref name="limit"/>),
    /// following end-of-file markers to the next segment. Stops early at a record that cannot be read (only damage or
    /// a bug puts one below the limit); the result says where and why. <paramref name="grown"/>, when given,
    /// collects the queues that received units.
    /// </summary>
    public DispatchRangeResult DispatchRange(CommitLog log, long from, long limit, ISet<ConsumeQueue>? grown = null)
    {
        var offset = from;
        long records = 0, lastStoreTimestamp = 0;
        while (offset < limit)
        {
            var status = log.TryRead(offset, limit, out var lease);
            using (lease)
            {
                if (status == CommitLogReadStatus.EndOfFile)
                {
                    offset = lease.NextOffset;
                    continue;
                }

                if (status != CommitLogReadStatus.Ok) return new DispatchRangeResult(offset, records, lastStoreTimestamp, status);
                var view = lease.View;
                if (Dispatch(view) is { } queue) grown?.Add(queue);
                lastStoreTimestamp = view.StoreTimestamp;
                offset = lease.NextOffset;
                records++;
            }
        }

        return new DispatchRangeResult(offset, records, lastStoreTimestamp, null);
    }

    /// <summary>Forgets cached queues of a deleted topic.</summary>
    public void ForgetTopic(string topic) => _byTopic.Remove(topic);
}

/// <summary>How far <see cref="RecordDispatcher.DispatchRange"/> got.</summary>
/// <param name="Offset">CommitLog offset up to which every record is dispatched.</param>
/// <param name="Records">Records dispatched.</param>
/// <param name="LastStoreTimestamp">Store time of the last record dispatched, 0 when none.</param>
/// <param name="Failure">Why it stopped before the limit, or null when it reached it.</param>
public readonly record struct DispatchRangeResult(long Offset, long Records, long LastStoreTimestamp, CommitLogReadStatus? Failure);
