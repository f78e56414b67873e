using AkkaBroker.Protocol;
using AkkaBroker.Store.ConsumeQueues;
using AkkaBroker.Store.Dispatch;
using AkkaBroker.Store.Index;

namespace AkkaBroker.Store;

/// <summary>
/// A node's storage, opened and recovered (DESIGN.md §5): holds the store lock, the checkpoint, the CommitLog and
/// the ConsumeQueues. <see cref="Open"/> brings them into agreement before anything writes: CommitLog recovery
/// (normal or, after a crash, abnormal with CRC checks), ConsumeQueues cut back to the recovered end, and every
/// record from the earlier of the two recovery points dispatched again, so missing or deleted ConsumeQueues are
/// rebuilt. <see cref="Dispose"/> flushes everything and marks the shutdown clean.
/// Ownership after open: the broker's actors (writer, flusher, dispatcher) as DESIGN.md §3 assigns.
/// </summary>
public sealed class StoreEngine : IDisposable
{
    private readonly StoreLock _lock;
    private readonly TransientStorePool? _pool;
    private bool _disposed;

    private StoreEngine(StoreSettings settings, StoreLock storeLock, StoreCheckpoint checkpoint, TransientStorePool? pool, CommitLog commitLog,
        ConsumeQueueStore queues, IndexService? index, RecordDispatcher dispatcher, StoreRecoveryReport report)
    {
        _pool = pool;
        Index = index;
        Settings = settings;
        _lock = storeLock;
        Checkpoint = checkpoint;
        CommitLog = commitLog;
        ConsumeQueues = queues;
        Dispatcher = dispatcher;
        Report = report;
    }

    /// <summary>The settings the store was opened with.</summary>
    public StoreSettings Settings { get; }

    /// <summary>The checkpoint file.</summary>
    public StoreCheckpoint Checkpoint { get; }

    /// <summary>The CommitLog, recovered.</summary>
    public CommitLog CommitLog { get; }

    /// <summary>The ConsumeQueues, recovered and caught up with the CommitLog.</summary>
    public ConsumeQueueStore ConsumeQueues { get; }

    /// <summary>The IndexFiles (null when message-index-enable is off).</summary>
    public IndexService? Index { get; }

    /// <summary>The record dispatcher (its owner is the Dispatcher actor after open).</summary>
    public RecordDispatcher Dispatcher { get; }

    /// <summary>What recovery found and did, for the log.</summary>
    public StoreRecoveryReport Report { get; }

    /// <summary>
    /// Opens the store under <see cref="StoreSettings.StorePathRootDir"/>, recovering from a crash if the abort
    /// file is there.
    /// </summary>
    /// <exception cref="StoreLockedException">Another process (or instance) uses this store.</exception>
    /// <exception cref="StoreCorruptException">Files are damaged beyond what recovery repairs (wrong sizes, gaps).</exception>
    public static StoreEngine Open(StoreSettings settings)
    {
        var problems = settings.Validate();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems), nameof(settings));
        Directory.CreateDirectory(settings.StorePathRootDir);
        var storeLock = StoreLock.Acquire(settings.StorePathRootDir);
        var opened = new List<IDisposable> { storeLock };
        try
        {
            var checkpoint = StoreCheckpoint.Open(settings.StorePathRootDir);
            opened.Add(checkpoint);
            // Off-heap write buffers only with the transient pool (an ASYNC_FLUSH master; settings validation enforces it).
            var pool = settings.TransientStorePoolEnable ? new TransientStorePool(settings.TransientStorePoolSize, (int)settings.MappedFileSizeCommitLog) : null;
            if (pool is not null) opened.Add(pool);
            var commitLog = new CommitLog(settings, pool);
            opened.Add(commitLog);
            var queues = new ConsumeQueueStore(settings.StorePathRootDir, settings.MappedFileSizeConsumeQueue);
            opened.Add(queues);
            var skipped = queues.Load();
            queues.RecoverAll();

            var abnormal = storeLock.AbortFileExisted;
            var recovered = commitLog.Recover(abnormal, checkpoint, settings.CheckCrcOnRecover);
            queues.TruncateDirtyAll(recovered.MaxOffset);
            IndexService? index = null;
            var indexProblems = (IReadOnlyList<string>)[];
            if (settings.MessageIndexEnable)
            {
                index = new IndexService(settings.StorePathRootDir, settings.MaxHashSlotNum, settings.MaxIndexNum);
                opened.Add(index);
                indexProblems = index.Load(recovered.MaxOffset);
            }

            var dispatcher = new RecordDispatcher(queues, index, settings.MessageDelayLevels);
            // After a clean stop the ConsumeQueues were flushed, so dispatch resumes where they end (RocketMQ's rule).
            // After a crash their tails may be lost: also replay from the CommitLog scan start, which the checkpoint's
            // ConsumeQueue flush time placed before anything unflushed. No queues at all (say, consumequeue/ was
            // deleted): everything is dispatched again.
            var covered = queues.AllQueues().Count == 0 ? commitLog.MinOffset : queues.MaxPhysicalOffsetDispatched;
            var from = abnormal ? Math.Min(recovered.DispatchFromOffset, covered) : covered;
            // Index files past the recovered end were dropped at load: rebuild from the last kept entry's record (it is an
            // offset where a record starts, and re-indexing that record is skipped as already done). (An empty index
            // sets no bound, or a store whose messages carry no keys would re-read its whole log at every start.)
            if (index is { Files.Count: > 0 }) from = Math.Min(from, index.MaxIndexedPhyOffset);
            var replay = dispatcher.DispatchRange(commitLog, Math.Max(from, commitLog.MinOffset), recovered.MaxOffset);
            if (replay.Failure is { } failure)
                throw new StoreCorruptException($"re-dispatch stopped at CommitLog offset {replay.Offset} ({failure}) below the recovered end {recovered.MaxOffset}");
            // Units below the CommitLog's start (segments deleted before the last stop, or while ConsumeQueue files
            // were kept because they also hold newer units) must not count as readable, as RocketMQ corrects at load.
            queues.CorrectMinOffsetAll(commitLog.MinOffset);
            queues.FlushAll(0);
            index?.Flush();
            checkpoint.Flush();

            var report = new StoreRecoveryReport(abnormal, recovered.MaxOffset, recovered.RecordsScanned, recovered.DiscardedBytes,
                replay.Records, recovered.Problem, checkpoint.Warning, [.. skipped, .. indexProblems]);
            return new StoreEngine(settings, storeLock, checkpoint, pool, commitLog, queues, index, dispatcher, report);
        }
        catch
        {
            for (var i = opened.Count - 1; i >= 0; i--) opened[i].Dispose();
            throw;
        }
    }

    /// <summary>The next queue offset of every topic-queue (its ConsumeQueue's end), for the CommitLog writer.</summary>
    public Dictionary<(string Topic, int QueueId), long> QueueOffsetTable()
    {
        var table = new Dictionary<(string, int), long>();
        foreach (var queue in ConsumeQueues.AllQueues()) table[(queue.Topic, queue.QueueId)] = queue.MaxOffset;
        return table;
    }

    /// <summary>Flushes every file, marks the shutdown clean (no abort file) and releases the lock.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            CommitLog.Commit(0); // pooled writes reach the file before the last flush
            CommitLog.SealTail();
            CommitLog.Flush(0);
            ConsumeQueues.FlushAll(0);
            if (Index is not null)
            {
                Index.Flush();
                Checkpoint.IndexMsgTimestamp = Index.LastTimestamp;
            }

            Checkpoint.PhysicMsgTimestamp = Math.Max(Checkpoint.PhysicMsgTimestamp, CommitLog.LastStoreTimestamp);
            Checkpoint.Flush();
            _lock.MarkCleanShutdown();
        }
        finally
        {
            Index?.Dispose();
            ConsumeQueues.Dispose();
            CommitLog.Dispose();
            _pool?.Dispose(); // after the CommitLog, which committed its last buffer on dispose
            Checkpoint.Dispose();
            _lock.Dispose();
        }
    }
}

/// <summary>What <see cref="StoreEngine.Open"/> found and did.</summary>
/// <param name="Abnormal">The previous run did not shut down cleanly.</param>
/// <param name="MaxOffset">The CommitLog's recovered end.</param>
/// <param name="RecordsScanned">Records the CommitLog recovery verified.</param>
/// <param name="DiscardedBytes">Bytes past the last whole record that were dropped.</param>
/// <param name="Redispatched">Records dispatched again to rebuild ConsumeQueues.</param>
/// <param name="Problem">A damaged or torn record found by recovery, if any.</param>
/// <param name="CheckpointWarning">A damaged checkpoint file, if any.</param>
/// <param name="SkippedFiles">Foreign folders under consumequeue/ and index files dropped or ignored, one line each.</param>
public sealed record StoreRecoveryReport(bool Abnormal, long MaxOffset, long RecordsScanned, long DiscardedBytes, long Redispatched,
    string? Problem, string? CheckpointWarning, IReadOnlyList<string> SkippedFiles);
