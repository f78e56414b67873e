using System.Globalization;
using AkkaBroker.Store.Files;

namespace AkkaBroker.Store.ConsumeQueues;

/// <summary>
/// The ConsumeQueue of one topic-queue: 20-byte <see cref="ConsumeQueueUnit"/>s in
/// <c>&lt;root&gt;/consumequeue/&lt;topic&gt;/&lt;queueId&gt;/&lt;20-digit start byte offset&gt;</c>; unit N (the queue offset)
/// lives at byte N*20. Offsets in this API are logical (units), not bytes.
/// <para>Ownership: one owner (the Dispatcher) puts, recovers, truncates and deletes, from one thread. Readers on
/// any thread read units below <see cref="MaxOffset"/> and at or above <see cref="MinOffset"/>; both are published
/// with <see cref="Volatile"/> after the unit bytes are written, so a reader only ever sees whole units.</para>
/// </summary>
public sealed unsafe class ConsumeQueue : IDisposable
{
    private const int UnitSize = ConsumeQueueUnit.Length;
    private readonly MappedFileQueue _files;
    private long _minOffset;
    private long _maxOffset;
    private long _maxPhysicalOffset;

    /// <summary>A queue over its folder under <paramref name="storeRoot"/>; call <see cref="Load"/> and <see cref="Recover"/> before use.</summary>
    /// <param name="storeRoot">The store root (the parent of <c>consumequeue/</c>).</param>
    /// <param name="topic">The topic.</param>
    /// <param name="queueId">The queue id.</param>
    /// <param name="fileSize">Bytes per file, a multiple of 20 (RocketMQ: 6,000,000).</param>
    public ConsumeQueue(string storeRoot, string topic, int queueId, int fileSize)
    {
        if (fileSize < UnitSize || fileSize % UnitSize != 0)
            throw new ArgumentOutOfRangeException(nameof(fileSize), $"must be a positive multiple of {UnitSize}");
        ArgumentOutOfRangeException.ThrowIfNegative(queueId);
        Topic = topic;
        QueueId = queueId;
        Directory = DirectoryOf(storeRoot, topic, queueId);
        _files = new MappedFileQueue(Directory, fileSize, preallocate: false, warm: false);
    }

    /// <summary>The topic.</summary>
    public string Topic { get; }

    /// <summary>The queue id.</summary>
    public int QueueId { get; }

    /// <summary>The queue's folder.</summary>
    public string Directory { get; }

    /// <summary>Bytes per file.</summary>
    public int FileSize => _files.FileSize;

    /// <summary>Units per file.</summary>
    public int UnitsPerFile => _files.FileSize / UnitSize;

    /// <summary>The first readable queue offset (units below were deleted or refer to deleted CommitLog data).</summary>
    public long MinOffset => Volatile.Read(ref _minOffset);

    /// <summary>The queue offset just past the last unit (the next one to put).</summary>
    public long MaxOffset => Volatile.Read(ref _maxOffset);

    /// <summary>CommitLog offset just past the newest message put into this queue (0 when none).</summary>
    public long MaxPhysicalOffset => Volatile.Read(ref _maxPhysicalOffset);

    /// <summary>How many files the queue has.</summary>
    public int FileCount => _files.Files.Count;

    /// <summary>The folder of a topic-queue's ConsumeQueue under a store root.</summary>
    public static string DirectoryOf(string storeRoot, string topic, int queueId) =>
        Path.Combine(storeRoot, "consumequeue", topic, queueId.ToString(CultureInfo.InvariantCulture));

    /// <summary>Maps the existing files (positions stay 0 until <see cref="Recover"/>).</summary>
    /// <exception cref="StoreCorruptException">A file has the wrong size or name, or files are missing in between.</exception>
    public void Load() => _files.Load();

    /// <summary>
    /// Writes unit <paramref name="queueOffset"/> (owner only). Past the end, the gap is filled with blank units;
    /// an existing unit is compared and skipped when equal or overwritten when different (re-dispatch after
    /// recovery). Allocates nothing unless a new file is needed.
    /// </summary>
    public ConsumeQueuePutResult PutUnit(long queueOffset, long physicalOffset, int size, long tagsCode)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(queueOffset);
        ArgumentOutOfRangeException.ThrowIfNegative(physicalOffset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var unit = new ConsumeQueueUnit(physicalOffset, size, tagsCode);
        var max = _maxOffset;
        if (queueOffset < max)
        {
            return queueOffset < _minOffset ? ConsumeQueuePutResult.BelowMinOffset : Verify(queueOffset, unit);
        }

        var result = ConsumeQueuePutResult.Appended;
        if (_files.MaxOffset == _files.MinOffset)
        {
            // An empty queue may start anywhere (a new queue whose messages were counted elsewhere, or one whose
            // files all went): like RocketMQ, the first file's head before the unit is padded and the minimum set.
            if (StartAt(queueOffset)) result = ConsumeQueuePutResult.AppendedAfterPadding;
            Volatile.Write(ref _minOffset, queueOffset);
            Volatile.Write(ref _maxOffset, queueOffset);
        }

        var next = _files.MaxOffset / UnitSize;
        if (next < queueOffset) result = ConsumeQueuePutResult.AppendedAfterPadding;
        for (; next < queueOffset; next++) Append(ConsumeQueueUnit.Blank);
        Append(unit);
        if (unit.EndPhysicalOffset > _maxPhysicalOffset) Volatile.Write(ref _maxPhysicalOffset, unit.EndPhysicalOffset);
        Volatile.Write(ref _maxOffset, queueOffset + 1);
        return result;
    }

    /// <summary>Reads unit <paramref name="queueOffset"/>; false when it is outside [<see cref="MinOffset"/>, <see cref="MaxOffset"/>) or its file is gone. Any thread.</summary>
    public bool TryGetUnit(long queueOffset, out ConsumeQueueUnit unit)
    {
        unit = default;
        if (queueOffset >= MaxOffset || queueOffset < MinOffset) return false;
        var position = queueOffset * UnitSize;
        var file = _files.FindByOffset(position);
        if (file is null || !file.TryHold()) return false;
        try
        {
            unit = ConsumeQueueUnit.Read(file.Read((int)(position - file.FileFromOffset), UnitSize));
            return true;
        }
        finally
        {
            file.Release();
        }
    }

    /// <summary>
    /// Reads consecutive units from <paramref name="fromQueueOffset"/> into <paramref name="into"/> (for pulls);
    /// returns how many were read: 0 when the offset is outside [<see cref="MinOffset"/>, <see cref="MaxOffset"/>). Any thread.
    /// Blank units are returned as they are; callers skip them.
    /// </summary>
    public int ReadUnits(long fromQueueOffset, Span<ConsumeQueueUnit> into)
    {
        var max = MaxOffset;
        if (fromQueueOffset >= max || fromQueueOffset < MinOffset) return 0;
        var wanted = (int)Math.Min(into.Length, max - fromQueueOffset);
        var count = 0;
        while (count < wanted)
        {
            var position = (fromQueueOffset + count) * UnitSize;
            var file = _files.FindByOffset(position);
            if (file is null || !file.TryHold()) break;
            try
            {
                var start = (int)(position - file.FileFromOffset);
                var inFile = Math.Min(wanted - count, (FileSize - start) / UnitSize);
                var bytes = file.Read(start, inFile * UnitSize);
                for (var i = 0; i < inFile; i++) into[count + i] = ConsumeQueueUnit.Read(bytes[(i * UnitSize)..]);
                count += inFile;
            }
            finally
            {
                file.Release();
            }
        }

        return count;
    }

    /// <summary>
    /// The first queue offset whose message was stored at or after <paramref name="timestampMs"/>, by binary
    /// search; <see cref="MaxOffset"/> when none is, <see cref="MinOffset"/> when all are.
    /// </summary>
    /// <param name="timestampMs">Store time in ms since the epoch.</param>
    /// <param name="storeTimestampOf">Reads the store time of the record at (physical offset, size) from the CommitLog; -1 when it is gone.</param>
    public long GetOffsetByTime(long timestampMs, Func<long, int, long> storeTimestampOf)
    {
        ArgumentNullException.ThrowIfNull(storeTimestampOf);
        var low = MinOffset;
        var high = MaxOffset - 1;
        var result = high + 1;
        while (low <= high)
        {
            var mid = low + ((high - low) / 2);
            // Blank units have no time: probe the next real unit within [mid, high] instead.
            var probe = mid;
            ConsumeQueueUnit unit = default;
            while (probe <= high && (!TryGetUnit(probe, out unit) || unit.IsBlank)) probe++;
            if (probe > high)
            {
                high = mid - 1;
                continue;
            }

            var time = storeTimestampOf(unit.PhysicalOffset, unit.Size);
            if (time >= timestampMs)
            {
                result = probe;
                high = mid - 1;
            }
            else
            {
                low = probe + 1; // older than the time, or its CommitLog data is gone (hence older too)
            }
        }

        return Math.Clamp(result, MinOffset, MaxOffset);
    }

    /// <summary>
    /// After <see cref="Load"/>: scans the last (up to) three files for the last valid unit, stopping at the first
    /// that is not (all zeros after a crash or a torn write); drops everything after it and sets the offsets (owner only).
    /// </summary>
    public void Recover()
    {
        var files = _files.Files;
        if (files.Count == 0) return;
        var first = Math.Max(0, files.Count - 3);
        for (var i = 0; i < first; i++) files[i].SetPositions(FileSize);
        var end = files[first].FileFromOffset;
        var torn = false;
        var index = first;
        for (; index < files.Count; index++)
        {
            var file = files[index];
            var bytes = file.Read(0, FileSize);
            var position = 0;
            while (position < FileSize && ConsumeQueueUnit.Read(bytes[position..]).IsValid) position += UnitSize;
            file.SetPositions(position);
            end = file.FileFromOffset + position;
            if (position < FileSize)
            {
                torn = bytes.Slice(position, UnitSize).IndexOfAnyExcept((byte)0) >= 0;
                break;
            }
        }

        Volatile.Write(ref _maxOffset, end / UnitSize);
        if (torn || index < files.Count - 1) _files.TruncateFrom(end);
        var min = _files.MinOffset / UnitSize;
        while (min < _maxOffset && ReadOwned(min).IsBlank) min++;
        Volatile.Write(ref _minOffset, min);
        Volatile.Write(ref _maxPhysicalOffset, LastRealEnd(_maxOffset));
    }

    /// <summary>
    /// Drops the units whose record reaches past <paramref name="commitLogMaxOffset"/> (the CommitLog was truncated
    /// by recovery), and any padding left dangling before them (owner only).
    /// </summary>
    public void TruncateDirty(long commitLogMaxOffset)
    {
        var min = _minOffset;
        var max = _maxOffset;
        var n = max;
        var cut = max;
        while (n > min)
        {
            var unit = ReadOwned(n - 1);
            if (!unit.IsBlank && unit.EndPhysicalOffset <= commitLogMaxOffset) break;
            n--;
            if (!unit.IsBlank) cut = n;
        }

        if (cut == max) return;
        cut = n; // blank units between the kept unit and the first dropped one only padded for the dropped ones
        Volatile.Write(ref _maxOffset, cut);
        _files.TruncateFrom(cut * UnitSize);
        Volatile.Write(ref _maxPhysicalOffset, cut > min ? ReadOwned(cut - 1).EndPhysicalOffset : 0);
    }

    /// <summary>Moves <see cref="MinOffset"/> to the first unit whose record still exists in the CommitLog (owner only).</summary>
    public void CorrectMinOffset(long commitLogMinOffset)
    {
        var max = _maxOffset;
        var n = Math.Max(_minOffset, _files.MinOffset / UnitSize);
        while (n < max)
        {
            // Skip whole files whose newest record is gone before looking unit by unit.
            var fileEnd = ((n / UnitsPerFile) + 1) * UnitsPerFile;
            if (fileEnd < max && LastRealInRange(n, fileEnd) is { } last && last.PhysicalOffset < commitLogMinOffset)
            {
                n = fileEnd;
                continue;
            }

            var unit = ReadOwned(n);
            if (!unit.IsBlank && unit.PhysicalOffset >= commitLogMinOffset) break;
            n++;
        }

        if (n > _minOffset) Volatile.Write(ref _minOffset, n);
    }

    /// <summary>
    /// Deletes whole files (never the newest) whose every record lies below <paramref name="commitLogMinOffset"/>,
    /// then corrects <see cref="MinOffset"/>; returns how many files were deleted (owner only).
    /// </summary>
    public int DeleteExpired(long commitLogMinOffset)
    {
        var files = _files.Files;
        var count = 0;
        while (count < files.Count - 1)
        {
            var start = files[count].FileFromOffset / UnitSize;
            var last = LastRealInRange(start, start + UnitsPerFile);
            if (last is { } unit && unit.PhysicalOffset >= commitLogMinOffset) break;
            count++;
        }

        if (count > 0)
        {
            var newMin = files[count].FileFromOffset / UnitSize;
            if (_minOffset < newMin) Volatile.Write(ref _minOffset, newMin); // readers move on before the files go
            _files.DeleteBelow(files[count].FileFromOffset);
        }

        CorrectMinOffset(commitLogMinOffset);
        return count;
    }

    /// <summary>Flushes written units when at least <paramref name="leastPages"/> pages are dirty (0: all); returns the flushed queue offset.</summary>
    public long Flush(int leastPages) => _files.Flush(leastPages) / UnitSize;

    /// <summary>Deletes every file and the queue's folder (the topic is deleted); the queue is empty afterwards (owner only).</summary>
    public void Destroy()
    {
        Volatile.Write(ref _maxOffset, 0);
        Volatile.Write(ref _minOffset, 0);
        Volatile.Write(ref _maxPhysicalOffset, 0);
        _files.TruncateFrom(0);
        if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>Unmaps the files (they stay on disk).</summary>
    public void Dispose() => _files.Dispose();

    private bool StartAt(long queueOffset)
    {
        var position = queueOffset * UnitSize;
        if (_files.Last is { } stale && (position < stale.FileFromOffset || position >= stale.FileFromOffset + FileSize))
            _files.TruncateFrom(0); // an empty file elsewhere (recovered with no unit): start over where the queue is
        var file = _files.GetOrCreateLast(position);
        var inFile = (int)(position - file.FileFromOffset);
        var padded = file.WritePosition < inFile;
        for (var at = file.WritePosition; at < inFile; at += UnitSize) Append(ConsumeQueueUnit.Blank);
        return padded;
    }

    private void Append(ConsumeQueueUnit unit)
    {
        var file = _files.GetOrCreateLast(_files.MaxOffset);
        unit.WriteTo(file.WritableSpan);
        file.Advance(UnitSize);
    }

    private ConsumeQueuePutResult Verify(long queueOffset, ConsumeQueueUnit unit)
    {
        var position = queueOffset * UnitSize;
        var file = _files.FindByOffset(position);
        if (file is null) return ConsumeQueuePutResult.BelowMinOffset;
        var at = (int)(position - file.FileFromOffset);
        if (ConsumeQueueUnit.Read(file.Read(at, UnitSize)) == unit) return ConsumeQueuePutResult.AlreadyPresent;
        var target = file.Slice(at, UnitSize);
        unit.WriteTo(target);
        if (at < file.FlushedPosition)
        {
            // The periodic flush only covers bytes past the flushed position, so this in-place change is synced now (rare).
            fixed (byte* pointer = target) NativeMemory.Sync(pointer, UnitSize);
        }

        if (unit.EndPhysicalOffset > _maxPhysicalOffset) Volatile.Write(ref _maxPhysicalOffset, unit.EndPhysicalOffset);
        return ConsumeQueuePutResult.Overwritten;
    }

    private ConsumeQueueUnit ReadOwned(long queueOffset)
    {
        var position = queueOffset * UnitSize;
        var file = _files.FindByOffset(position) ?? throw new InvalidOperationException($"unit {queueOffset} of {Directory} has no file");
        return ConsumeQueueUnit.Read(file.Read((int)(position - file.FileFromOffset), UnitSize));
    }

    /// <summary>The newest non-blank unit in [from, to) below the queue's end, or null.</summary>
    private ConsumeQueueUnit? LastRealInRange(long from, long to)
    {
        for (var n = Math.Min(to, _maxOffset) - 1; n >= from; n--)
        {
            var unit = ReadOwned(n);
            if (!unit.IsBlank) return unit;
        }

        return null;
    }

    private long LastRealEnd(long end) =>
        LastRealInRange(Math.Max(_minOffset, _files.MinOffset / UnitSize), end) is { } unit ? unit.EndPhysicalOffset : 0;
}
