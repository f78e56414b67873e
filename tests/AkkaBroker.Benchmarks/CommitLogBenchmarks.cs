using AkkaBroker.Protocol;
using AkkaBroker.Store;
using BenchmarkDotNet.Attributes;

namespace AkkaBroker.Benchmarks;

/// <summary>
/// CommitLog hot paths on real files: appending 256-byte messages in writer-sized batches (rolls included) and
/// reading them back in place from the mapping. Allocations per op should be zero.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class CommitLogBenchmarks
{
    private const int Count = 100_000;
    private const int SegmentSize = 64 * 1024 * 1024;

    private static readonly byte[] Body = new byte[256];
    private static readonly byte[] Topic = "BenchmarkTopic"u8.ToArray();
    private static readonly byte[] Properties = "TAGS\u0001TagA\u0002KEYS\u0001order-1\u0002"u8.ToArray();

    private readonly MessageRecordFields _fields = new(
        QueueId: 1, Flag: 0, QueueOffset: 0, PhysicalOffset: 0, SysFlag: 0, BornTimestamp: 1_700_000_000_000,
        BornHost: HostAndPort.FromIPv4([127, 0, 0, 1], 40000), StoreTimestamp: 1_700_000_000_001,
        StoreHost: HostAndPort.FromIPv4([127, 0, 0, 1], 10911), ReconsumeTimes: 0, PreparedTransactionOffset: 0);

    private string _root = "";
    private CommitLog _log = null!;
    private StoreCheckpoint _checkpoint = null!;
    private long[] _offsets = null!;

    [IterationSetup]
    public void Setup()
    {
        _root = Directory.CreateTempSubdirectory("akkabroker-bench-").FullName;
        _checkpoint = StoreCheckpoint.Open(_root);
        _log = new CommitLog(Settings(_root));
        _log.Recover(abnormal: false, _checkpoint, checkCrc: false);
        _offsets = new long[Count];
        for (var i = 0; i < Count; i++) _offsets[i] = _log.Append(_fields, Body, Topic, Properties).PhysicalOffset;
    }

    [IterationCleanup]
    public void Cleanup()
    {
        _log.Dispose();
        _checkpoint.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    // The CommitLogWriter appends a mailbox's worth of puts between BeginBatch and EndBatch (one write() per batch);
    // 64 stands for 64 producers' sends arriving together.
    [Benchmark(OperationsPerInvoke = Count)]
    public long Append()
    {
        long last = 0;
        for (var i = 0; i < Count; i += 64)
        {
            _log.BeginBatch();
            for (var j = i; j < i + 64 && j < Count; j++) last = _log.Append(_fields, Body, Topic, Properties).PhysicalOffset;
            _log.EndBatch();
        }

        return last;
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public long Read()
    {
        long sum = 0;
        var limit = _log.ReadableOffset;
        foreach (var offset in _offsets)
        {
            _log.TryRead(offset, limit, out var lease);
            sum += lease.Length;
            lease.Dispose();
        }

        return sum;
    }

    private static StoreSettings Settings(string root) => new()
    {
        StorePathRootDir = root, StorePathCommitLog = "", MappedFileSizeCommitLog = SegmentSize, MappedFileSizeConsumeQueue = 6_000_000,
        FlushDiskType = FlushDiskType.AsyncFlush, FlushIntervalCommitLog = TimeSpan.FromMilliseconds(500), FlushCommitLogLeastPages = 4,
        FlushCommitLogThoroughInterval = TimeSpan.FromSeconds(10), SyncFlushTimeout = TimeSpan.FromSeconds(5),
        TransientStorePoolEnable = false, TransientStorePoolSize = 5, CommitIntervalCommitLog = TimeSpan.FromMilliseconds(200),
        CommitCommitLogLeastPages = 4, CommitCommitLogThoroughInterval = TimeSpan.FromMilliseconds(200),
        FlushIntervalConsumeQueue = TimeSpan.FromSeconds(1), FlushConsumeQueueLeastPages = 2, FlushConsumeQueueThoroughInterval = TimeSpan.FromSeconds(60),
        MaxMessageSize = 4 * 1024 * 1024, AccessMessageInMemoryMaxRatio = 40, MaxTransferBytesOnMessageInMemory = 256 * 1024,
        MaxTransferCountOnMessageInMemory = 32, MaxTransferBytesOnMessageInDisk = 64 * 1024, MaxTransferCountOnMessageInDisk = 8,
        FileReservedTime = TimeSpan.FromHours(72), DeleteWhen = [4], DiskMaxUsedSpaceRatio = 75, DiskWriteRefuseRatio = 90,
        CleanResourceInterval = TimeSpan.FromSeconds(10), MessageIndexEnable = true, MaxHashSlotNum = 5_000_000, MaxIndexNum = 20_000_000,
        DefaultQueryMaxNum = 32, WarmMappedFileEnable = false, CommitLogReuseSegments = 4, CheckCrcOnRecover = true, MessageDelayLevels = [TimeSpan.FromSeconds(1)],
        HaSendHeartbeatInterval = TimeSpan.FromSeconds(5), HaHousekeepingInterval = TimeSpan.FromSeconds(20), HaTransferBatchSize = 32 * 1024,
        HaSlaveFallbehindMax = 256L * 1024 * 1024, SlaveTimeout = TimeSpan.FromSeconds(3),
    };
}
