using AkkaBroker.Protocol;

namespace AkkaBroker.Store;

public sealed partial class CommitLog
{
    /// <summary>
    /// Reads the record at <paramref name="physicalOffset"/> in place, checking magic and lengths (not the CRC: the
    /// hot path trusts what recovery verified). Never reads at or past <paramref name="readLimit"/> nor
    /// <see cref="ReadableOffset"/>. On <see cref="CommitLogReadStatus.Ok"/> the lease holds the segment and must be
    /// disposed; on <see cref="CommitLogReadStatus.EndOfFile"/> the lease holds nothing and its
    /// <see cref="CommitLogRecordLease.NextOffset"/> is the next segment's start. Any thread.
    /// </summary>
    public CommitLogReadStatus TryRead(long physicalOffset, long readLimit, out CommitLogRecordLease lease)
    {
        lease = default;
        readLimit = Math.Min(readLimit, ReadableOffset);
        if (physicalOffset >= readLimit) return physicalOffset < MinOffset ? CommitLogReadStatus.Removed : CommitLogReadStatus.NotYetWritten;
        var file = _queue.FindByOffset(physicalOffset);
        if (file is null || !file.TryHold()) return physicalOffset < _queue.MinOffset || file is not null ? CommitLogReadStatus.Removed : CommitLogReadStatus.NotYetWritten;

        var position = (int)(physicalOffset - file.FileFromOffset);
        var end = (int)Math.Min(file.FileSize, readLimit - file.FileFromOffset);
        var status = MessageRecord.TryRead(file.Read(position, end - position), checkCrc: false, out var view);
        // A record that does not name its own offset means the caller's offset is wrong (e.g. a damaged ConsumeQueue unit).
        if (status == RecordReadStatus.Ok && view.PhysicalOffset == physicalOffset)
        {
            lease = new CommitLogRecordLease(file, position, view.TotalSize, physicalOffset, physicalOffset + view.TotalSize);
            return CommitLogReadStatus.Ok;
        }

        var size = view.TotalSize;
        file.Release();
        switch (status)
        {
            case RecordReadStatus.EndOfFile when position + size == file.FileSize:
                lease = new CommitLogRecordLease(null, 0, 0, physicalOffset, file.FileFromOffset + file.FileSize);
                return CommitLogReadStatus.EndOfFile;
            case RecordReadStatus.NoRecord or RecordReadStatus.Truncated when end < file.FileSize:
                return CommitLogReadStatus.NotYetWritten; // a record straddling the limit (e.g. half of a slave's chunk)
            default:
                return CommitLogReadStatus.Corrupt;
        }
    }

    /// <summary>
    /// Leases up to <paramref name="maxLength"/> raw bytes from <paramref name="offset"/>, never crossing a segment's
    /// end nor the read limit (what a master streams to its slave; an empty lease means nothing new). Returns
    /// <see cref="CommitLogReadStatus.Ok"/> with a lease to dispose, <see cref="CommitLogReadStatus.NotYetWritten"/>
    /// or <see cref="CommitLogReadStatus.Removed"/>. Any thread.
    /// </summary>
    public CommitLogReadStatus TryReadBytes(long offset, int maxLength, long readLimit, out CommitLogRecordLease lease)
    {
        lease = default;
        readLimit = Math.Min(readLimit, ReadableOffset);
        if (offset < _queue.MinOffset) return CommitLogReadStatus.Removed;
        if (offset >= readLimit || maxLength <= 0) return CommitLogReadStatus.NotYetWritten;
        var file = _queue.FindByOffset(offset);
        if (file is null) return CommitLogReadStatus.NotYetWritten;
        if (!file.TryHold()) return CommitLogReadStatus.Removed;
        var position = (int)(offset - file.FileFromOffset);
        var length = (int)Math.Min(Math.Min(file.FileSize - position, readLimit - offset), maxLength);
        lease = new CommitLogRecordLease(file, position, length, offset, offset + length);
        return CommitLogReadStatus.Ok;
    }
}
