using System.Collections.Concurrent;
using AkkaBroker.Protocol;
using AkkaBroker.Store.Files;

namespace AkkaBroker.Store;

/// <summary>
/// The CommitLog: every message of every topic, appended in arrival order to fixed-size mapped segments in
/// <c>&lt;root&gt;/commitlog/&lt;20-digit start offset&gt;</c> (RocketMQ's layout, records per reference §4.1).
/// A segment never splits a record: when a record plus the 8-byte end marker does not fit the space left, the
/// tail is filled with the end-of-file marker (<c>int remaining | int 0xCBD43194</c>) and the record goes to the
/// next segment.
/// <para>Threads: one writer (the CommitLogWriter actor) calls <see cref="Recover"/>, <see cref="Append"/>,
/// <see cref="AppendRaw"/>, <see cref="DeleteExpiredSegments"/> and <see cref="Dispose"/>; one flusher calls
/// <see cref="Flush"/>; one committer calls <see cref="Commit"/> (transient pool only); readers on any thread
/// call <see cref="TryRead"/> and <see cref="TryReadBytes"/> below <see cref="ReadableOffset"/>.</para>
/// </summary>
public sealed partial class CommitLog : IDisposable
{
    private readonly MappedFileQueue _queue;
    private readonly int _fileSize;
    private readonly int _maxMessageSize;
    private readonly byte[]? _scratch;
    private readonly int _scratchCapacity;
    private readonly TransientStorePool? _pool;
    private readonly ConcurrentQueue<PendingBuffer> _pending = new();
    private long _prefaultedTo; // the Prefaulter's own
    private long _cacheTrimmedTo; // the CacheTrimmer's own
    private MappedFile? _writeFile;
    private TransientBuffer? _writeBuffer;
    private long _published;
    private long _committed;
    private long _lastStoreTimestamp;
    private long _rawCursor;
    private bool _recovered;
    private bool _staging;
    private int _stagedLength;
    private long _stagedTimestamp;

    /// <summary>
    /// Maps the segments in <see cref="StoreSettings.CommitLogDir"/>; call <see cref="Recover"/> before anything else.
    /// With <paramref name="pool"/>, appends are buffered off-heap and become readable at <see cref="Commit"/>.
    /// </summary>
    /// <exception cref="StoreCorruptException">A segment has the wrong size or name, or segments are missing in between.</exception>
    public CommitLog(StoreSettings settings, TransientStorePool? pool = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.MappedFileSizeCommitLog is <= 0 or > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(settings), "mapped-file-size-commit-log must fit an int");
        _fileSize = (int)settings.MappedFileSizeCommitLog;
        if (pool is not null && pool.BufferSize != _fileSize)
            throw new ArgumentException($"pool buffers of {pool.BufferSize} bytes do not match segments of {_fileSize}", nameof(pool));
        _maxMessageSize = settings.MaxMessageSize;
        _pool = pool;
        // Without the pool, records go into the segment with write() and are read through the mapping. Pages written
        // so sync ~6x faster than pages dirtied through the mapping (scripts/msync-vs-write.py), and the writer never
        // faults on a page the flusher is writing back: ASYNC_FLUSH open-loop p99 13 ms -> 5.5 ms at 20k msgs/s.
        // The extra page holds the zeros each write is padded with (see WriteFromScratch).
        _scratchCapacity = Math.Min(_fileSize, Math.Max(_maxMessageSize, 64 * 1024));
        if (pool is null) _scratch = new byte[_scratchCapacity + NativeMemory.PageSize];
        _queue = new MappedFileQueue(settings.CommitLogDir, _fileSize, preallocate: true, warm: settings.WarmMappedFileEnable,
            reuseLimit: settings.CommitLogReuseSegments);
        _queue.Load();
    }

    /// <summary>The folder of the segments.</summary>
    public string Directory => _queue.Directory;

    /// <summary>Bytes per segment.</summary>
    public int FileSize => _fileSize;

    /// <summary>The segments, oldest first (a snapshot).</summary>
    public IReadOnlyList<MappedFile> Segments => _queue.Files;

    /// <summary>Offset just past the last appended byte (what a slave reports to its master).</summary>
    public long MaxOffset => _queue.MaxOffset;

    /// <summary>Offset of the oldest retained byte (the first segment's start).</summary>
    public long MinOffset => _queue.MinOffset;

    /// <summary>Offset up to which bytes are on the device.</summary>
    public long FlushedOffset => _queue.FlushedOffset;

    /// <summary>
    /// Offset up to which readers may read: everything appended, or with the transient pool everything committed.
    /// Published with release semantics after the bytes are in place.
    /// </summary>
    public long ReadableOffset => _pool is null ? Volatile.Read(ref _published) : Volatile.Read(ref _committed);

    /// <summary>
    /// STORETIMESTAMP of the last appended record. The flusher reads it before <see cref="Flush"/> and stores it as the
    /// checkpoint's physicMsgTimestamp after, so the checkpoint never claims more than is on disk.
    /// </summary>
    public long LastStoreTimestamp => Volatile.Read(ref _lastStoreTimestamp);

    /// <summary>Start of the segment after the one holding <paramref name="offset"/> (where a reader goes after an end marker).</summary>
    public long NextSegmentStart(long offset) => offset - (offset % _fileSize) + _fileSize;

    /// <summary>
    /// Encodes one record straight into the current segment (or its pool buffer), rolling to a new segment when it
    /// does not fit. <c>fields.PhysicalOffset</c> is replaced by the offset assigned here; the queue offset and store
    /// timestamp are the caller's. No allocation except on a roll.
    /// </summary>
    public CommitLogAppendResult Append(in MessageRecordFields fields, ReadOnlySpan<byte> body, ReadOnlySpan<byte> topic, ReadOnlySpan<byte> properties)
    {
        EnsureRecovered();
        if (topic.Length is 0 or > MessageRecord.MaxTopicLength) return Failed(PutMessageStatus.MessageIllegal, fields);
        if (properties.Length > MessageRecord.MaxPropertiesLength) return Failed(PutMessageStatus.PropertiesSizeExceeded, fields);
        var size = MessageRecord.CalculateSize(fields.BornHost.IsIPv6, fields.StoreHost.IsIPv6, body.Length, topic.Length, properties.Length);
        if (size > _maxMessageSize || size + MessageRecord.EndOfFileMarkerSize > _fileSize) return Failed(PutMessageStatus.MessageIllegal, fields);

        // A staged run goes out before a roll or once the scratch buffer is full; the roll itself then works on
        // the file's real position.
        if (_stagedLength > 0 && (_stagedLength + size > _scratchCapacity ||
                                  _writeFile!.WritePosition + _stagedLength + size + MessageRecord.EndOfFileMarkerSize > _writeFile.FileSize))
        {
            WriteStaged();
        }

        MappedFile file;
        try
        {
            file = FileWithRoomFor(size);
        }
        catch (IOException)
        {
            return Failed(PutMessageStatus.CreateMappedFileFailed, fields);
        }

        var offset = file.FileFromOffset + file.WritePosition + _stagedLength;
        var record = fields with { PhysicalOffset = offset };
        if (_scratch is { } scratch)
        {
            MessageRecord.Encode(scratch.AsSpan(_stagedLength), record, body, topic, properties);
            _stagedLength += size;
            _stagedTimestamp = fields.StoreTimestamp;
            if (!_staging) WriteStaged();
        }
        else
        {
            MessageRecord.Encode(Writable(file), record, body, topic, properties);
            file.Advance(size);
            Volatile.Write(ref _lastStoreTimestamp, fields.StoreTimestamp);
            Volatile.Write(ref _published, offset + size);
        }

        return new CommitLogAppendResult(PutMessageStatus.PutOk, offset, size, fields.QueueOffset, fields.StoreTimestamp);
    }

    /// <summary>
    /// Until <see cref="EndBatch"/>, appended records are collected in a buffer and written with one write() instead
    /// of one each (a SYNC_FLUSH group commit's worth of 1 KiB records cost 64 write calls, each paying the
    /// filesystem's per-call page work). They are neither readable nor flushable before <see cref="EndBatch"/>, so the
    /// writer hands their requests to the flusher only after it. A no-op with the transient store pool. Writer only.
    /// </summary>
    public void BeginBatch() => _staging = _scratch is not null;

    /// <summary>
    /// Writes and publishes what <see cref="BeginBatch"/> collected. Throws <see cref="IOException"/> when the write
    /// fails: records past <see cref="ReadableOffset"/> are then not stored. Writer only.
    /// </summary>
    public void EndBatch()
    {
        _staging = false;
        if (_stagedLength > 0) WriteStaged();
    }

    /// <summary>
    /// Writes the first <paramref name="length"/> bytes of the scratch buffer at the file's write position, padded
    /// with zeros to the end of the last page. A write() that covers a page only in part makes the kernel read that
    /// page from disk first unless it is cached or never written, which a reused segment's pages are; with the
    /// padding every new page is covered whole. The zeros lie past the write position, where nothing is read.
    /// </summary>
    private void WriteFromScratch(MappedFile file, int length)
    {
        var position = file.WritePosition;
        var end = position + length;
        var padded = (int)Math.Min(file.FileSize, NativeMemory.RoundUpToPage(end));
        var scratch = _scratch!;
        scratch.AsSpan(length, padded - end).Clear();
        file.WriteAt(position, scratch.AsSpan(0, length + padded - end));
    }

    private void WriteStaged()
    {
        var file = _writeFile!;
        var length = _stagedLength;
        _stagedLength = 0; // a failed write drops the run: the caller refuses those records
        WriteFromScratch(file, length);
        file.Advance(length);
        Volatile.Write(ref _lastStoreTimestamp, _stagedTimestamp);
        Volatile.Write(ref _published, file.FileFromOffset + file.WritePosition);
    }

    /// <summary>
    /// Appends bytes already encoded elsewhere (a slave copying its master's log verbatim) at exactly
    /// <paramref name="offset"/>, which must be <see cref="MaxOffset"/>; an empty log accepts any segment start.
    /// The bytes may end mid-record: readers see a record once it is whole. Returns false for a wrong offset.
    /// </summary>
    public bool AppendRaw(long offset, ReadOnlySpan<byte> bytes)
    {
        EnsureRecovered();
        // The raw bytes pass through the scratch buffer, which a batch of appends would be using.
        if (_stagedLength > 0) throw new InvalidOperationException("AppendRaw inside an append batch");
        if (_queue.Last is null ? offset % _fileSize != 0 : offset != MaxOffset) return false;
        if (_queue.Last is null) _rawCursor = offset;
        while (!bytes.IsEmpty)
        {
            var file = CurrentFile(offset);
            var n = Math.Min(bytes.Length, file.FileSize - file.WritePosition);
            if (_scratch is not null)
            {
                n = Math.Min(n, _scratchCapacity);
                bytes[..n].CopyTo(_scratch);
                WriteFromScratch(file, n);
            }
            else
            {
                bytes[..n].CopyTo(Writable(file));
            }

            file.Advance(n);
            bytes = bytes[n..];
            offset += n;
        }

        Volatile.Write(ref _published, offset);
        if (_pool is null) FollowRawRecords(offset);
        return true;
    }

    /// <summary>
    /// Keeps the pages from <see cref="ReadableOffset"/> to <paramref name="ahead"/> bytes past it (within its segment)
    /// in the page cache, in steps of at least half of <paramref name="ahead"/>. Returns the offset prefaulted to, or -1 when
    /// the kernel cannot prefault. Prefaulter's thread only; it never writes.
    /// </summary>
    public long PrefaultAhead(long ahead)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ahead);
        var end = ReadableOffset;
        if (_prefaultedTo - end > ahead / 2) return _prefaultedTo;
        var from = Math.Max(_prefaultedTo, end);
        from -= from % NativeMemory.PageSize;
        var file = _queue.FindByOffset(from);
        // Past the newest segment there is nothing to prefault yet; a segment being deleted is not worth holding.
        if (file is null || !file.TryHold()) return _prefaultedTo;
        try
        {
            var position = (int)(from - file.FileFromOffset);
            var length = (int)Math.Min(file.FileSize - position, ahead);
            if (length == 0) return _prefaultedTo;
            if (!file.Prefault(position, length)) return -1;
            _prefaultedTo = from + length;
            return _prefaultedTo;
        }
        finally
        {
            file.Release();
        }
    }

    /// <summary>Offset below which the page cache was last trimmed (see <see cref="TrimCacheBelow"/>).</summary>
    public long CacheTrimmedTo => Volatile.Read(ref _cacheTrimmedTo);

    /// <summary>
    /// Drops the CommitLog's bytes below <paramref name="offset"/> (at most <see cref="FlushedOffset"/>) from the page
    /// cache, continuing where the last call stopped: nothing until at least <paramref name="minBytes"/> are due, so
    /// pages go in few calls, and at most <paramref name="maxBytes"/> further, so one call never takes long. Reads of
    /// those bytes then come from the disk. Returns the offset trimmed to, or -1 when the OS cannot drop pages.
    /// CacheTrimmer's thread only.
    /// </summary>
    public long TrimCacheBelow(long offset, long minBytes, long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(minBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, minBytes);
        var from = Math.Max(_cacheTrimmedTo, _queue.MinOffset);
        var to = Math.Min(offset, FlushedOffset);
        if (to - from < minBytes) return _cacheTrimmedTo;
        if (to - from > maxBytes) to = from + maxBytes;
        to -= to % NativeMemory.PageSize;
        if (to <= from) return _cacheTrimmedTo;
        foreach (var file in _queue.Files)
        {
            var start = Math.Max(from, file.FileFromOffset);
            var end = Math.Min(to, file.FileFromOffset + file.FileSize);
            if (end <= start) continue;
            // Segments are flushed in order, so this holds unless one is being deleted; then trimming stops short of it.
            var flushedEnd = file.FileFromOffset + file.FlushedPosition;
            if (end > flushedEnd)
            {
                to = end = Math.Max(start, flushedEnd - flushedEnd % NativeMemory.PageSize);
            }

            // A segment being deleted (false without the OS refusing) takes its pages with it.
            if (end > start && !file.DropFromCache((int)(start - file.FileFromOffset), (int)(end - start)) && !file.IsDestroyed) return -1;
            if (end == to) break;
        }

        Volatile.Write(ref _cacheTrimmedTo, to);
        return to;
    }

    /// <summary>Flushes when at least <paramref name="leastPages"/> pages are dirty (0: everything); returns <see cref="FlushedOffset"/>. Flusher only.</summary>
    public long Flush(int leastPages) => _queue.Flush(leastPages);

    /// <summary>
    /// Transient pool only: copies appended bytes from the pool buffers into the mapped segments when at least
    /// <paramref name="leastPages"/> pages are pending (0: everything), returns fully committed segments' buffers to
    /// the pool and publishes <see cref="ReadableOffset"/>. Without a pool it just returns <see cref="ReadableOffset"/>.
    /// Committer only.
    /// </summary>
    public long Commit(int leastPages)
    {
        if (_pool is null) return ReadableOffset;
        var offset = Volatile.Read(ref _committed);
        while (_queue.FindByOffset(offset) is { } file)
        {
            if (_pending.TryPeek(out var head) && ReferenceEquals(head.File, file))
            {
                var committed = file.CommittedPosition;
                var written = file.WritePosition;
                if (file.TooFewPages(committed, written, leastPages)) break;
                if (written > committed)
                {
                    file.WriteAt(committed, head.Buffer.Slice(committed, written - committed));
                    file.CommitTo(written);
                }

                if (written == file.FileSize && _pending.TryDequeue(out _)) _pool.Return(head.Buffer);
            }

            var position = file.CommittedPosition;
            offset = file.FileFromOffset + position;
            if (position < file.FileSize) break;
        }

        Volatile.Write(ref _committed, offset);
        return offset;
    }

    /// <summary>
    /// Deletes, oldest first, up to <paramref name="maxDeletes"/> segments last written more than
    /// <paramref name="reserved"/> before <paramref name="nowUtc"/> (any age when <paramref name="force"/>, for a full
    /// disk); stops at the first younger one and never deletes the newest segment. Readers holding a segment keep it
    /// mapped until they release it. Up to <see cref="StoreSettings.CommitLogReuseSegments"/> of them are kept for reuse,
    /// except under <paramref name="force"/>, which also deletes those already kept. Returns how many left the log.
    /// Writer's thread only (the segment list has one owner).
    /// </summary>
    public int DeleteExpiredSegments(TimeSpan reserved, DateTime nowUtc, bool force, int maxDeletes)
    {
        if (force) _queue.DeleteReusable();
        var files = _queue.Files;
        var count = 0;
        while (count < files.Count - 1 && count < maxDeletes && (force || files[count].LastModifiedUtc + reserved <= nowUtc)) count++;
        return count == 0 ? 0 : _queue.DeleteBelow(files[count - 1].FileFromOffset + _fileSize, reuse: !force);
    }

    /// <summary>Segments kept for reuse (including any a reader still holds).</summary>
    public int ReusableSegments => _queue.ReusableCount;

    /// <summary>
    /// Part of a clean close, before the last flush: leaves an empty slot right after the last record, so the next
    /// start finds the end of the log there rather than an older record of a reused segment. Writer only.
    /// </summary>
    public void SealTail()
    {
        if (_queue.Last is { IsDestroyed: false } last) last.ClearNextSlot();
    }

    /// <summary>Fraction (0..1) of the disk holding the CommitLog that is in use.</summary>
    public double DiskUsedRatio()
    {
        // Before the first segment the folder may not exist yet: measure the disk of its nearest existing parent.
        var path = Path.GetFullPath(_queue.Directory);
        while (!System.IO.Directory.Exists(path) && Path.GetDirectoryName(path) is { } parent) path = parent;
        var drive = new DriveInfo(path);
        return drive.TotalSize <= 0 ? 0 : 1 - ((double)drive.AvailableFreeSpace / drive.TotalSize);
    }

    /// <summary>Commits what the pool still buffers, gives the buffers back and unmaps every segment. Does not fsync: call <see cref="Flush"/>(0) first.</summary>
    public void Dispose()
    {
        if (_pool is not null)
        {
            Commit(0);
            while (_pending.TryDequeue(out var pending))
            {
                CopyPending(pending);
                _pool.Return(pending.Buffer);
            }
        }

        _writeBuffer = null;
        _writeFile = null;
        _queue.Dispose();
    }

    /// <summary>
    /// Walks the headers of the records a raw append completed, so <see cref="LastStoreTimestamp"/> (and with it a
    /// slave's checkpoint) keeps up even though the bytes arrive in chunks that ignore record boundaries.
    /// </summary>
    private void FollowRawRecords(long end)
    {
        while (_rawCursor < end && _queue.FindByOffset(_rawCursor) is { } file)
        {
            var position = (int)(_rawCursor - file.FileFromOffset);
            var available = (int)Math.Min(file.FileSize - position, end - _rawCursor);
            var status = MessageRecord.TryRead(file.Read(position, available), checkCrc: false, out var record);
            if (status == RecordReadStatus.Ok)
            {
                Volatile.Write(ref _lastStoreTimestamp, record.StoreTimestamp);
                _rawCursor += record.TotalSize;
            }
            else if (status == RecordReadStatus.EndOfFile)
            {
                _rawCursor = file.FileFromOffset + file.FileSize;
            }
            else
            {
                return; // the rest of the record is still on its way (or the master sent junk: recovery will say)
            }
        }
    }

    private static void CopyPending(PendingBuffer pending)
    {
        var file = pending.File;
        var committed = file.CommittedPosition;
        var written = file.WritePosition;
        if (written <= committed || file.IsDestroyed) return;
        file.WriteAt(committed, pending.Buffer.Slice(committed, written - committed));
        file.CommitTo(written);
    }

    private static CommitLogAppendResult Failed(PutMessageStatus status, in MessageRecordFields fields) =>
        new(status, -1, 0, fields.QueueOffset, fields.StoreTimestamp);

    private void EnsureRecovered()
    {
        if (!_recovered) throw new InvalidOperationException("CommitLog.Recover must run before appends");
    }

    private MappedFile FileWithRoomFor(int size)
    {
        var file = CurrentFile(0);
        var remaining = file.FileSize - file.WritePosition;
        if (size + MessageRecord.EndOfFileMarkerSize <= remaining) return file;
        if (_scratch is { } scratch)
        {
            MessageRecord.WriteEndOfFile(scratch, remaining);
            WriteFromScratch(file, MessageRecord.EndOfFileMarkerSize);
        }
        else
        {
            MessageRecord.WriteEndOfFile(Writable(file), remaining);
        }

        file.Advance(remaining);
        Volatile.Write(ref _published, file.FileFromOffset + file.FileSize);
        return CurrentFile(0);
    }

    /// <summary>The segment to write to; on a roll it borrows a pool buffer for the new segment when one is free.</summary>
    private MappedFile CurrentFile(long startOffset)
    {
        var file = _queue.GetOrCreateLast(startOffset);
        if (ReferenceEquals(file, _writeFile)) return file;
        _writeFile = file;
        _writeBuffer = null;
        // Only a fresh segment can take a buffer: a recovered one already has bytes in the file itself.
        if (_pool is not null && file.WritePosition == 0 && _pool.TryBorrow() is { } buffer)
        {
            file.DefersCommit = true;
            _pending.Enqueue(new PendingBuffer(file, buffer));
            _writeBuffer = buffer;
        }

        return file;
    }

    private Span<byte> Writable(MappedFile file) => _writeBuffer is { } buffer
        ? buffer.Slice(file.WritePosition, file.FileSize - file.WritePosition)
        : file.WritableSpan;

    private readonly record struct PendingBuffer(MappedFile File, TransientBuffer Buffer);
}
