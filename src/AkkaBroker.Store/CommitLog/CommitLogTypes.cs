using AkkaBroker.Protocol;
using AkkaBroker.Store.Files;

namespace AkkaBroker.Store;

/// <summary>Outcome of <see cref="CommitLog.Append"/>.</summary>
/// <param name="Status">PutOk, or why the record was not stored (MessageIllegal, PropertiesSizeExceeded, CreateMappedFileFailed, ServiceNotAvailable).</param>
/// <param name="PhysicalOffset">The record's CommitLog offset (valid with PutOk).</param>
/// <param name="Size">Bytes the record occupies (TOTALSIZE), without any end-of-file filler written before it.</param>
/// <param name="QueueOffset">The queue offset the caller assigned, echoed.</param>
/// <param name="StoreTimestamp">The store timestamp the caller assigned, echoed.</param>
public readonly record struct CommitLogAppendResult(PutMessageStatus Status, long PhysicalOffset, int Size, long QueueOffset, long StoreTimestamp)
{
    /// <summary>Whether the record was stored.</summary>
    public bool IsOk => Status == PutMessageStatus.PutOk;

    /// <summary>Offset just past the record.</summary>
    public long NextOffset => PhysicalOffset + Size;
}

/// <summary>Outcome of <see cref="CommitLog.TryRead"/>.</summary>
public enum CommitLogReadStatus
{
    /// <summary>A valid record; the lease holds its segment until disposed.</summary>
    Ok,

    /// <summary>The segment's end-of-file marker: continue at the lease's <see cref="CommitLogRecordLease.NextOffset"/> (the next segment's start).</summary>
    EndOfFile,

    /// <summary>Nothing readable there yet: the offset is at or past the read limit, or the record straddles it.</summary>
    NotYetWritten,

    /// <summary>The offset lies below the oldest retained segment (deleted by clean-up).</summary>
    Removed,

    /// <summary>The bytes at the offset are not a record (a wrong offset, or damage).</summary>
    Corrupt,
}

/// <summary>
/// A record (or a byte range) read in place from a mapped segment. The segment is held until <see cref="Dispose"/>,
/// so clean-up cannot unmap it meanwhile. Dispose exactly once; the spans are invalid afterwards.
/// </summary>
public readonly struct CommitLogRecordLease : IDisposable
{
    private readonly MappedFile? _file;
    private readonly int _position;
    private readonly int _length;

    internal CommitLogRecordLease(MappedFile? file, int position, int length, long offset, long nextOffset)
    {
        _file = file;
        _position = position;
        _length = length;
        Offset = offset;
        NextOffset = nextOffset;
    }

    /// <summary>CommitLog offset of the first byte.</summary>
    public long Offset { get; }

    /// <summary>Where the next record starts (after an end-of-file marker: the next segment's start).</summary>
    public long NextOffset { get; }

    /// <summary>Length of <see cref="Bytes"/>.</summary>
    public int Length => _length;

    /// <summary>The bytes exactly as stored (a record is also its own pull wire format).</summary>
    public ReadOnlySpan<byte> Bytes => _file is null ? default : _file.Read(_position, _length);

    /// <summary>Field accessors over the record (only for leases from <see cref="CommitLog.TryRead"/> with Ok).</summary>
    public MessageRecordView View
    {
        get
        {
            MessageRecord.TryRead(Bytes, checkCrc: false, out var view);
            return view;
        }
    }

    /// <summary>Releases the segment.</summary>
    public void Dispose() => _file?.Release();
}

/// <summary>What CommitLog recovery found and did.</summary>
/// <param name="MaxOffset">Offset just past the last whole, valid record: the new write position.</param>
/// <param name="DispatchFromOffset">Start of the scan: the caller re-dispatches (idempotently) every record from here to rebuild ConsumeQueues and the index.</param>
/// <param name="Abnormal">Whether the scan was the abnormal (crash) kind.</param>
/// <param name="RecordsScanned">Valid records seen by the scan.</param>
/// <param name="DiscardedBytes">Bytes zeroed or deleted from <paramref name="MaxOffset"/> on, counted up to the last non-zero byte of each segment (0: nothing was lost).</param>
/// <param name="StopStatus">Why the scan stopped: NoRecord at a clean end, else Truncated or Corrupt.</param>
/// <param name="Problem">A line for the log when data was discarded or a record was bad; null after a clean scan.</param>
public readonly record struct CommitLogRecoveryResult(
    long MaxOffset, long DispatchFromOffset, bool Abnormal, long RecordsScanned, long DiscardedBytes, RecordReadStatus StopStatus, string? Problem);
