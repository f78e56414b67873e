using System.Globalization;
using System.Text;
using AkkaBroker.Protocol;

namespace AkkaBroker.Store.Index;

/// <summary>
/// The message index by key: the <see cref="IndexFile"/>s under <c>&lt;root&gt;/index/</c>, oldest first. Each
/// message's UNIQ_KEY and every space-separated word of its KEYS property is indexed as <c>topic#key</c>; a full
/// file rolls to a new one named by the current local time.
/// <para>Ownership: one owner (the Dispatcher) loads, puts and deletes; readers query from any thread (the
/// file list is an array replaced on change; a reader holds each file while it selects from it).</para>
/// </summary>
public sealed class IndexService : IDisposable
{
    private const string NameFormat = "yyyyMMddHHmmssfff";
    private volatile IndexFile[] _files = [];
    private long _lastIndexedPhyOffset = -1;

    /// <summary>An index under <paramref name="storeRoot"/>; call <see cref="Load"/> before use.</summary>
    /// <param name="storeRoot">The store root (the parent of <c>index/</c>).</param>
    /// <param name="hashSlotNum">Hash slots per file (RocketMQ: 5,000,000).</param>
    /// <param name="indexNum">Entries per file (RocketMQ: 20,000,000).</param>
    public IndexService(string storeRoot, int hashSlotNum, int indexNum)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hashSlotNum);
        ArgumentOutOfRangeException.ThrowIfLessThan(indexNum, 2);
        Directory = Path.Combine(storeRoot, "index");
        HashSlotNum = hashSlotNum;
        IndexNum = indexNum;
    }

    /// <summary>The <c>index</c> folder.</summary>
    public string Directory { get; }

    /// <summary>Hash slots per file.</summary>
    public int HashSlotNum { get; }

    /// <summary>Entries per file.</summary>
    public int IndexNum { get; }

    /// <summary>The files, oldest first (a snapshot).</summary>
    public IReadOnlyList<IndexFile> Files => _files;

    /// <summary>Store time of the newest indexed message (the checkpoint's indexMsgTimestamp); 0 when none.</summary>
    public long LastTimestamp => _files is { Length: > 0 } files ? files[^1].EndTimestamp : 0;

    /// <summary>CommitLog offset of the newest indexed message, or -1: re-dispatch to the index resumes after it.</summary>
    public long MaxIndexedPhyOffset => Volatile.Read(ref _lastIndexedPhyOffset);

    /// <summary>
    /// The non-negative key hash RocketMQ uses: Java <c>hashCode</c> of <c>topic + "#" + key</c>, absolute, and 0
    /// for <c>int.MinValue</c>. Computed from the UTF-8 key without building the string.
    /// </summary>
    public static int KeyHash(string topic, ReadOnlySpan<byte> keyUtf8) => Positive(Continue(TopicPrefixHash(topic), keyUtf8));

    /// <summary>The key hash of a .NET key string (see <see cref="KeyHash(string, ReadOnlySpan{byte})"/>).</summary>
    public static int KeyHash(string topic, string key)
    {
        var h = TopicPrefixHash(topic);
        foreach (var c in key) h = unchecked((31 * h) + c);
        return Positive(h);
    }

    /// <summary>
    /// Maps the existing files, oldest first. A file whose newest entry lies past <paramref name="commitLogMaxOffset"/>
    /// (the CommitLog's recovered end) is deleted: re-dispatch rebuilds it. Returns one message per file deleted or skipped.
    /// </summary>
    /// <exception cref="StoreCorruptException">A file's length does not match the configured slot and entry counts.</exception>
    public IReadOnlyList<string> Load(long commitLogMaxOffset)
    {
        if (_files.Length > 0) throw new InvalidOperationException("already loaded");
        var problems = new List<string>();
        if (!System.IO.Directory.Exists(Directory)) return problems;
        var files = new List<IndexFile>();
        foreach (var path in System.IO.Directory.GetFiles(Directory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (name.EndsWith(".tmp", StringComparison.Ordinal))
            {
                File.Delete(path); // a file whose creation a crash interrupted (MappedFile.CreateWholeFile); its name was never used
                continue;
            }

            if (name.Length != NameFormat.Length || !DateTime.TryParseExact(name, NameFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                problems.Add($"{path}: not an IndexFile name ({NameFormat}); skipped");
                continue;
            }

            IndexFile file;
            try
            {
                file = IndexFile.Open(path, HashSlotNum, IndexNum);
            }
            catch
            {
                foreach (var f in files) f.Dispose();
                throw;
            }

            if (!file.IsEmpty && file.EndPhyOffset > commitLogMaxOffset)
            {
                problems.Add($"{path}: indexes offsets up to {file.EndPhyOffset}, past the CommitLog's end {commitLogMaxOffset}; deleted (re-dispatch rebuilds it)");
                file.Destroy();
                continue;
            }

            files.Add(file);
        }

        _files = [.. files];
        Volatile.Write(ref _lastIndexedPhyOffset, files.Count > 0 && !files[^1].IsEmpty ? files[^1].EndPhyOffset : -1);
        return problems;
    }

    /// <summary>
    /// Indexes a message (owner only): its <paramref name="uniqueKey"/> (when not empty) and every word of
    /// <paramref name="keysProperty"/> (the KEYS property, space-separated). A message at or below the last indexed
    /// offset is skipped (re-dispatch after a restart); returns false then. The caller skips rollback messages.
    /// Allocates nothing unless a file rolls.
    /// </summary>
    public bool Put(string topic, ReadOnlySpan<byte> keysProperty, ReadOnlySpan<byte> uniqueKey, long physicalOffset, long storeTimestamp)
    {
        if (physicalOffset <= _lastIndexedPhyOffset) return false;
        // A message's entries go into one file when they fit, so a file deleted at recovery takes whole messages
        // with it and re-dispatch from MaxIndexedPhyOffset restores exactly what it lost.
        var needed = CountWords(keysProperty) + (uniqueKey.IsEmpty ? 0 : 1);
        var files = _files;
        if (needed > 0 && needed < IndexNum && (files.Length == 0 || files[^1].IndexNum - files[^1].IndexCount < needed)) Roll(files);
        var prefix = TopicPrefixHash(topic);
        if (!uniqueKey.IsEmpty) PutKey(Positive(Continue(prefix, uniqueKey)), physicalOffset, storeTimestamp);
        var rest = keysProperty;
        while (!rest.IsEmpty)
        {
            var space = rest.IndexOf((byte)' ');
            var word = space < 0 ? rest : rest[..space];
            rest = space < 0 ? default : rest[(space + 1)..];
            if (!word.IsEmpty) PutKey(Positive(Continue(prefix, word)), physicalOffset, storeTimestamp);
        }

        Volatile.Write(ref _lastIndexedPhyOffset, physicalOffset);
        return true;
    }

    /// <summary>
    /// CommitLog offsets of messages indexed under <paramref name="key"/> in <paramref name="topic"/>, stored within
    /// [<paramref name="beginTimestamp"/>, <paramref name="endTimestamp"/>], newest first (newest file first), at most
    /// <paramref name="maxNum"/>. Hashes may collide: the caller checks each message's keys. Any thread.
    /// </summary>
    public List<long> Query(string topic, string key, int maxNum, long beginTimestamp, long endTimestamp)
    {
        var result = new List<long>();
        if (maxNum <= 0) return result;
        var hash = KeyHash(topic, key);
        var files = _files;
        for (var i = files.Length - 1; i >= 0 && result.Count < maxNum; i--)
        {
            var file = files[i];
            if (file.IsTimeMatched(beginTimestamp, endTimestamp) && file.TryHold())
            {
                try
                {
                    file.Select(hash, maxNum, beginTimestamp, endTimestamp, result);
                }
                finally
                {
                    file.Release();
                }
            }

            if (file.BeginTimestamp < beginTimestamp) break; // older files hold only older entries
        }

        return result;
    }

    /// <summary>Deletes the oldest files (never the newest) whose every entry lies below <paramref name="commitLogMinOffset"/>; returns how many (owner only).</summary>
    public int DeleteFilesBelow(long commitLogMinOffset)
    {
        var files = _files;
        var count = 0;
        while (count < files.Length - 1 && files[count].EndPhyOffset < commitLogMinOffset) count++;
        if (count == 0) return 0;
        _files = files[count..];
        for (var i = 0; i < count; i++) files[i].Destroy();
        return count;
    }

    /// <summary>
    /// Syncs every changed file, or only the full ones (every file but the newest) when <paramref name="includeNewest"/>
    /// is false; returns the store time of the newest entry now on disk (for the checkpoint), 0 when none is. Any thread.
    /// </summary>
    /// <remarks>
    /// Syncing the newest file is costly while it fills: its keys land in random hash slots all over the file, and
    /// at 64k msgs/s its msync every second took 7-11 ms and made the sends in flight stall at that moment.
    /// </remarks>
    public long Flush(bool includeNewest = true)
    {
        var files = _files;
        var count = includeNewest ? files.Length : files.Length - 1;
        if (count <= 0) return 0;
        var timestamp = files[count - 1].EndTimestamp; // read before the sync, so it is covered by it
        for (var i = 0; i < count; i++) files[i].Flush();
        return timestamp;
    }

    /// <summary>Unmaps every file (they stay on disk).</summary>
    public void Dispose()
    {
        foreach (var file in _files) file.Dispose();
        _files = [];
    }

    private void PutKey(int keyHash, long physicalOffset, long storeTimestamp)
    {
        var files = _files;
        if (files.Length > 0 && files[^1].PutKey(keyHash, physicalOffset, storeTimestamp)) return;
        var file = Roll(files);
        if (!file.PutKey(keyHash, physicalOffset, storeTimestamp)) throw new InvalidOperationException($"{file.Path}: a new IndexFile refused an entry");
    }

    private IndexFile Roll(IndexFile[] files)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var previous = files.Length > 0 ? files[^1] : null;
        // Names must be unique and increasing, even when files fill faster than the clock ticks.
        var time = DateTime.Now;
        if (previous is not null && DateTime.TryParseExact(previous.Name, NameFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var last) && time <= last)
            time = last.AddMilliseconds(1);
        string path;
        while (File.Exists(path = Path.Combine(Directory, time.ToString(NameFormat, CultureInfo.InvariantCulture)))) time = time.AddMilliseconds(1);

        var file = IndexFile.Create(path, HashSlotNum, IndexNum, previous?.EndPhyOffset ?? 0, previous?.EndTimestamp ?? 0);
        _files = [.. files, file];
        return file;
    }

    private static int CountWords(ReadOnlySpan<byte> keys)
    {
        var count = 0;
        var inWord = false;
        foreach (var b in keys)
        {
            if (b == (byte)' ') inWord = false;
            else if (!inWord)
            {
                inWord = true;
                count++;
            }
        }

        return count;
    }

    private static int TopicPrefixHash(string topic) => unchecked((31 * JavaHash.StringHashCode(topic.AsSpan())) + '#');

    /// <summary>Java's hash of prefix + text from the prefix's hash: h(p + t) = h(p) * 31^len(t) + h(t), len in UTF-16 units.</summary>
    private static int Continue(int prefixHash, ReadOnlySpan<byte> utf8)
    {
        var units = Ascii.IsValid(utf8) ? utf8.Length : Encoding.UTF8.GetCharCount(utf8);
        var power = 1;
        var factor = 31;
        for (var n = units; n > 0; n >>= 1)
        {
            if ((n & 1) != 0) power = unchecked(power * factor);
            factor = unchecked(factor * factor);
        }

        return unchecked((prefixHash * power) + JavaHash.StringHashCode(utf8));
    }

    private static int Positive(int hash) => hash == int.MinValue ? 0 : Math.Abs(hash);
}
