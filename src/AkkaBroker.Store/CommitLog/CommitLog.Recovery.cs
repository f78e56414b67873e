using AkkaBroker.Protocol;
using AkkaBroker.Store.Files;

namespace AkkaBroker.Store;

public sealed partial class CommitLog
{
    /// <summary>Abnormal recovery starts this far before the checkpoint's time, as RocketMQ does.</summary>
    private const long CheckpointSafetyMillis = 3000;

    /// <summary>
    /// Finds the end of the valid log and makes it the write position (reference §5.3). A normal start (no abort
    /// file) scans from the third-last segment; an abnormal one from the newest segment whose first record was stored
    /// at or before min(physicMsgTimestamp, logicsMsgTimestamp) - 3 s (the first segment when none is, e.g. with a
    /// zeroed checkpoint). Each record is checked (magic, lengths, the CRC when <paramref name="checkCrc"/>, and that
    /// its PHYSICALOFFSET is its position); end markers lead to the next segment. The log is cut at the first empty,
    /// torn or bad record, wherever it is: later segments are deleted and the rest of its segment is zeroed.
    /// Writer only, once, before any append.
    /// </summary>
    public CommitLogRecoveryResult Recover(bool abnormal, StoreCheckpoint checkpoint, bool checkCrc, bool includeIndexTimestamp = false)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (_recovered) throw new InvalidOperationException("CommitLog already recovered");
        var files = _queue.Files;
        if (files.Count == 0)
        {
            _recovered = true;
            return new CommitLogRecoveryResult(0, 0, abnormal, 0, 0, RecordReadStatus.NoRecord, null);
        }

        var start = abnormal ? AbnormalStart(files, checkpoint.MinTimestamp(includeIndexTimestamp)) : Math.Max(0, files.Count - 3);
        var scanFrom = files[start].FileFromOffset;
        var (end, records, stopStatus, problem, lastTimestamp) = Scan(files, start, checkCrc);

        foreach (var file in files)
        {
            if (file.FileFromOffset + _fileSize <= end) file.SetPositions(_fileSize);
        }

        // After a clean close the end is an empty slot (SealTail) and nothing of this life of the file lies past it;
        // only what follows a cut after a crash can be this life's unacknowledged records, and those must go.
        var clean = !abnormal && stopStatus == RecordReadStatus.NoRecord && problem is null;
        var discarded = clean ? 0 : CountNonZeroFrom(files, end);
        _queue.TruncateFrom(end, zero: !clean);
        if (_queue.Files.Count == 0 && end > 0)
        {
            // The cut fell exactly on a segment start that got deleted: keep an empty segment there so MaxOffset stays put.
            _queue.GetOrCreateLast(end);
        }

        if (discarded > 0 || problem is not null)
        {
            problem = $"CommitLog {Directory}: cut at offset {end} ({problem ?? "no record there"}); {discarded} non-zero bytes discarded from there " +
                      "(unacknowledged writes, or the old contents of a reused segment)";
        }

        _lastStoreTimestamp = lastTimestamp;
        _rawCursor = end;
        Volatile.Write(ref _published, end);
        Volatile.Write(ref _committed, end);
        _recovered = true;
        return new CommitLogRecoveryResult(end, scanFrom, abnormal, records, discarded, stopStatus, problem);
    }

    private int AbnormalStart(IReadOnlyList<MappedFile> files, long checkpointMillis)
    {
        var safe = checkpointMillis - CheckpointSafetyMillis;
        for (var i = files.Count - 1; i >= 0; i--)
        {
            var status = MessageRecord.TryRead(files[i].Read(0, _fileSize), checkCrc: false, out var first);
            // A reused segment the crash caught before its first append still starts with an old record: not this offset's.
            if (status == RecordReadStatus.Ok && first.PhysicalOffset == files[i].FileFromOffset && first.StoreTimestamp != 0 && first.StoreTimestamp <= safe) return i;
        }

        return 0;
    }

    private (long End, long Records, RecordReadStatus Stop, string? Problem, long LastTimestamp) Scan(IReadOnlyList<MappedFile> files, int start, bool checkCrc)
    {
        long records = 0;
        long lastTimestamp = 0;
        for (var i = start; i < files.Count; i++)
        {
            var file = files[i];
            var position = 0;
            while (true)
            {
                var offset = file.FileFromOffset + position;
                MessageRecordView record = default;
                var status = position + MessageRecord.EndOfFileMarkerSize > _fileSize
                    ? RecordReadStatus.Corrupt // records always leave room for the end marker
                    : MessageRecord.TryRead(file.Read(position, _fileSize - position), checkCrc, out record);
                if (status == RecordReadStatus.Ok)
                {
                    var view = record;
                    if (view.PhysicalOffset != offset)
                        return (offset, records, RecordReadStatus.Corrupt, $"record at {offset} says PHYSICALOFFSET {view.PhysicalOffset}", lastTimestamp);
                    records++;
                    lastTimestamp = view.StoreTimestamp;
                    position += view.TotalSize;
                    continue;
                }

                if (status == RecordReadStatus.EndOfFile && position + record.TotalSize == _fileSize)
                {
                    if (i == files.Count - 1) return (file.FileFromOffset + _fileSize, records, RecordReadStatus.NoRecord, null, lastTimestamp);
                    break; // next segment
                }

                var problem = status switch
                {
                    RecordReadStatus.NoRecord => null,
                    RecordReadStatus.EndOfFile => $"end marker at {offset} does not reach the segment's end",
                    RecordReadStatus.Truncated => $"record at {offset} is torn",
                    _ => $"record at {offset} is corrupt (bad magic, lengths{(checkCrc ? " or body CRC" : "")})",
                };
                return (offset, records, status == RecordReadStatus.EndOfFile ? RecordReadStatus.Corrupt : status, problem, lastTimestamp);
            }
        }

        return (files[^1].FileFromOffset + _fileSize, records, RecordReadStatus.NoRecord, null, lastTimestamp);
    }

    /// <summary>
    /// Counts the bytes a cut drops, up to the last non-zero byte of each segment from the cut on, but looks at most
    /// <see cref="DiscardCountLimit"/> bytes per segment: the rest of a reused segment is its old life, and reading a
    /// whole 1 GiB of it from disk only to count it would slow the restart.
    /// </summary>
    private long CountNonZeroFrom(IReadOnlyList<MappedFile> files, long end)
    {
        long discarded = 0;
        foreach (var file in files)
        {
            if (file.FileFromOffset + _fileSize <= end) continue;
            var from = (int)Math.Max(0, end - file.FileFromOffset);
            var last = file.Read(from, Math.Min(_fileSize - from, DiscardCountLimit)).LastIndexOfAnyExcept((byte)0);
            discarded += last + 1;
        }

        return discarded;
    }

    private const int DiscardCountLimit = 16 * 1024 * 1024;
}
