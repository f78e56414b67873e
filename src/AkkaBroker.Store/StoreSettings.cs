namespace AkkaBroker.Store;

/// <summary>When the CommitLog's next pages are brought into the page cache ahead of the writer.</summary>
public enum CommitLogPrefault
{
    /// <summary>Never: the writer's own writes bring the pages in.</summary>
    Off,

    /// <summary>
    /// While the writer is saturated (see <c>Prefaulter</c>): where it is the bottleneck, not where latency is; and never
    /// while the page cache is trimmed (see <see cref="StoreSettings.Prefaults"/>).
    /// </summary>
    Auto,

    /// <summary>All the time.</summary>
    Always,
}

/// <summary>When the CommitLog's page cache is kept to a window behind its end (see <see cref="StoreSettings.CommitLogCacheWindow"/>).</summary>
public enum CommitLogCacheTrim
{
    /// <summary>Never: the kernel decides what stays cached, as RocketMQ leaves it.</summary>
    Off,

    /// <summary>Only where the host takes free memory back from this machine (see <c>HostMemory.ReportsFreePages</c>).</summary>
    Auto,

    /// <summary>Everywhere.</summary>
    Always,
}

/// <summary>When an append counts as durable.</summary>
public enum FlushDiskType
{
    /// <summary>The reply goes as soon as the record is in the mapped file; a background flusher writes it out.</summary>
    AsyncFlush,

    /// <summary>The reply waits until an fsync covers the record (group commit coalesces waiting appends).</summary>
    SyncFlush,
}

/// <summary>
/// The storage engine's settings (<c>akkabroker.store</c> in HOCON). Immutable; built once at start from the
/// node's config, in the broker layer, because the store itself does not read HOCON. Every value is
/// required: the defaults live in <c>hocon/reference.conf</c> only.
/// </summary>
public sealed record StoreSettings
{
    /// <summary>Root folder of commitlog/, consumequeue/, index/, checkpoint and config/.</summary>
    public required string StorePathRootDir { get; init; }

    /// <summary>CommitLog folder; empty means <c>&lt;root&gt;/commitlog</c>.</summary>
    public required string StorePathCommitLog { get; init; }

    /// <summary>Bytes per CommitLog segment.</summary>
    public required long MappedFileSizeCommitLog { get; init; }

    /// <summary>Bytes per ConsumeQueue file; a multiple of the 20-byte unit.</summary>
    public required int MappedFileSizeConsumeQueue { get; init; }

    /// <summary>When an append counts as durable.</summary>
    public required FlushDiskType FlushDiskType { get; init; }

    /// <summary>Async flush period.</summary>
    public required TimeSpan FlushIntervalCommitLog { get; init; }

    /// <summary>
    /// Async flush only on the <see cref="FlushIntervalCommitLog"/> timer (RocketMQ's flushCommitLogTimed). False, the
    /// default: writes also wake the flusher, so it flushes as the data arrives.
    /// </summary>
    public bool FlushCommitLogTimed { get; init; }

    /// <summary>Async flush: pages that must be dirty before a flush writes.</summary>
    public required int FlushCommitLogLeastPages { get; init; }

    /// <summary>Async flush: everything is flushed at least this often.</summary>
    public required TimeSpan FlushCommitLogThoroughInterval { get; init; }

    /// <summary>Sync flush: longest wait before a send gets FLUSH_DISK_TIMEOUT.</summary>
    public required TimeSpan SyncFlushTimeout { get; init; }

    /// <summary>Appends go to pooled off-heap buffers committed to the file in the background.</summary>
    public required bool TransientStorePoolEnable { get; init; }

    /// <summary>Buffers in the transient store pool.</summary>
    public required int TransientStorePoolSize { get; init; }

    /// <summary>Transient pool commit period.</summary>
    public required TimeSpan CommitIntervalCommitLog { get; init; }

    /// <summary>Transient pool: pages pending before a periodic commit writes.</summary>
    public required int CommitCommitLogLeastPages { get; init; }

    /// <summary>Transient pool: everything is committed at least this often.</summary>
    public required TimeSpan CommitCommitLogThoroughInterval { get; init; }

    /// <summary>ConsumeQueue flush period.</summary>
    public required TimeSpan FlushIntervalConsumeQueue { get; init; }

    /// <summary>ConsumeQueue: pages that must be dirty before a periodic flush writes.</summary>
    public required int FlushConsumeQueueLeastPages { get; init; }

    /// <summary>ConsumeQueue: everything is flushed at least this often, the index file being filled included (it is flushed only then, when full, and at shutdown).</summary>
    public required TimeSpan FlushConsumeQueueThoroughInterval { get; init; }

    /// <summary>Largest accepted message in bytes; larger ones get MESSAGE_ILLEGAL.</summary>
    public required int MaxMessageSize { get; init; }

    /// <summary>Percent of physical memory the CommitLog may use before pulls count as disk reads.</summary>
    public required int AccessMessageInMemoryMaxRatio { get; init; }

    /// <summary>Pull from memory: byte limit per response.</summary>
    public required int MaxTransferBytesOnMessageInMemory { get; init; }

    /// <summary>Pull from memory: message limit per response.</summary>
    public required int MaxTransferCountOnMessageInMemory { get; init; }

    /// <summary>Pull from disk: byte limit per response.</summary>
    public required int MaxTransferBytesOnMessageInDisk { get; init; }

    /// <summary>Pull from disk: message limit per response.</summary>
    public required int MaxTransferCountOnMessageInDisk { get; init; }

    /// <summary>How long segments are kept after their last write.</summary>
    public required TimeSpan FileReservedTime { get; init; }

    /// <summary>Hours of the day (0-23) when expired segments are deleted.</summary>
    public required IReadOnlyList<int> DeleteWhen { get; init; }

    /// <summary>Disk use (percent) past which expired segments are deleted at once.</summary>
    public required int DiskMaxUsedSpaceRatio { get; init; }

    /// <summary>Disk use (percent) past which writes are refused.</summary>
    public required int DiskWriteRefuseRatio { get; init; }

    /// <summary>Clean-up service period.</summary>
    public required TimeSpan CleanResourceInterval { get; init; }

    /// <summary>Whether the IndexFile is built.</summary>
    public required bool MessageIndexEnable { get; init; }

    /// <summary>Hash slots per IndexFile.</summary>
    public required int MaxHashSlotNum { get; init; }

    /// <summary>Entries per IndexFile.</summary>
    public required int MaxIndexNum { get; init; }

    /// <summary>Default result count of a query by key.</summary>
    public required int DefaultQueryMaxNum { get; init; }

    /// <summary>Touch every page of a new segment ahead of use.</summary>
    public required bool WarmMappedFileEnable { get; init; }

    /// <summary>
    /// When a background thread brings the CommitLog's next pages into the page cache, so appends copy into memory
    /// that is already there instead of allocating it; off unless set.
    /// </summary>
    public CommitLogPrefault CommitLogPrefault { get; init; }

    /// <summary>How far past the CommitLog's end pages are prefaulted (at most to the end of the segment).</summary>
    public long CommitLogPrefaultAhead { get; init; } = 32L << 20;

    /// <summary>
    /// When the CommitLog's flushed bytes more than <see cref="CommitLogCacheWindow"/> behind its end are dropped from the
    /// page cache; off unless set.
    /// </summary>
    public CommitLogCacheTrim CommitLogCacheTrim { get; init; }

    /// <summary>How much of the CommitLog, back from its flushed end, stays in the page cache while trimming is on.</summary>
    public long CommitLogCacheWindow { get; init; } = 1L << 30;

    /// <summary>
    /// The page-cache window in effect, or null when trimming is off: <see cref="CommitLogCacheTrim.Always"/>, or
    /// <see cref="CommitLogCacheTrim.Auto"/> where <paramref name="hostReportsFreePages"/> says the host takes free memory back.
    /// </summary>
    public long? EffectiveCacheWindow(bool hostReportsFreePages) => CommitLogCacheTrim switch
    {
        CommitLogCacheTrim.Always => CommitLogCacheWindow,
        CommitLogCacheTrim.Auto when hostReportsFreePages => CommitLogCacheWindow,
        _ => null,
    };

    /// <summary>
    /// Whether a Prefaulter runs, given the page-cache window in effect (<see cref="EffectiveCacheWindow"/>):
    /// <see cref="CommitLogPrefault.Always"/> always; <see cref="CommitLogPrefault.Auto"/> only while the cache is not
    /// trimmed. Trimmed, the writer gets recycled pages, which are cheap, and populating one ahead only adds a zero-fill
    /// before the write: with trimming on, --batch 32 runs were faster without the Prefaulter in 5 of 7 pairs (the host's
    /// noise is as large: the same settings gave 350k and 422k msgs/s in one suite).
    /// </summary>
    public bool Prefaults(long? cacheWindow) =>
        CommitLogPrefault == CommitLogPrefault.Always || (CommitLogPrefault == CommitLogPrefault.Auto && cacheWindow is null);

    /// <summary>
    /// Expired CommitLog segments kept (in <c>commitlog/reuse/</c>) to become later segments instead of new files;
    /// 0 deletes them as RocketMQ does. Emptied whenever disk use passes <see cref="DiskMaxUsedSpaceRatio"/>.
    /// </summary>
    public required int CommitLogReuseSegments { get; init; }

    /// <summary>Verify record CRCs during crash recovery.</summary>
    public required bool CheckCrcOnRecover { get; init; }

    /// <summary>Delay of each level; index 0 is level 1.</summary>
    public required IReadOnlyList<TimeSpan> MessageDelayLevels { get; init; }

    /// <summary>HA: slave offset report period.</summary>
    public required TimeSpan HaSendHeartbeatInterval { get; init; }

    /// <summary>HA: a link silent this long is closed.</summary>
    public required TimeSpan HaHousekeepingInterval { get; init; }

    /// <summary>HA: largest chunk sent at once, in bytes.</summary>
    public required int HaTransferBatchSize { get; init; }

    /// <summary>HA: a slave further behind (bytes) does not count for sync-master sends.</summary>
    public required long HaSlaveFallbehindMax { get; init; }

    /// <summary>Sync master: longest wait for a slave ack before FLUSH_SLAVE_TIMEOUT.</summary>
    public required TimeSpan SlaveTimeout { get; init; }

    /// <summary>The folder of the CommitLog segments.</summary>
    public string CommitLogDir =>
        StorePathCommitLog.Length == 0 ? Path.Combine(StorePathRootDir, "commitlog") : StorePathCommitLog;

    /// <summary>Size in bytes of one ConsumeQueue unit (physical offset, size, tag hash).</summary>
    public const int ConsumeQueueUnitSize = 20;

    /// <summary>
    /// Checks the values' ranges and their relations; returns one message per problem, naming the setting
    /// by its HOCON key under <c>akkabroker.store</c>. Empty when the settings are usable.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        void Check(bool ok, string key, string message)
        {
            if (!ok) problems.Add($"akkabroker.store.{key}: {message}");
        }

        Check(StorePathRootDir.Length > 0, "store-path-root-dir", "must not be empty");
        // Positions inside a segment are ints, as in RocketMQ: a segment is at most 2 GiB - 1.
        Check(MappedFileSizeCommitLog is >= 4096 and <= int.MaxValue, "mapped-file-size-commit-log", "must be 4k..2147483647 bytes (under 2g)");
        Check(MappedFileSizeConsumeQueue >= ConsumeQueueUnitSize && MappedFileSizeConsumeQueue % ConsumeQueueUnitSize == 0,
            "mapped-file-size-consume-queue", $"must be a positive multiple of {ConsumeQueueUnitSize}");
        Check(MaxMessageSize > 0 && MaxMessageSize < MappedFileSizeCommitLog, "max-message-size",
            "must be positive and smaller than a CommitLog segment");
        Check(AccessMessageInMemoryMaxRatio is > 0 and <= 100, "access-message-in-memory-max-ratio", "must be 1..100");
        Check(DiskMaxUsedSpaceRatio is > 0 and <= 100, "disk-max-used-space-ratio", "must be 1..100");
        Check(DiskWriteRefuseRatio is > 0 and <= 100, "disk-write-refuse-ratio", "must be 1..100");
        Check(DeleteWhen.All(h => h is >= 0 and <= 23), "delete-when", "hours must be 00..23");
        Check(MessageDelayLevels.Count > 0 && MessageDelayLevels.All(d => d > TimeSpan.Zero),
            "message-delay-level", "needs at least one positive delay");
        Check(TransientStorePoolSize > 0, "transient-store-pool-size", "must be positive");
        Check(CommitLogPrefaultAhead >= 64 * 1024, "commit-log-prefault-ahead", "must be at least 64k");
        Check(CommitLogCacheWindow >= 1L << 20, "commit-log-cache-window", "must be at least 1m");
        Check(CommitLogReuseSegments >= 0, "commit-log-reuse-segments", "must be 0 or more");
        Check(MaxHashSlotNum > 0, "max-hash-slot-num", "must be positive");
        Check(MaxIndexNum > 0, "max-index-num", "must be positive");
        Check(HaTransferBatchSize > 0, "ha-transfer-batch-size", "must be positive");
        Check(TransientStorePoolEnable is false || FlushDiskType == FlushDiskType.AsyncFlush,
            "transient-store-pool-enable", "works only with flush-disk-type = ASYNC_FLUSH");
        foreach (var (key, value) in new[]
                 {
                     ("flush-interval-commit-log", FlushIntervalCommitLog), ("sync-flush-timeout", SyncFlushTimeout),
                     ("commit-interval-commit-log", CommitIntervalCommitLog), ("flush-interval-consume-queue", FlushIntervalConsumeQueue),
                     ("clean-resource-interval", CleanResourceInterval), ("ha-send-heartbeat-interval", HaSendHeartbeatInterval),
                     ("ha-housekeeping-interval", HaHousekeepingInterval), ("slave-timeout", SlaveTimeout),
                 })
        {
            Check(value > TimeSpan.Zero, key, "must be a positive duration");
        }

        return problems;
    }
}
