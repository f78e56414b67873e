namespace AkkaBroker.Store.Files;

/// <summary>
/// One segment file of fixed size, memory-mapped for its whole life and named by the 20-digit offset of its
/// first byte in the log it belongs to.
/// <para>Ownership: one writer (the CommitLogWriter actor, or a Dispatcher for ConsumeQueue/index files)
/// appends and moves <see cref="WritePosition"/>; the flusher moves <see cref="FlushedPosition"/>; readers on any
/// thread read below the positions published to them, between <see cref="TryHold"/> and <see cref="Release"/>, so
/// that deleting an expired segment never unmaps memory that a reader is using.</para>
/// </summary>
public sealed unsafe class MappedFile : IDisposable
{
    private readonly MappedRegion _region;
    private readonly byte* _base;
    private int _writePosition;
    private int _committedPosition;
    private int _flushedPosition;

    private MappedFile(MappedRegion region, long fileFromOffset, int fileSize)
    {
        _region = region;
        _base = region.Base;
        Path = region.Path;
        FileFromOffset = fileFromOffset;
        FileSize = fileSize;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>Offset (in the whole log) of the file's first byte; also its name.</summary>
    public long FileFromOffset { get; }

    /// <summary>Size of the file in bytes.</summary>
    public int FileSize { get; }

    /// <summary>Bytes written so far (the writer's position).</summary>
    public int WritePosition => Volatile.Read(ref _writePosition);

    /// <summary>Bytes visible to the file (equal to <see cref="WritePosition"/> unless a transient pool buffers writes).</summary>
    public int CommittedPosition => Volatile.Read(ref _committedPosition);

    /// <summary>Bytes known to be on the device.</summary>
    public int FlushedPosition => Volatile.Read(ref _flushedPosition);

    /// <summary>Whether the writer has filled the file.</summary>
    public bool IsFull => WritePosition == FileSize;

    /// <summary>Whether <see cref="Destroy"/> was called.</summary>
    public bool IsDestroyed => _region.IsDestroyed;

    /// <summary>When the file was last written (for expiry).</summary>
    public DateTime LastModifiedUtc => File.GetLastWriteTimeUtc(Path);

    /// <summary>The 20-digit file name of a segment starting at <paramref name="offset"/>.</summary>
    public static string FileName(long offset) => offset.ToString("D20", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Creates a new zero-filled segment with its disk blocks reserved. Fails if the file exists or the disk is full.</summary>
    public static MappedFile Create(string directory, long fileFromOffset, int fileSize)
    {
        Directory.CreateDirectory(directory);
        var path = System.IO.Path.Combine(directory, FileName(fileFromOffset));
        // Reserving the blocks up front (fallocate) turns a full disk into an IOException here instead of a SIGBUS
        // that would kill the process at the first write into an unbacked page of the mapping.
        var stream = CreateWholeFile(path, fileSize, reserveBlocks: true);
        try
        {
            return new MappedFile(MappedRegion.Map(path, stream, fileSize), fileFromOffset, fileSize);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>
    /// Takes <paramref name="reusablePath"/> (a retired segment of the same log) as the segment starting at
    /// <paramref name="fileFromOffset"/>: renamed, not zeroed. Its old records stay until overwritten; they can never
    /// pass for new ones because every record names its own PHYSICALOFFSET, which recovery and readers check.
    /// Returns null when the file is gone or has the wrong length (it is then deleted).
    /// </summary>
    public static MappedFile? Reuse(string reusablePath, string directory, long fileFromOffset, int fileSize)
    {
        var path = System.IO.Path.Combine(directory, FileName(fileFromOffset));
        try
        {
            if (new FileInfo(reusablePath).Length != fileSize)
            {
                File.Delete(reusablePath); // left by a run with another segment size
                return null;
            }

            File.Move(reusablePath, path, overwrite: false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }

        // Expiry goes by the last write time, which is still the old life's until the first append.
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        return Open(path, fileSize);
    }

    /// <summary>
    /// Creates <paramref name="path"/> at its full <paramref name="length"/> or not at all: the file is sized as
    /// <c>&lt;path&gt;.tmp</c> and then renamed. A process killed in between leaves only the .tmp (loads skip it; the next
    /// creation of the same file replaces it), never a short file under the real name, which the next start would
    /// refuse as damaged and so never open the store again.
    /// </summary>
    /// <exception cref="IOException"><paramref name="path"/> exists, or the disk is full.</exception>
    public static FileStream CreateWholeFile(string path, long length, bool reserveBlocks)
    {
        var temp = path + ".tmp";
        var stream = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.ReadWrite, Share = FileShare.Read | FileShare.Delete,
            PreallocationSize = reserveBlocks ? length : 0,
        });
        try
        {
            stream.SetLength(length);
            File.Move(temp, path, overwrite: false);
            return stream;
        }
        catch
        {
            stream.Dispose();
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Opens an existing segment; its positions start at 0 until recovery sets them.
    /// A file whose length differs from <paramref name="fileSize"/> is refused (a foreign or damaged file).
    /// </summary>
    /// <exception cref="StoreCorruptException">The file has the wrong length or name.</exception>
    public static MappedFile Open(string path, int fileSize)
    {
        var name = System.IO.Path.GetFileName(path);
        if (name.Length != 20 || !long.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var from))
            throw new StoreCorruptException($"{path}: a segment's name must be its 20-digit start offset");
        return new MappedFile(MappedRegion.OpenExisting(path, fileSize, $"the configured segment size {fileSize}"), from, fileSize);
    }

    /// <summary>The writable bytes from the write position to the end of the file (writer only).</summary>
    public Span<byte> WritableSpan => new(_base + _writePosition, FileSize - _writePosition);

    /// <summary>Marks <paramref name="count"/> more bytes as written (writer only); they become readable to whoever the writer publishes them to.</summary>
    public void Advance(int count)
    {
        if ((uint)count > (uint)(FileSize - _writePosition)) throw new ArgumentOutOfRangeException(nameof(count));
        Volatile.Write(ref _writePosition, _writePosition + count);
        if (!DefersCommit) Volatile.Write(ref _committedPosition, _writePosition);
    }

    /// <summary>
    /// Set by the writer when its appends go to a separate write buffer (the transient store pool): then
    /// <see cref="Advance"/> leaves <see cref="CommittedPosition"/> alone and <see cref="CommitTo"/> moves it
    /// once the buffered bytes are copied into the file.
    /// </summary>
    public bool DefersCommit { get; set; }

    /// <summary>Publishes bytes copied into the file up to <paramref name="position"/> (the committer only).</summary>
    public void CommitTo(int position)
    {
        if (position < CommittedPosition || position > WritePosition) throw new ArgumentOutOfRangeException(nameof(position));
        Volatile.Write(ref _committedPosition, position);
    }

    /// <summary>Sets all positions, for recovery and truncation (owner only).</summary>
    public void SetPositions(int position)
    {
        if ((uint)position > (uint)FileSize) throw new ArgumentOutOfRangeException(nameof(position));
        Volatile.Write(ref _writePosition, position);
        Volatile.Write(ref _committedPosition, position);
        Volatile.Write(ref _flushedPosition, position);
    }

    /// <summary>A read-only view of bytes already written; the caller must hold the file.</summary>
    public ReadOnlySpan<byte> Read(int position, int length)
    {
        if (position < 0 || length < 0 || position + (long)length > FileSize) throw new ArgumentOutOfRangeException(nameof(position));
        return new ReadOnlySpan<byte>(_base + position, length);
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> at <paramref name="position"/> with write() instead of through the mapping
    /// (which sees them at once: both share the page cache). Pages written this way sync about 6x faster than pages
    /// dirtied through the mapping (scripts/msync-vs-write.py), so CommitLog appends and the transient pool commit use it.
    /// </summary>
    public void WriteAt(int position, ReadOnlySpan<byte> bytes)
    {
        if ((uint)position > (uint)FileSize || bytes.Length > FileSize - position) throw new ArgumentOutOfRangeException(nameof(position));
        RandomAccess.Write(_region.Handle, bytes, position);
    }

    /// <summary>Writes at an absolute position (for files whose writer patches in place, like the IndexFile's slots).</summary>
    public Span<byte> Slice(int position, int length)
    {
        if (position < 0 || length < 0 || position + (long)length > FileSize) throw new ArgumentOutOfRangeException(nameof(position));
        return new Span<byte>(_base + position, length);
    }

    /// <summary>
    /// Whether the bytes from <paramref name="done"/> to <paramref name="target"/> span fewer than
    /// <paramref name="leastPages"/> whole pages, so flushing or committing them can wait. A full file and
    /// leastPages 0 never wait.
    /// </summary>
    internal bool TooFewPages(int done, int target, int leastPages) =>
        leastPages > 0 && target < FileSize && (target / NativeMemory.PageSize) - (done / NativeMemory.PageSize) < leastPages;

    /// <summary>
    /// Flushes written bytes when at least <paramref name="leastPages"/> dirty pages are pending (0: whatever is
    /// pending). Returns the flushed position. Called by the flusher only.
    /// </summary>
    public int Flush(int leastPages)
    {
        var target = CommittedPosition;
        var flushed = _flushedPosition;
        if (target <= flushed) return flushed;
        if (TooFewPages(flushed, target, leastPages)) return flushed;
        if (!TryHold()) return flushed;
        try
        {
            NativeMemory.Sync(_base + flushed, target - flushed);
        }
        finally
        {
            Release();
        }

        Volatile.Write(ref _flushedPosition, target);
        return target;
    }

    /// <summary>
    /// Brings [position, position+length) into the page cache without writing it (see
    /// <see cref="NativeMemory.PopulateRead"/>), in 256 KiB steps so the mapping lock is never held for long; false
    /// where the kernel cannot. Safe while the writer appends in the same range: no byte changes.
    /// </summary>
    public bool Prefault(int position, int length)
    {
        if (position < 0 || length < 0 || position + (long)length > FileSize) throw new ArgumentOutOfRangeException(nameof(position));
        const int step = 256 * 1024;
        for (var at = 0; at < length; at += step)
        {
            if (!NativeMemory.PopulateRead(_base + position + at, Math.Min(step, length - at))) return false;
        }

        return true;
    }

    /// <summary>
    /// Touches every page, advises the kernel to keep them and writes them out, so the first writes neither fault
    /// nor convert unwritten extents at their fsync (warm-up; runs on the pre-allocation task).
    /// </summary>
    public void Warm()
    {
        NativeMemory.WillNeed(_base, FileSize);
        NativeMemory.TouchPages(_base + WritePosition, FileSize - WritePosition);
        // Writing the zeroes out now turns the fallocated (unwritten) extents into written ones, so a SYNC_FLUSH
        // fsync later commits data only, not extent conversions too: measured 35-40% more sync-flushed messages/s.
        NativeMemory.Sync(_base + WritePosition, FileSize - WritePosition);
    }

    /// <summary>
    /// Zeroes bytes from <paramref name="position"/> to the end and syncs them, so stale records past a truncation
    /// point can never be read back. Where the file system can, whole pages are zeroed by marking their blocks
    /// unwritten (no data written, so this stays cheap for the rest of a reused 1 GiB segment).
    /// </summary>
    public void ZeroFrom(int position)
    {
        if ((uint)position > (uint)FileSize) throw new ArgumentOutOfRangeException(nameof(position));
        var pageEnd = (int)Math.Min(FileSize, NativeMemory.RoundUpToPage(position));
        new Span<byte>(_base + position, pageEnd - position).Clear();
        NativeMemory.Sync(_base + position, pageEnd - position);
        if (pageEnd == FileSize) return;
        if (NativeMemory.TryZeroRange(_region.Handle, pageEnd, FileSize - pageEnd))
        {
            _region.SyncFile(); // the extent change is metadata: fsync, not a ranged msync
            return;
        }

        // Only pages that hold something are written, so a fresh segment's unwritten tail is not filled with zeros.
        for (long page = pageEnd; page < FileSize; page += NativeMemory.PageSize)
        {
            var span = new Span<byte>(_base + page, (int)Math.Min(NativeMemory.PageSize, FileSize - page));
            if (span.ContainsAnyExcept((byte)0)) span.Clear();
        }

        NativeMemory.Sync(_base + pageEnd, FileSize - pageEnd);
    }

    /// <summary>
    /// Writes zeros from the write position to the end of its page, or a whole page when the position is on a page
    /// boundary, and syncs them: at a clean close this leaves an empty slot right after the last record, so the next
    /// start finds the end there, not whatever an earlier use of a reused segment left behind.
    /// </summary>
    public void ClearNextSlot()
    {
        var position = WritePosition;
        if (position >= FileSize) return;
        var end = (int)Math.Min(FileSize, (position / NativeMemory.PageSize + 1L) * NativeMemory.PageSize);
        WriteAt(position, new byte[end - position]);
        NativeMemory.Sync(_base + position, end - position);
    }

    /// <summary>
    /// Drops the whole pages of [position, position+length), which must be flushed already, from the page cache (see
    /// <see cref="NativeMemory.DropFromCache"/>): the bytes stay in the file, and a read brings them back from it. False
    /// where the OS cannot, or when the file is being deleted. Safe while others read or append elsewhere in the file.
    /// </summary>
    public bool DropFromCache(int position, int length)
    {
        if (position < 0 || length < 0 || position + (long)length > FlushedPosition)
            throw new ArgumentOutOfRangeException(nameof(length), "only flushed bytes may leave the page cache");
        if (!TryHold()) return false;
        try
        {
            return NativeMemory.DropFromCache(_region.Handle, _base, position, length);
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Takes a reader's reference; false when the file is being destroyed (read elsewhere or report the offset gone).</summary>
    public bool TryHold() => _region.TryHold();

    /// <summary>Returns a reference taken with <see cref="TryHold"/>; the last one out unmaps.</summary>
    public void Release() => _region.Release();

    /// <summary>Drops the owner's reference and deletes the file once no reader holds it.</summary>
    public void Destroy() => _region.Destroy();

    /// <summary>
    /// Drops the owner's reference and moves the file out of its folder, to <paramref name="reusablePath"/> once no
    /// reader holds it (via <paramref name="retiringPath"/> until then), for <see cref="Reuse"/>.
    /// </summary>
    /// <exception cref="IOException">The file could not be moved; it is unchanged and still owned.</exception>
    public void Retire(string retiringPath, string reusablePath) => _region.Retire(retiringPath, reusablePath);

    /// <summary>Drops the owner's reference without deleting the file (shutdown).</summary>
    public void Dispose() => _region.Dispose();
}
