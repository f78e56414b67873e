using System.Text;
using AkkaBroker.Protocol;

namespace AkkaBroker.Store.Tests.CommitLogTests;

/// <summary>Settings with 64 KiB segments and record helpers for the CommitLog tests.</summary>
internal static class CommitLogFixture
{
    public const int SegmentSize = 64 * 1024;

    public static StoreSettings Settings(string root, int maxMessageSize = 16 * 1024) => new()
    {
        StorePathRootDir = root,
        StorePathCommitLog = "",
        MappedFileSizeCommitLog = SegmentSize,
        MappedFileSizeConsumeQueue = 20 * 100,
        FlushDiskType = FlushDiskType.AsyncFlush,
        FlushIntervalCommitLog = TimeSpan.FromMilliseconds(500),
        FlushCommitLogLeastPages = 4,
        FlushCommitLogThoroughInterval = TimeSpan.FromSeconds(10),
        SyncFlushTimeout = TimeSpan.FromSeconds(5),
        TransientStorePoolEnable = false,
        TransientStorePoolSize = 2,
        CommitIntervalCommitLog = TimeSpan.FromMilliseconds(200),
        CommitCommitLogLeastPages = 4,
        CommitCommitLogThoroughInterval = TimeSpan.FromMilliseconds(200),
        FlushIntervalConsumeQueue = TimeSpan.FromSeconds(1),
        FlushConsumeQueueLeastPages = 2,
        FlushConsumeQueueThoroughInterval = TimeSpan.FromSeconds(60),
        MaxMessageSize = maxMessageSize,
        AccessMessageInMemoryMaxRatio = 40,
        MaxTransferBytesOnMessageInMemory = 256 * 1024,
        MaxTransferCountOnMessageInMemory = 32,
        MaxTransferBytesOnMessageInDisk = 64 * 1024,
        MaxTransferCountOnMessageInDisk = 8,
        FileReservedTime = TimeSpan.FromHours(72),
        DeleteWhen = [4],
        DiskMaxUsedSpaceRatio = 75,
        DiskWriteRefuseRatio = 90,
        CleanResourceInterval = TimeSpan.FromSeconds(10),
        MessageIndexEnable = true,
        MaxHashSlotNum = 100,
        MaxIndexNum = 400,
        DefaultQueryMaxNum = 32,
        WarmMappedFileEnable = false,
        CommitLogReuseSegments = 4,
        CheckCrcOnRecover = true,
        MessageDelayLevels = [TimeSpan.FromSeconds(1)],
        HaSendHeartbeatInterval = TimeSpan.FromSeconds(5),
        HaHousekeepingInterval = TimeSpan.FromSeconds(20),
        HaTransferBatchSize = 32 * 1024,
        HaSlaveFallbehindMax = 256L * 1024 * 1024,
        SlaveTimeout = TimeSpan.FromSeconds(3),
    };

    public static readonly byte[] Topic = "TopicTest"u8.ToArray();
    public static readonly byte[] Props = Encoding.UTF8.GetBytes("TAGS\u0001TagA\u0002");

    public static MessageRecordFields Fields(long queueOffset, long storeTimestamp = 1_700_000_000_000) => new(
        QueueId: 3, Flag: 0, QueueOffset: queueOffset, PhysicalOffset: -1, SysFlag: 0, BornTimestamp: storeTimestamp - 5,
        BornHost: HostAndPort.FromIPv4([127, 0, 0, 1], 40000), StoreTimestamp: storeTimestamp,
        StoreHost: HostAndPort.FromIPv4([10, 0, 0, 2], 10911), ReconsumeTimes: 0, PreparedTransactionOffset: 0);

    /// <summary>A body whose bytes encode its queue offset, so a read can be checked against what was written.</summary>
    public static byte[] Body(long queueOffset, int length)
    {
        var body = new byte[length];
        for (var i = 0; i < length; i++) body[i] = (byte)(queueOffset * 31 + i);
        return body;
    }

    public static CommitLog OpenRecovered(string root, bool abnormal = false, TransientStorePool? pool = null)
    {
        var log = new CommitLog(Settings(root), pool);
        using var checkpoint = StoreCheckpoint.Open(root);
        log.Recover(abnormal, checkpoint, checkCrc: true);
        return log;
    }

    /// <summary>Appends <paramref name="count"/> records of random sizes; returns (offset, size, queueOffset, bodyLength) of each.</summary>
    public static List<(long Offset, int Size, long QueueOffset, int BodyLength)> AppendMany(CommitLog log, int count, int seed, long firstQueueOffset = 0, int maxBody = 3000)
    {
        var random = new Random(seed);
        var written = new List<(long, int, long, int)>();
        for (var i = 0; i < count; i++)
        {
            var queueOffset = firstQueueOffset + i;
            var length = random.Next(0, maxBody);
            var result = log.Append(Fields(queueOffset, 1_700_000_000_000 + queueOffset), Body(queueOffset, length), Topic, Props);
            Assert.Equal(PutMessageStatus.PutOk, result.Status);
            written.Add((result.PhysicalOffset, result.Size, queueOffset, length));
        }

        return written;
    }

    /// <summary>Reads every record back through the CommitLog and checks its size, body and CRC.</summary>
    public static void AssertReadBack(CommitLog log, IEnumerable<(long Offset, int Size, long QueueOffset, int BodyLength)> written)
    {
        foreach (var (offset, size, queueOffset, bodyLength) in written)
        {
            Assert.Equal(CommitLogReadStatus.Ok, log.TryRead(offset, log.ReadableOffset, out var lease));
            using (lease)
            {
                Assert.Equal(size, lease.Length);
                Assert.True(lease.View.Body.SequenceEqual(Body(queueOffset, bodyLength)));
                Assert.Equal(RecordReadStatus.Ok, MessageRecord.TryRead(lease.Bytes, checkCrc: true, out _));
            }
        }
    }
}
