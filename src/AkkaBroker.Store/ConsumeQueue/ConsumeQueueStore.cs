using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using AkkaBroker.Common.Naming;

namespace AkkaBroker.Store.ConsumeQueues;

/// <summary>
/// Every ConsumeQueue of the store, by (topic, queue id), under <c>&lt;root&gt;/consumequeue/</c>.
/// <para>Ownership: the owner (the Dispatcher) loads, creates, recovers, truncates and deletes; readers on any
/// thread find queues with <see cref="TryGet"/> (concurrent dictionaries, lock-free reads).</para>
/// </summary>
public sealed class ConsumeQueueStore : IDisposable
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<int, ConsumeQueue>> _topics = new(StringComparer.Ordinal);

    /// <summary>A store of the queues under <paramref name="storeRoot"/>; call <see cref="Load"/> then <see cref="RecoverAll"/>.</summary>
    /// <param name="storeRoot">The store root (the parent of <c>consumequeue/</c>).</param>
    /// <param name="fileSize">Bytes per ConsumeQueue file (<c>MappedFileSizeConsumeQueue</c>).</param>
    public ConsumeQueueStore(string storeRoot, int fileSize)
    {
        if (fileSize < ConsumeQueueUnit.Length || fileSize % ConsumeQueueUnit.Length != 0)
            throw new ArgumentOutOfRangeException(nameof(fileSize), $"must be a positive multiple of {ConsumeQueueUnit.Length}");
        StoreRoot = storeRoot;
        FileSize = fileSize;
    }

    /// <summary>The store root.</summary>
    public string StoreRoot { get; }

    /// <summary>The <c>consumequeue</c> folder.</summary>
    public string Directory => Path.Combine(StoreRoot, "consumequeue");

    /// <summary>Bytes per ConsumeQueue file.</summary>
    public int FileSize { get; }

    /// <summary>The topics that have at least one queue.</summary>
    public ICollection<string> Topics => _topics.Keys;

    /// <summary>
    /// CommitLog offset just past the newest message dispatched to any queue: after a clean restart, dispatch
    /// resumes from here.
    /// </summary>
    public long MaxPhysicalOffsetDispatched
    {
        get
        {
            long max = 0;
            foreach (var queue in AllQueues()) max = Math.Max(max, queue.MaxPhysicalOffset);
            return max;
        }
    }

    /// <summary>
    /// Maps every queue found under <c>consumequeue/</c>. Folders that are not a valid topic name, queue folders
    /// that are not a queue id, and stray files are skipped; returns one message for each.
    /// </summary>
    /// <exception cref="StoreCorruptException">A queue's files are damaged (wrong sizes, names, gaps).</exception>
    public IReadOnlyList<string> Load()
    {
        var problems = new List<string>();
        if (!System.IO.Directory.Exists(Directory)) return problems;
        foreach (var entry in System.IO.Directory.EnumerateFileSystemEntries(Directory).Order(StringComparer.Ordinal))
        {
            var topic = Path.GetFileName(entry);
            if (!System.IO.Directory.Exists(entry))
            {
                problems.Add($"{entry}: a stray file in the consumequeue folder; skipped");
                continue;
            }

            if (ResourceNames.ValidateTopic(topic) is { } why)
            {
                problems.Add($"{entry}: not a ConsumeQueue topic folder ({why}); skipped");
                continue;
            }

            foreach (var queueEntry in System.IO.Directory.EnumerateFileSystemEntries(entry).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(queueEntry);
                if (!System.IO.Directory.Exists(queueEntry)
                    || !int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var queueId)
                    || queueId.ToString(CultureInfo.InvariantCulture) != name)
                {
                    problems.Add($"{queueEntry}: not a queue id folder; skipped");
                    continue;
                }

                var queue = new ConsumeQueue(StoreRoot, topic, queueId, FileSize);
                queue.Load();
                QueuesOf(topic)[queueId] = queue;
            }
        }

        return problems;
    }

    /// <summary>The queue of (<paramref name="topic"/>, <paramref name="queueId"/>), created empty when new (owner only). No allocation when it exists.</summary>
    /// <exception cref="ArgumentException">The topic name is not valid.</exception>
    public ConsumeQueue GetOrCreate(string topic, int queueId)
    {
        if (_topics.TryGetValue(topic, out var queues) && queues.TryGetValue(queueId, out var existing)) return existing;
        if (ResourceNames.ValidateTopic(topic) is { } why) throw new ArgumentException(why, nameof(topic));
        ArgumentOutOfRangeException.ThrowIfNegative(queueId);
        var queue = new ConsumeQueue(StoreRoot, topic, queueId, FileSize);
        QueuesOf(topic)[queueId] = queue;
        return queue;
    }

    /// <summary>Finds a queue (any thread).</summary>
    public bool TryGet(string topic, int queueId, [NotNullWhen(true)] out ConsumeQueue? queue)
    {
        queue = null;
        return _topics.TryGetValue(topic, out var queues) && queues.TryGetValue(queueId, out queue);
    }

    /// <summary>The queues of a topic by queue id (a snapshot; empty when the topic has none).</summary>
    public IReadOnlyDictionary<int, ConsumeQueue> QueuesOfTopic(string topic) =>
        _topics.TryGetValue(topic, out var queues) ? new Dictionary<int, ConsumeQueue>(queues) : new Dictionary<int, ConsumeQueue>();

    /// <summary>Deletes every queue of the topic and its folder (owner only); false when it had none.</summary>
    public bool DeleteTopic(string topic)
    {
        var found = _topics.TryRemove(topic, out var queues);
        if (queues is not null)
        {
            foreach (var queue in queues.Values)
            {
                queue.Destroy();
                queue.Dispose();
            }
        }

        var folder = Path.Combine(Directory, topic);
        if (ResourceNames.ValidateTopic(topic) is null && System.IO.Directory.Exists(folder))
        {
            System.IO.Directory.Delete(folder, recursive: true);
            found = true;
        }

        return found;
    }

    /// <summary>Recovers every loaded queue (see <see cref="ConsumeQueue.Recover"/>).</summary>
    public void RecoverAll()
    {
        foreach (var queue in AllQueues()) queue.Recover();
    }

    /// <summary>Drops units past the recovered CommitLog end in every queue (see <see cref="ConsumeQueue.TruncateDirty"/>).</summary>
    public void TruncateDirtyAll(long commitLogMaxOffset)
    {
        foreach (var queue in AllQueues()) queue.TruncateDirty(commitLogMaxOffset);
    }

    /// <summary>After CommitLog clean-up: deletes expired files and corrects the minimum of every queue; returns the files deleted.</summary>
    public int DeleteExpiredAll(long commitLogMinOffset)
    {
        var count = 0;
        foreach (var queue in AllQueues()) count += queue.DeleteExpired(commitLogMinOffset);
        return count;
    }

    /// <summary>Corrects the minimum offset of every queue (see <see cref="ConsumeQueue.CorrectMinOffset"/>).</summary>
    public void CorrectMinOffsetAll(long commitLogMinOffset)
    {
        foreach (var queue in AllQueues()) queue.CorrectMinOffset(commitLogMinOffset);
    }

    /// <summary>Flushes every queue (see <see cref="ConsumeQueue.Flush"/>).</summary>
    public void FlushAll(int leastPages)
    {
        foreach (var queue in AllQueues()) queue.Flush(leastPages);
    }

    /// <summary>Every queue (a snapshot).</summary>
    public IReadOnlyList<ConsumeQueue> AllQueues()
    {
        var all = new List<ConsumeQueue>();
        foreach (var queues in _topics.Values) all.AddRange(queues.Values);
        return all;
    }

    /// <summary>Unmaps every queue (files stay).</summary>
    public void Dispose()
    {
        foreach (var queue in AllQueues()) queue.Dispose();
        _topics.Clear();
    }

    private ConcurrentDictionary<int, ConsumeQueue> QueuesOf(string topic) =>
        _topics.GetOrAdd(topic, static _ => new ConcurrentDictionary<int, ConsumeQueue>());
}
