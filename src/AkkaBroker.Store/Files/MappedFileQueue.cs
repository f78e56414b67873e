namespace AkkaBroker.Store.Files;

/// <summary>
/// The ordered segments of one log in one folder (the CommitLog, or one ConsumeQueue), each
/// <see cref="FileSize"/> bytes and named by its start offset.
/// <para>Ownership: one owner adds, truncates and deletes segments. The segment list is an array replaced on
/// each change, so readers on other threads look segments up without locks; they hold a segment while they
/// read it. The next segment is created ahead of need on a background task, so a roll does not stall the writer.</para>
/// <para>With <see cref="ReuseLimit"/> above 0, up to that many deleted segments wait in <see cref="ReuseDirectory"/>
/// and become the next segments instead of new files. Overwriting a file whose blocks are already written is what the
/// disk does fastest under fsync: a new file either costs its size in zeros up front (warm-up) or makes every fsync
/// commit the file system's extent changes as well.</para>
/// </summary>
public sealed class MappedFileQueue : IDisposable
{
    private volatile MappedFile[] _files = [];
    private Task<MappedFile>? _next;
    private long _nextOffset = -1;

    /// <summary>A queue over <paramref name="directory"/>; call <see cref="Load"/> before use.</summary>
    public MappedFileQueue(string directory, int fileSize, bool preallocate, bool warm, int reuseLimit = 0)
    {
        if (fileSize <= 0) throw new ArgumentOutOfRangeException(nameof(fileSize));
        ArgumentOutOfRangeException.ThrowIfNegative(reuseLimit);
        Directory = directory;
        FileSize = fileSize;
        Preallocate = preallocate;
        Warm = warm;
        ReuseLimit = reuseLimit;
        ReuseDirectory = System.IO.Path.Combine(directory, "reuse");
    }

    /// <summary>How many deleted segments are kept for reuse (0: deleted segments are deleted).</summary>
    public int ReuseLimit { get; }

    /// <summary>The sub-folder where deleted segments wait to be reused.</summary>
    public string ReuseDirectory { get; }

    /// <summary>Segments waiting for reuse, including any still held by a reader.</summary>
    public int ReusableCount => System.IO.Directory.Exists(ReuseDirectory) ? System.IO.Directory.GetFiles(ReuseDirectory).Length : 0;

    /// <summary>The folder of the segments.</summary>
    public string Directory { get; }

    /// <summary>Size of every segment.</summary>
    public int FileSize { get; }

    /// <summary>Whether the next segment is created ahead of need.</summary>
    public bool Preallocate { get; }

    /// <summary>Whether new segments are warmed (every page touched) before use.</summary>
    public bool Warm { get; }

    /// <summary>The segments, oldest first (a snapshot).</summary>
    public IReadOnlyList<MappedFile> Files => _files;

    /// <summary>The newest segment, or null when there is none.</summary>
    public MappedFile? Last => _files is { Length: > 0 } f ? f[^1] : null;

    /// <summary>Offset of the oldest byte still stored (the first segment's start), or 0 when empty.</summary>
    public long MinOffset => _files is { Length: > 0 } f ? f[0].FileFromOffset : 0;

    /// <summary>Offset just past the last written byte.</summary>
    public long MaxOffset => Last is { } last ? last.FileFromOffset + last.WritePosition : 0;

    /// <summary>Offset just past the last flushed byte.</summary>
    public long FlushedOffset
    {
        get
        {
            var files = _files;
            for (var i = files.Length - 1; i >= 0; i--)
            {
                if (files[i].FlushedPosition > 0 || i == 0) return files[i].FileFromOffset + files[i].FlushedPosition;
            }

            return 0;
        }
    }

    /// <summary>
    /// Maps every segment in the folder, in offset order. Positions start at 0 (recovery sets them).
    /// </summary>
    /// <exception cref="StoreCorruptException">A segment has the wrong size, a foreign name or there is a gap between segments.</exception>
    public void Load()
    {
        if (_files.Length > 0) throw new InvalidOperationException("already loaded");
        if (!System.IO.Directory.Exists(Directory)) return;
        LoadReusable();
        var paths = System.IO.Directory.GetFiles(Directory).Where(p => !p.EndsWith(".tmp", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        var files = new List<MappedFile>(paths.Length);
        try
        {
            foreach (var path in paths)
            {
                var file = MappedFile.Open(path, FileSize);
                if (files.Count > 0 && file.FileFromOffset != files[^1].FileFromOffset + FileSize)
                {
                    file.Dispose();
                    throw new StoreCorruptException($"{path}: expected the segment after {files[^1].Path} to start at {files[^1].FileFromOffset + FileSize}");
                }

                if (file.FileFromOffset % FileSize != 0)
                {
                    file.Dispose();
                    throw new StoreCorruptException($"{path}: start offset is not a multiple of the segment size {FileSize}");
                }

                files.Add(file);
            }
        }
        catch
        {
            foreach (var f in files) f.Dispose();
            throw;
        }

        _files = [.. files];
    }

    /// <summary>
    /// The segment to append to: the last one unless it is full (or there is none), in which case the next one
    /// (starting at <paramref name="startOffset"/> rounded down to a segment when the queue is empty) is added.
    /// </summary>
    public MappedFile GetOrCreateLast(long startOffset = 0)
    {
        var last = Last;
        if (last is not null && !last.IsFull) return last;
        var from = last is null ? startOffset - (startOffset % FileSize) : last.FileFromOffset + FileSize;
        var file = TakePreallocated(from) ?? Create(from);
        _files = [.. _files, file];
        if (Preallocate) StartPreallocation(from + FileSize);
        return file;
    }

    /// <summary>The segment holding <paramref name="offset"/>, or null when it was deleted or is not written yet.</summary>
    public MappedFile? FindByOffset(long offset)
    {
        var files = _files;
        if (files.Length == 0 || offset < files[0].FileFromOffset) return null;
        var index = (offset - files[0].FileFromOffset) / FileSize;
        return index < files.Length ? files[index] : null;
    }

    /// <summary>
    /// Drops everything at and after <paramref name="offset"/>: later segments are deleted and, with
    /// <paramref name="zero"/>, the segment holding the offset is zeroed from there, so nothing past the truncation
    /// point can be read back after a crash. (Without it the caller knows nothing of this life of the file lies there.)
    /// </summary>
    public void TruncateFrom(long offset, bool zero = true)
    {
        CancelPreallocation();
        var keep = new List<MappedFile>();
        foreach (var file in _files)
        {
            if (file.FileFromOffset >= offset)
            {
                file.Destroy();
                continue;
            }

            if (offset < file.FileFromOffset + FileSize)
            {
                var position = (int)(offset - file.FileFromOffset);
                if (zero) file.ZeroFrom(position);
                file.SetPositions(position);
            }

            keep.Add(file);
        }

        _files = [.. keep];
    }

    /// <summary>
    /// Deletes the oldest segments whose every byte lies below <paramref name="offset"/> (never the newest); returns
    /// how many. With <paramref name="reuse"/>, as many as <see cref="ReuseLimit"/> allows are kept for reuse instead.
    /// </summary>
    public int DeleteBelow(long offset, bool reuse = false)
    {
        var files = _files;
        var count = 0;
        while (count < files.Length - 1 && files[count].FileFromOffset + FileSize <= offset) count++;
        if (count == 0) return 0;
        _files = files[count..];
        var room = reuse ? ReuseLimit - ReusableCount : 0;
        for (var i = 0; i < count; i++)
        {
            if (room-- > 0 && TryRetire(files[i])) continue;
            files[i].Destroy();
        }

        return count;
    }

    /// <summary>Deletes the segments waiting for reuse (when disk space is short); a file a reader still holds goes when it is released and a later call runs.</summary>
    public void DeleteReusable()
    {
        foreach (var path in ReadyToReuse())
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Flushes segments from the oldest unflushed one; returns the flushed offset.</summary>
    public long Flush(int leastPages)
    {
        foreach (var file in _files)
        {
            if (file.FlushedPosition < file.CommittedPosition) file.Flush(file.IsFull ? 0 : leastPages);
        }

        return FlushedOffset;
    }

    /// <summary>Unmaps every segment (files stay).</summary>
    public void Dispose()
    {
        CancelPreallocation();
        foreach (var file in _files) file.Dispose();
        _files = [];
    }

    private const string RetiringSuffix = ".retiring";

    private MappedFile Create(long from)
    {
        if (TakeReusable(from) is { } reused) return reused; // no warm-up: its blocks are written already
        var file = MappedFile.Create(Directory, from, FileSize);
        if (Warm) file.Warm();
        return file;
    }

    private MappedFile? TakeReusable(long from)
    {
        if (ReuseLimit == 0) return null;
        foreach (var path in ReadyToReuse())
        {
            if (MappedFile.Reuse(path, Directory, from, FileSize) is { } file) return file;
        }

        return null;
    }

    /// <summary>Files in the reuse folder that no reader holds any more, in name order.</summary>
    private IEnumerable<string> ReadyToReuse() =>
        System.IO.Directory.Exists(ReuseDirectory)
            ? System.IO.Directory.GetFiles(ReuseDirectory).Where(p => !p.EndsWith(RetiringSuffix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)
            : [];

    private bool TryRetire(MappedFile file)
    {
        try
        {
            System.IO.Directory.CreateDirectory(ReuseDirectory);
            var name = System.IO.Path.GetFileName(file.Path);
            file.Retire(System.IO.Path.Combine(ReuseDirectory, name + RetiringSuffix), System.IO.Path.Combine(ReuseDirectory, name));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// At load nobody reads a retired file any more, so the ones a reader held when the last run stopped become
    /// reusable; with reuse turned off, waiting files are deleted to give their space back.
    /// </summary>
    private void LoadReusable()
    {
        if (!System.IO.Directory.Exists(ReuseDirectory)) return;
        foreach (var path in System.IO.Directory.GetFiles(ReuseDirectory))
        {
            if (ReuseLimit == 0) File.Delete(path);
            else if (path.EndsWith(RetiringSuffix, StringComparison.Ordinal)) File.Move(path, path[..^RetiringSuffix.Length], overwrite: true);
        }
    }

    private void StartPreallocation(long from)
    {
        _nextOffset = from;
        _next = Task.Run(() => Create(from));
    }

    private MappedFile? TakePreallocated(long from)
    {
        var next = _next;
        if (next is null) return null;
        _next = null;
        if (_nextOffset != from)
        {
            Discard(next);
            return null;
        }

        try
        {
            return next.GetAwaiter().GetResult(); // normally finished long ago; waits only if the previous segment filled very fast
        }
        catch (IOException)
        {
            return null; // e.g. the file exists after a crash; Create will report it properly
        }
    }

    private void CancelPreallocation()
    {
        if (_next is { } next) Discard(next);
        _next = null;
    }

    private void Discard(Task<MappedFile> next)
    {
        try
        {
            // A pre-allocated segment nobody used is as good as a reusable one.
            var file = next.GetAwaiter().GetResult();
            if (ReuseLimit > ReusableCount && TryRetire(file)) return;
            file.Destroy();
        }
        catch (IOException)
        {
        }
    }
}
