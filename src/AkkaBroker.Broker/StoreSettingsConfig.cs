using AkkaBroker.Hocon;
using AkkaBroker.Store;

namespace AkkaBroker.Broker;

/// <summary>
/// Builds <see cref="StoreSettings"/> from HOCON. It lives in the broker layer because the store does not
/// reference the HOCON library (DESIGN.md dependency rule); the static extension keeps the call site
/// <c>StoreSettings.Create(config)</c> like every other settings class.
/// </summary>
public static class StoreSettingsConfig
{
    extension(StoreSettings)
    {
        /// <summary>Reads <c>akkabroker.store</c> from a resolved config that has reference.conf as its fallback.</summary>
        /// <exception cref="ConfigException">A key is missing, ill-typed or out of range; the message names it.</exception>
        public static StoreSettings Create(Config config)
        {
            var r = new SettingsReader(config, "akkabroker.store");
            var settings = new StoreSettings
            {
                StorePathRootDir = r.String("store-path-root-dir"),
                StorePathCommitLog = r.String("store-path-commit-log"),
                MappedFileSizeCommitLog = r.ByteSize("mapped-file-size-commit-log", 4096, long.MaxValue),
                MappedFileSizeConsumeQueue = (int)r.ByteSize("mapped-file-size-consume-queue", StoreSettings.ConsumeQueueUnitSize, int.MaxValue),
                FlushDiskType = r.Enum<FlushDiskType>("flush-disk-type"),
                FlushIntervalCommitLog = r.Duration("flush-interval-commit-log"),
                FlushCommitLogTimed = r.Bool("flush-commit-log-timed"),
                FlushCommitLogLeastPages = r.Int("flush-commit-log-least-pages", 0, int.MaxValue),
                FlushCommitLogThoroughInterval = r.Duration("flush-commit-log-thorough-interval"),
                SyncFlushTimeout = r.Duration("sync-flush-timeout"),
                TransientStorePoolEnable = r.Bool("transient-store-pool-enable"),
                TransientStorePoolSize = r.Int("transient-store-pool-size", 1, 1024),
                CommitIntervalCommitLog = r.Duration("commit-interval-commit-log"),
                CommitCommitLogLeastPages = r.Int("commit-commit-log-least-pages", 0, int.MaxValue),
                CommitCommitLogThoroughInterval = r.Duration("commit-commit-log-thorough-interval"),
                FlushIntervalConsumeQueue = r.Duration("flush-interval-consume-queue"),
                FlushConsumeQueueLeastPages = r.Int("flush-consume-queue-least-pages", 0, int.MaxValue),
                FlushConsumeQueueThoroughInterval = r.Duration("flush-consume-queue-thorough-interval"),
                MaxMessageSize = (int)r.ByteSize("max-message-size", 1, int.MaxValue),
                AccessMessageInMemoryMaxRatio = r.Int("access-message-in-memory-max-ratio", 1, 100),
                MaxTransferBytesOnMessageInMemory = (int)r.ByteSize("max-transfer-bytes-on-message-in-memory", 1, int.MaxValue),
                MaxTransferCountOnMessageInMemory = r.Int("max-transfer-count-on-message-in-memory", 1, int.MaxValue),
                MaxTransferBytesOnMessageInDisk = (int)r.ByteSize("max-transfer-bytes-on-message-in-disk", 1, int.MaxValue),
                MaxTransferCountOnMessageInDisk = r.Int("max-transfer-count-on-message-in-disk", 1, int.MaxValue),
                FileReservedTime = r.Duration("file-reserved-time"),
                DeleteWhen = ReadHours(r, "delete-when"),
                DiskMaxUsedSpaceRatio = r.Int("disk-max-used-space-ratio", 1, 100),
                DiskWriteRefuseRatio = r.Int("disk-write-refuse-ratio", 1, 100),
                CleanResourceInterval = r.Duration("clean-resource-interval"),
                MessageIndexEnable = r.Bool("message-index-enable"),
                MaxHashSlotNum = r.Int("max-hash-slot-num", 1, int.MaxValue),
                MaxIndexNum = r.Int("max-index-num", 1, int.MaxValue),
                DefaultQueryMaxNum = r.Int("default-query-max-num", 1, int.MaxValue),
                WarmMappedFileEnable = r.Bool("warm-mapped-file-enable"),
                CommitLogPrefault = r.Enum<CommitLogPrefault>("commit-log-prefault"),
                CommitLogPrefaultAhead = r.ByteSize("commit-log-prefault-ahead", 0, long.MaxValue),
                CommitLogCacheTrim = r.Enum<CommitLogCacheTrim>("commit-log-cache-trim"),
                CommitLogCacheWindow = r.ByteSize("commit-log-cache-window", 0, long.MaxValue),
                CommitLogReuseSegments = r.Int("commit-log-reuse-segments", 0, int.MaxValue),
                CheckCrcOnRecover = r.Bool("check-crc-on-recover"),
                MessageDelayLevels = ReadDelayLevels(r, "message-delay-level"),
                HaSendHeartbeatInterval = r.Duration("ha-send-heartbeat-interval"),
                HaHousekeepingInterval = r.Duration("ha-housekeeping-interval"),
                HaTransferBatchSize = (int)r.ByteSize("ha-transfer-batch-size", 1, int.MaxValue),
                HaSlaveFallbehindMax = r.ByteSize("ha-slave-fallbehind-max", 1, long.MaxValue),
                SlaveTimeout = r.Duration("slave-timeout"),
            };
            var problems = settings.Validate();
            if (problems.Count > 0) throw r.BadValue(null, string.Join("; ", problems));
            return settings;
        }
    }

    // RocketMQ writes delete-when as "04" or "04;16".
    private static IReadOnlyList<int> ReadHours(SettingsReader r, string key)
    {
        var hours = new List<int>();
        foreach (var part in r.String(key).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, out var hour) || hour is < 0 or > 23)
                throw r.BadValue(key, $"'{part}' is not an hour 00..23");
            hours.Add(hour);
        }

        if (hours.Count == 0) throw r.BadValue(key, "needs at least one hour");
        return hours;
    }

    // RocketMQ's messageDelayLevel: space-separated "<number><s|m|h|d>".
    private static IReadOnlyList<TimeSpan> ReadDelayLevels(SettingsReader r, string key)
    {
        var levels = new List<TimeSpan>();
        foreach (var part in r.String(key).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var unit = part[^1] switch { 's' => TimeSpan.FromSeconds(1), 'm' => TimeSpan.FromMinutes(1), 'h' => TimeSpan.FromHours(1), 'd' => TimeSpan.FromDays(1), _ => TimeSpan.Zero };
            if (unit == TimeSpan.Zero || !long.TryParse(part.AsSpan(0, part.Length - 1), out var count) || count <= 0)
                throw r.BadValue(key, $"'{part}' is not a delay like 5s, 1m, 2h or 1d");
            levels.Add(unit * count);
        }

        return levels;
    }
}
