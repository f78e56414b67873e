using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;

namespace AkkaBroker.Store;

/// <summary>
/// The 4 KiB file <c>&lt;root&gt;/checkpoint</c> (reference §5.3), memory-mapped. Only the first 24 bytes are used,
/// big-endian longs of milliseconds since the epoch:
/// <code>
///  0 physicMsgTimestamp long  store time of the last CommitLog record known flushed
///  8 logicsMsgTimestamp long  store time of the last record whose ConsumeQueue unit is flushed
/// 16 indexMsgTimestamp  long  store time of the last record whose index entries are flushed
/// </code>
/// Each field has one writer (the CommitLog flusher, the ConsumeQueue flusher, the index flusher); an aligned
/// 8-byte store is not torn, so they need no coordination. A file of the wrong size or with negative times is
/// reset to zeros (which forces a full recovery scan) and <see cref="Warning"/> says so.
/// </summary>
public sealed class StoreCheckpoint : IDisposable
{
    /// <summary>Size of the checkpoint file.</summary>
    public const int FileSize = 4096;

    private const int PhysicAt = 0;
    private const int LogicsAt = 8;
    private const int IndexAt = 16;

    private readonly FileStream _stream;
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;

    private StoreCheckpoint(string path, FileStream stream, string? warning)
    {
        Path = path;
        _stream = stream;
        Warning = warning;
        _map = MemoryMappedFile.CreateFromFile(stream, null, FileSize, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
        _view = _map.CreateViewAccessor(0, FileSize, MemoryMappedFileAccess.ReadWrite);
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>Why the file was reset to zeros at open (wrong size, negative times), or null.</summary>
    public string? Warning { get; private set; }

    /// <summary>Whether the file was found damaged and reset (the caller should recover abnormally).</summary>
    public bool WasReset => Warning is not null;

    /// <summary>Store time (ms) of the last CommitLog record known to be flushed.</summary>
    public long PhysicMsgTimestamp
    {
        get => ReadLong(PhysicAt);
        set => WriteLong(PhysicAt, value);
    }

    /// <summary>Store time (ms) of the last record whose ConsumeQueue unit is flushed.</summary>
    public long LogicsMsgTimestamp
    {
        get => ReadLong(LogicsAt);
        set => WriteLong(LogicsAt, value);
    }

    /// <summary>Store time (ms) of the last record whose index entries are flushed.</summary>
    public long IndexMsgTimestamp
    {
        get => ReadLong(IndexAt);
        set => WriteLong(IndexAt, value);
    }

    /// <summary>min(physic, logics), and the index time too when <paramref name="includeIndex"/>: where abnormal recovery can trust data up to.</summary>
    public long MinTimestamp(bool includeIndex)
    {
        var min = Math.Min(PhysicMsgTimestamp, LogicsMsgTimestamp);
        return includeIndex ? Math.Min(min, IndexMsgTimestamp) : min;
    }

    /// <summary>Opens or creates <c>&lt;root&gt;/checkpoint</c>; a damaged file is reset rather than refused.</summary>
    public static StoreCheckpoint Open(string root)
    {
        Directory.CreateDirectory(root);
        var path = System.IO.Path.Combine(root, "checkpoint");
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        string? warning = null;
        try
        {
            var length = stream.Length;
            if (length != FileSize)
            {
                if (length != 0) warning = $"{path}: {length} bytes instead of {FileSize}; treated as all zero (full recovery scan)";
                stream.SetLength(0);
                stream.SetLength(FileSize);
            }

            var checkpoint = new StoreCheckpoint(path, stream, warning);
            if (checkpoint.PhysicMsgTimestamp < 0 || checkpoint.LogicsMsgTimestamp < 0 || checkpoint.IndexMsgTimestamp < 0)
            {
                checkpoint.Warning = $"{path}: negative timestamps; treated as all zero (full recovery scan)";
                checkpoint.PhysicMsgTimestamp = checkpoint.LogicsMsgTimestamp = checkpoint.IndexMsgTimestamp = 0;
            }

            return checkpoint;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Writes the mapped page to the device.</summary>
    public void Flush()
    {
        _view.Flush();
        _stream.Flush(flushToDisk: true);
    }

    /// <summary>Unmaps the file (without flushing).</summary>
    public void Dispose()
    {
        _view.Dispose();
        _map.Dispose();
        _stream.Dispose();
    }

    private long ReadLong(int at)
    {
        var raw = _view.ReadInt64(at);
        return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(raw) : raw;
    }

    private void WriteLong(int at, long value) =>
        _view.Write(at, BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value);
}
