using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using AkkaBroker.Store.Files;

namespace AkkaBroker.Store.Index;

/// <summary>
/// One RocketMQ IndexFile: a hash index from <c>topic#key</c> to CommitLog offsets, named by its creation time
/// (<c>yyyyMMddHHmmssfff</c>, local time). All numbers big-endian.
/// <para>Layout (reference §5.2):</para>
/// <list type="bullet">
/// <item>Header, 40 bytes: @0 long beginTimestamp, @8 long endTimestamp, @16 long beginPhyOffset,
/// @24 long endPhyOffset, @32 int hashSlotCount (slots in use), @36 int indexCount (next entry number; starts at 1).</item>
/// <item>Slots at 40: <see cref="HashSlotNum"/> ints, each the number of the newest entry of its bucket (0 = empty).</item>
/// <item>Entries at 40 + slots*4, entry n at + n*20: @0 int keyHash, @4 long phyOffset, @12 int timeDiff (seconds
/// since beginTimestamp), @16 int prevIndex (the bucket's previous entry, 0 ends the chain). Entry 0 is never used.</item>
/// </list>
/// <para>Ownership: one writer (the Dispatcher) puts; readers on any thread select between <see cref="TryHold"/>
/// and <see cref="Release"/>. An entry is complete before the count and then the slot that point at it are
/// published, so a reader following a slot only meets whole entries.</para>
/// </summary>
public sealed unsafe class IndexFile : IDisposable
{
    /// <summary>Bytes of the header.</summary>
    public const int HeaderSize = 40;

    /// <summary>Bytes per hash slot.</summary>
    public const int SlotSize = 4;

    /// <summary>Bytes per entry.</summary>
    public const int EntrySize = 20;

    private readonly MappedRegion _region;
    private readonly byte* _base;
    private long _beginTimestamp;
    private long _endTimestamp;
    private long _beginPhyOffset;
    private long _endPhyOffset;
    private int _hashSlotCount;
    private int _indexCount;
    private int _dirty;

    private IndexFile(MappedRegion region, int hashSlotNum, int indexNum)
    {
        _region = region;
        _base = region.Base;
        Path = region.Path;
        HashSlotNum = hashSlotNum;
        IndexNum = indexNum;
        FileSize = region.Length;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>The file's name (its creation time).</summary>
    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>Hash slots in the file.</summary>
    public int HashSlotNum { get; }

    /// <summary>Entry numbers in the file (entries 1 .. IndexNum-1 are used).</summary>
    public int IndexNum { get; }

    /// <summary>Bytes of the file.</summary>
    public long FileSize { get; }

    /// <summary>Store time of the first entry (or the previous file's last, before the first put).</summary>
    public long BeginTimestamp => Volatile.Read(ref _beginTimestamp);

    /// <summary>Store time of the newest entry.</summary>
    public long EndTimestamp => Volatile.Read(ref _endTimestamp);

    /// <summary>CommitLog offset of the first entry's message.</summary>
    public long BeginPhyOffset => Volatile.Read(ref _beginPhyOffset);

    /// <summary>CommitLog offset of the newest entry's message.</summary>
    public long EndPhyOffset => Volatile.Read(ref _endPhyOffset);

    /// <summary>Slots in use.</summary>
    public int HashSlotCount => Volatile.Read(ref _hashSlotCount);

    /// <summary>The next entry number (entries 1 .. IndexCount-1 exist).</summary>
    public int IndexCount => Volatile.Read(ref _indexCount);

    /// <summary>Whether no entry fits any more.</summary>
    public bool IsFull => IndexCount >= IndexNum;

    /// <summary>Whether the file has no entry yet.</summary>
    public bool IsEmpty => IndexCount <= 1;

    /// <summary>Bytes of a file with the given slot and entry counts (RocketMQ's default: 420,000,040).</summary>
    public static long FileSizeOf(int hashSlotNum, int indexNum) => HeaderSize + (hashSlotNum * (long)SlotSize) + (indexNum * (long)EntrySize);

    /// <summary>
    /// Creates a new, sparse file; its header starts from the previous file's end offset and time (as RocketMQ
    /// does) until the first put sets them. Fails if the file exists.
    /// </summary>
    public static IndexFile Create(string path, int hashSlotNum, int indexNum, long previousEndPhyOffset, long previousEndTimestamp)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hashSlotNum);
        ArgumentOutOfRangeException.ThrowIfLessThan(indexNum, 2);
        var size = FileSizeOf(hashSlotNum, indexNum);
        var stream = MappedFile.CreateWholeFile(path, size, reserveBlocks: false);
        try
        {
            var file = new IndexFile(MappedRegion.Map(path, stream, size), hashSlotNum, indexNum);
            if (previousEndPhyOffset > 0) file._beginPhyOffset = file._endPhyOffset = previousEndPhyOffset;
            if (previousEndTimestamp > 0) file._beginTimestamp = file._endTimestamp = previousEndTimestamp;
            file._indexCount = 1;
            file.WriteHeader();
            return file;
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Maps an existing file and reads its header.</summary>
    /// <exception cref="StoreCorruptException">The file's length does not match the slot and entry counts.</exception>
    public static IndexFile Open(string path, int hashSlotNum, int indexNum)
    {
        var region = MappedRegion.OpenExisting(path, FileSizeOf(hashSlotNum, indexNum), $"{FileSizeOf(hashSlotNum, indexNum)} ({hashSlotNum} slots, {indexNum} entries)");
        try
        {
            var file = new IndexFile(region, hashSlotNum, indexNum);
            var header = new ReadOnlySpan<byte>(file._base, HeaderSize);
            file._beginTimestamp = BinaryPrimitives.ReadInt64BigEndian(header);
            file._endTimestamp = BinaryPrimitives.ReadInt64BigEndian(header[8..]);
            file._beginPhyOffset = BinaryPrimitives.ReadInt64BigEndian(header[16..]);
            file._endPhyOffset = BinaryPrimitives.ReadInt64BigEndian(header[24..]);
            file._hashSlotCount = BinaryPrimitives.ReadInt32BigEndian(header[32..]);
            file._indexCount = Math.Clamp(BinaryPrimitives.ReadInt32BigEndian(header[36..]), 1, indexNum);
            return file;
        }
        catch
        {
            region.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Adds an entry (writer only); false when the file is full. <paramref name="keyHash"/> is the non-negative
    /// hash of <c>topic#key</c> (see <see cref="IndexService.KeyHash(string, ReadOnlySpan{byte})"/>).
    /// </summary>
    public bool PutKey(int keyHash, long phyOffset, long storeTimestamp)
    {
        var index = _indexCount;
        if (index >= IndexNum) return false;
        var slot = SlotAt(keyHash);
        var previous = ReadSlot(slot);
        if (previous <= 0 || previous >= index) previous = 0;

        var begin = _beginTimestamp;
        var timeDiff = begin <= 0 ? 0 : Math.Clamp((storeTimestamp - begin) / 1000, 0, int.MaxValue);
        var entry = new Span<byte>(EntryAt(index), EntrySize);
        BinaryPrimitives.WriteInt32BigEndian(entry, keyHash);
        BinaryPrimitives.WriteInt64BigEndian(entry[4..], phyOffset);
        BinaryPrimitives.WriteInt32BigEndian(entry[12..], (int)timeDiff);
        BinaryPrimitives.WriteInt32BigEndian(entry[16..], previous);

        if (index <= 1)
        {
            Volatile.Write(ref _beginPhyOffset, phyOffset);
            Volatile.Write(ref _beginTimestamp, storeTimestamp);
        }

        if (previous == 0) Volatile.Write(ref _hashSlotCount, _hashSlotCount + 1);
        Volatile.Write(ref _endPhyOffset, phyOffset);
        Volatile.Write(ref _endTimestamp, storeTimestamp);
        Volatile.Write(ref _indexCount, index + 1); // before the slot: a reader that sees the slot sees the entry counted
        WriteHeader();
        Volatile.Write(ref Unsafe.AsRef<int>(slot), ToBigEndian(index));
        Volatile.Write(ref _dirty, 1);
        return true;
    }

    /// <summary>
    /// Appends to <paramref name="into"/> the CommitLog offsets of entries with <paramref name="keyHash"/> stored
    /// within [<paramref name="beginTimestamp"/>, <paramref name="endTimestamp"/>] (at second granularity), newest
    /// first, until <paramref name="into"/> holds <paramref name="maxNum"/>. Only hashes are compared: the caller
    /// checks the messages' keys. The caller holds the file.
    /// </summary>
    public void Select(int keyHash, int maxNum, long beginTimestamp, long endTimestamp, List<long> into)
    {
        var next = ReadSlot(SlotAt(keyHash));
        var count = IndexCount; // read after the slot: covers every entry the slot can point to
        if (next <= 0 || next >= count) return;
        var fileBegin = BeginTimestamp;
        while (into.Count < maxNum)
        {
            var entry = new ReadOnlySpan<byte>(EntryAt(next), EntrySize);
            var hash = BinaryPrimitives.ReadInt32BigEndian(entry);
            var phyOffset = BinaryPrimitives.ReadInt64BigEndian(entry[4..]);
            var timeDiff = BinaryPrimitives.ReadInt32BigEndian(entry[12..]);
            var previous = BinaryPrimitives.ReadInt32BigEndian(entry[16..]);
            if (timeDiff < 0) break;
            var time = fileBegin + (timeDiff * 1000L);
            if (hash == keyHash && time >= beginTimestamp && time <= endTimestamp) into.Add(phyOffset);
            if (previous <= 0 || previous >= next || time < beginTimestamp) break;
            next = previous;
        }
    }

    /// <summary>Whether the file's time span overlaps [<paramref name="beginTimestamp"/>, <paramref name="endTimestamp"/>].</summary>
    public bool IsTimeMatched(long beginTimestamp, long endTimestamp) =>
        beginTimestamp <= EndTimestamp && endTimestamp >= BeginTimestamp;

    /// <summary>Syncs the whole file when it changed since the last flush; returns whether it did. Any thread.</summary>
    public bool Flush()
    {
        if (Interlocked.Exchange(ref _dirty, 0) == 0 || !TryHold()) return false;
        try
        {
            NativeMemory.Sync(_base, FileSize);
            return true;
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Takes a reader's reference; false when the file is being destroyed.</summary>
    public bool TryHold() => _region.TryHold();

    /// <summary>Returns a reference taken with <see cref="TryHold"/>; the last one out unmaps.</summary>
    public void Release() => _region.Release();

    /// <summary>Deletes the file once no reader holds it.</summary>
    public void Destroy() => _region.Destroy();

    /// <summary>Unmaps the file (it stays on disk).</summary>
    public void Dispose() => _region.Dispose();

    private byte* SlotAt(int keyHash) => _base + HeaderSize + ((keyHash % HashSlotNum) * (long)SlotSize);

    private byte* EntryAt(int index) => _base + HeaderSize + (HashSlotNum * (long)SlotSize) + (index * (long)EntrySize);

    private static int ReadSlot(byte* slot) => ToBigEndian(Volatile.Read(ref Unsafe.AsRef<int>(slot)));

    private static int ToBigEndian(int value) => BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(value) : value;

    private void WriteHeader()
    {
        var header = new Span<byte>(_base, HeaderSize);
        BinaryPrimitives.WriteInt64BigEndian(header, _beginTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(header[8..], _endTimestamp);
        BinaryPrimitives.WriteInt64BigEndian(header[16..], _beginPhyOffset);
        BinaryPrimitives.WriteInt64BigEndian(header[24..], _endPhyOffset);
        BinaryPrimitives.WriteInt32BigEndian(header[32..], _hashSlotCount);
        BinaryPrimitives.WriteInt32BigEndian(header[36..], _indexCount);
    }
}
