using System.Buffers;
using AkkaBroker.Protocol;
using AkkaBroker.Store.ConsumeQueues;

namespace AkkaBroker.Store.Read;

/// <summary>What a read from a queue found.</summary>
/// <param name="Status">RocketMQ's status for the read.</param>
/// <param name="NextBeginOffset">Where the consumer should read next.</param>
/// <param name="MinOffset">The queue's first retained offset.</param>
/// <param name="MaxOffset">The queue's end (next offset to be written).</param>
/// <param name="MessageCount">Records written to the output.</param>
/// <param name="TotalBytes">Bytes written to the output.</param>
/// <param name="SuggestPullingFromSlave">The consumer is so far behind that its data is likely no longer in memory.</param>
public readonly record struct GetMessageResult(
    GetMessageStatus Status, long NextBeginOffset, long MinOffset, long MaxOffset, int MessageCount, int TotalBytes, bool SuggestPullingFromSlave);

/// <summary>
/// Reads messages of one queue for a pull (DESIGN.md §4 "Consume"): ConsumeQueue units from the requested offset,
/// filtered by tag code and then by exact tag, and the records themselves copied raw (the stored record is the wire
/// format) into the caller's buffer. Statuses, offset corrections and batch limits follow RocketMQ's getMessage.
/// Any thread; reads only what the Dispatcher has published.
/// </summary>
public sealed class MessageReader
{
    private const int MinScanBytes = 16000;
    private const int UnitBatch = 64;
    private readonly CommitLog _log;
    private readonly ConsumeQueueStore _queues;
    private readonly StoreSettings _settings;
    private readonly bool _correctOffsets;
    private readonly long _memoryBudget;

    /// <summary>A reader over a store's CommitLog and ConsumeQueues.</summary>
    /// <param name="log">The CommitLog.</param>
    /// <param name="queues">The ConsumeQueues.</param>
    /// <param name="settings">Transfer limits and the in-memory ratio.</param>
    /// <param name="correctOffsets">Masters tell consumers where to continue after a bad offset; slaves do not (RocketMQ's rule).</param>
    /// <param name="cacheWindow">The CommitLog's page-cache window when it is trimmed (null: not trimmed): data further back is on disk.</param>
    public MessageReader(CommitLog log, ConsumeQueueStore queues, StoreSettings settings, bool correctOffsets, long? cacheWindow = null)
    {
        _log = log;
        _queues = queues;
        _settings = settings;
        _correctOffsets = correctOffsets;
        var budget = (long)(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * (settings.AccessMessageInMemoryMaxRatio / 100.0));
        _memoryBudget = Math.Min(budget, cacheWindow ?? long.MaxValue);
    }

    /// <summary>Copies up to <paramref name="maxCount"/> matching records from <paramref name="offset"/> into <paramref name="output"/>.</summary>
    public GetMessageResult GetMessages(string topic, int queueId, long offset, int maxCount, TagFilter filter, IBufferWriter<byte> output)
    {
        if (!_queues.TryGet(topic, queueId, out var queue))
            return new GetMessageResult(GetMessageStatus.NoMatchedLogicQueue, Correct(offset, 0), 0, 0, 0, 0, false);

        var min = queue.MinOffset;
        var max = queue.MaxOffset;
        if (max == 0) return Empty(GetMessageStatus.NoMessageInQueue, Correct(offset, 0));
        if (offset < min) return Empty(GetMessageStatus.OffsetTooSmall, Correct(offset, min));
        if (offset == max) return Empty(GetMessageStatus.OffsetOverflowOne, Correct(offset, offset));
        if (offset > max) return Empty(GetMessageStatus.OffsetOverflowBadly, Correct(offset, min == 0 ? min : max));

        var status = GetMessageStatus.NoMatchedMessage;
        var maxPhysical = _log.ReadableOffset;
        var maxUnits = Math.Max(MinScanBytes, maxCount * ConsumeQueueUnit.Length) / ConsumeQueueUnit.Length;
        Span<ConsumeQueueUnit> units = stackalloc ConsumeQueueUnit[UnitBatch];
        int count = 0, bytes = 0, scanned = 0;
        long lastPhysical = 0;
        var full = false;
        while (!full && scanned < maxUnits)
        {
            var read = queue.ReadUnits(offset + scanned, units[..Math.Min(UnitBatch, maxUnits - scanned)]);
            if (read == 0)
            {
                if (scanned == 0) return Empty(GetMessageStatus.OffsetFoundNull, Correct(offset, offset + 1));
                break;
            }

            for (var i = 0; i < read; i++)
            {
                var unit = units[i];
                lastPhysical = unit.PhysicalOffset;
                var inDisk = maxPhysical - unit.PhysicalOffset > _memoryBudget;
                if (IsBatchFull(unit.Size, maxCount, bytes, count, inDisk))
                {
                    full = true;
                    break;
                }

                scanned++;
                if (unit.IsBlank || !filter.MatchesCode(unit.TagsCode)) continue;
                var copied = CopyRecord(unit, filter, output, ref status);
                if (copied <= 0) continue;
                count++;
                bytes += copied;
                status = GetMessageStatus.Found;
            }

            if (read < units.Length && !full) break; // reached the queue's end
        }

        var suggestSlave = maxPhysical - lastPhysical > _memoryBudget;
        return new GetMessageResult(status, offset + scanned, min, max, count, bytes, suggestSlave);

        GetMessageResult Empty(GetMessageStatus s, long next) => new(s, next, min, max, 0, 0, false);
    }

    /// <summary>Offset of the first message stored at or after <paramref name="timestampMs"/> (clamped to the queue's range).</summary>
    public long GetOffsetByTime(string topic, int queueId, long timestampMs) =>
        _queues.TryGet(topic, queueId, out var queue) ? queue.GetOffsetByTime(timestampMs, StoreTimestampOf) : 0;

    /// <summary>Store time of the record at <paramref name="physicalOffset"/>, or -1 when it is gone.</summary>
    public long StoreTimestampOf(long physicalOffset, int size)
    {
        var status = _log.TryRead(physicalOffset, _log.ReadableOffset, out var lease);
        using (lease) return status == CommitLogReadStatus.Ok ? lease.View.StoreTimestamp : -1;
    }

    // Copies one record; returns its size, 0 when it did not match the exact tag, -1 when its data is gone.
    private int CopyRecord(ConsumeQueueUnit unit, TagFilter filter, IBufferWriter<byte> output, ref GetMessageStatus status)
    {
        var read = _log.TryRead(unit.PhysicalOffset, _log.ReadableOffset, out var lease);
        using (lease)
        {
            if (read != CommitLogReadStatus.Ok)
            {
                if (read == CommitLogReadStatus.Removed && status != GetMessageStatus.Found) status = GetMessageStatus.MessageWasRemoving;
                return -1;
            }

            var view = lease.View;
            if (!filter.MatchesAll)
            {
                MessageProperties.TryGetValue(view.Properties, "TAGS"u8, out var tag);
                if (!filter.MatchesTag(tag)) return 0;
            }

            var bytes = lease.Bytes;
            bytes.CopyTo(output.GetSpan(bytes.Length));
            output.Advance(bytes.Length);
            return bytes.Length;
        }
    }

    private bool IsBatchFull(int size, int maxCount, int bytes, int count, bool inDisk)
    {
        if (bytes == 0 || count == 0) return false;
        if (count >= maxCount) return true;
        return inDisk
            ? bytes + size > _settings.MaxTransferBytesOnMessageInDisk || count > _settings.MaxTransferCountOnMessageInDisk - 1
            : bytes + size > _settings.MaxTransferBytesOnMessageInMemory || count > _settings.MaxTransferCountOnMessageInMemory - 1;
    }

    private long Correct(long old, long corrected) => _correctOffsets ? corrected : old;
}
