using AkkaBroker.Protocol;
using static AkkaBroker.Store.Tests.CommitLogTests.CommitLogFixture;

namespace AkkaBroker.Store.Tests.CommitLogTests;

/// <summary>
/// Expired segments kept in commitlog/reuse/ become later segments with their old records still inside: those must
/// never be read back, survive a restart as records, or move where recovery starts.
/// </summary>
public sealed class CommitLogReuseTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string ReuseDir => Path.Combine(_dir.Sub("commitlog"), "reuse");

    private string[] Segments(string root) =>
        Directory.GetFiles(Path.Combine(root, "commitlog")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    /// <summary>Body length that makes each record exactly 1 KiB, so four records end on a page boundary.</summary>
    private static readonly int KiBRecordBody = 1024 - MessageRecord.CalculateSize(false, false, 0, Topic.Length, Props.Length);

    private static List<(long Offset, long QueueOffset)> AppendKiB(CommitLog log, int count, long firstQueueOffset)
    {
        var written = new List<(long, long)>();
        for (var i = 0; i < count; i++)
        {
            var queueOffset = firstQueueOffset + i;
            var result = log.Append(Fields(queueOffset, 1_700_000_000_000 + queueOffset), Body(queueOffset, KiBRecordBody), Topic, Props);
            Assert.Equal(PutMessageStatus.PutOk, result.Status);
            Assert.Equal(1024, result.Size);
            written.Add((result.PhysicalOffset, queueOffset));
        }

        return written;
    }

    private static void AssertReadable(CommitLog log, IEnumerable<(long Offset, long QueueOffset)> records)
    {
        foreach (var (offset, queueOffset) in records)
        {
            Assert.Equal(CommitLogReadStatus.Ok, log.TryRead(offset, log.ReadableOffset, out var lease));
            using (lease)
            {
                Assert.Equal(queueOffset, lease.View.QueueOffset);
                Assert.True(lease.View.Body.SequenceEqual(Body(queueOffset, KiBRecordBody)));
            }
        }
    }

    /// <summary>
    /// Writes 4 segments of 1 KiB records (63 per segment), waits for the fifth to be pre-allocated (new), then lets the
    /// first 3 expire into the reuse folder.
    /// </summary>
    private static void FillAndExpire(CommitLog log)
    {
        AppendKiB(log, 63 * 4, 0);
        log.Flush(0);
        WaitForFile(Path.Combine(log.Directory, Name(4 * SegmentSize)));
        Assert.Equal(3, log.DeleteExpiredSegments(TimeSpan.Zero, DateTime.UtcNow.AddSeconds(1), force: false, maxDeletes: 10));
    }

    private static void WaitForFile(string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.Exists(path))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{path} never appeared");
            Thread.Sleep(5);
        }
    }

    private static string Name(long offset) => offset.ToString("D20");

    /// <summary>PHYSICALOFFSET of the record at the start of a segment file, read straight from the file.</summary>
    private static long FirstRecordOffset(string path)
    {
        var header = new byte[36];
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete)) file.ReadExactly(header);
        return System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(header.AsSpan(28));
    }

    private static CommitLogRecoveryResult Recover(string root, bool abnormal, out CommitLog log, long checkpointMillis = 0, int reuse = 4)
    {
        log = new CommitLog(Settings(root) with { CommitLogReuseSegments = reuse });
        using var checkpoint = StoreCheckpoint.Open(root);
        if (checkpointMillis > 0)
        {
            checkpoint.PhysicMsgTimestamp = checkpointMillis;
            checkpoint.LogicsMsgTimestamp = checkpointMillis;
        }

        return log.Recover(abnormal, checkpoint, checkCrc: true);
    }

    [Fact]
    public void Expired_segments_wait_in_the_reuse_folder_and_become_the_next_segments_with_their_old_bytes()
    {
        var log = OpenRecovered(_dir.Path);
        FillAndExpire(log);
        Assert.Equal(3 * SegmentSize, log.MinOffset);
        Assert.Equal(3, log.ReusableSegments);
        Assert.Equal([Name(0), Name(SegmentSize), Name(2 * SegmentSize)],
            Directory.GetFiles(ReuseDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // Segment 4 was pre-allocated new before the expiry; 5 and 6 come from the reuse folder, and 7 is pre-allocated from it.
        var second = AppendKiB(log, 63 * 2 + 10, 1000);
        WaitForFile(Path.Combine(_dir.Sub("commitlog"), Name(7 * SegmentSize)));
        Assert.Equal(0, log.ReusableSegments);
        Assert.Equal(2 * SegmentSize, FirstRecordOffset(Path.Combine(_dir.Sub("commitlog"), Name(7 * SegmentSize)))); // the old life shows
        AssertReadable(log, second);
        var end = log.MaxOffset;
        Assert.Equal(6 * SegmentSize + 10 * 1024, end);
        Assert.Equal(CommitLogReadStatus.NotYetWritten, log.TryRead(end, long.MaxValue, out _));
        // Each write covers its last page whole (zeros after the records), so the kernel never reads an old page to
        // merge into: the rest of the tail's page is zero, the next page still old.
        var tailSegment = File.ReadAllBytes(Path.Combine(_dir.Sub("commitlog"), Name(6 * SegmentSize)));
        Assert.False(tailSegment.AsSpan(10 * 1024, 12 * 1024 - 10 * 1024).ContainsAnyExcept((byte)0));
        Assert.True(tailSegment.AsSpan(12 * 1024, 4096).ContainsAnyExcept((byte)0));

        // A clean close hands the unused pre-allocated segment back and leaves the next slot empty.
        log.SealTail();
        log.Flush(0);
        log.Dispose();
        Assert.Equal([Name(7 * SegmentSize)], Directory.GetFiles(ReuseDir).Select(Path.GetFileName));
        var result = Recover(_dir.Path, abnormal: false, out log);
        using (log)
        {
            Assert.Null(result.Problem);
            Assert.Equal(0, result.DiscardedBytes);
            Assert.Equal(end, log.MaxOffset);
            AssertReadable(log, second);
        }
    }

    /// <summary>
    /// 63 records fill segment 4; 8 more end segment 5 (the old segment 0) exactly on a page boundary, where the old
    /// life has a whole record with a valid CRC: #8 of the first run, at position 8192. Closed with or without the seal.
    /// </summary>
    private (long End, List<(long Offset, long QueueOffset)> Records) EndOnAPageBoundaryBeforeAnOldRecord(bool seal)
    {
        using var log = OpenRecovered(_dir.Path);
        FillAndExpire(log);
        var records = AppendKiB(log, 63 + 8, 1000);
        Assert.Equal(5 * SegmentSize + 8192, log.MaxOffset);
        if (seal) log.SealTail();
        log.Flush(0);
        return (log.MaxOffset, records);
    }

    [Fact]
    public void An_old_record_right_at_the_end_of_a_crashed_log_is_cut_by_its_offset_not_taken()
    {
        var (end, second) = EndOnAPageBoundaryBeforeAnOldRecord(seal: false); // as after a crash
        var result = Recover(_dir.Path, abnormal: true, out var recovered);
        using (recovered)
        {
            Assert.Equal(end, recovered.MaxOffset);
            Assert.Contains("PHYSICALOFFSET 8192", result.Problem);
            AssertReadable(recovered, second);
            Assert.Equal(CommitLogReadStatus.NotYetWritten, recovered.TryRead(end, long.MaxValue, out _));
            // New records go where the old one was; a later crash recovers exactly them.
            var third = AppendKiB(recovered, 3, 5000);
            Assert.Equal(end, third[0].Offset);
            recovered.Flush(0);
            second.AddRange(third);
            end = recovered.MaxOffset;
        }

        result = Recover(_dir.Path, abnormal: true, out recovered);
        using (recovered)
        {
            Assert.Equal(end, recovered.MaxOffset);
            AssertReadable(recovered, second);
        }
    }

    [Fact]
    public void A_clean_close_on_a_page_boundary_seals_the_tail_so_the_next_start_cuts_nothing()
    {
        var (end, second) = EndOnAPageBoundaryBeforeAnOldRecord(seal: true);
        var result = Recover(_dir.Path, abnormal: false, out var reopened);
        using (reopened)
        {
            Assert.Null(result.Problem);
            Assert.Equal(0, result.DiscardedBytes);
            Assert.Equal(end, reopened.MaxOffset);
            AssertReadable(reopened, second);
        }
    }

    [Fact]
    public void A_crash_right_after_a_reused_segment_was_preallocated_does_not_move_where_recovery_starts()
    {
        var copy = _dir.Sub("copy");
        long end;
        List<(long Offset, long QueueOffset)> second;
        using (var log = OpenRecovered(_dir.Path))
        {
            FillAndExpire(log);
            second = AppendKiB(log, 63 + 10, 1000);
            end = log.MaxOffset;
            var preallocated = Path.Combine(_dir.Sub("commitlog"), Name(6 * SegmentSize));
            WaitForFile(preallocated);
            log.Flush(0);
            // What a crash at this moment leaves on disk: the log, and segment 6 already named but holding old segment 1.
            Directory.CreateDirectory(Path.Combine(copy, "commitlog"));
            foreach (var file in Directory.GetFiles(_dir.Sub("commitlog")))
                File.Copy(file, Path.Combine(copy, "commitlog", Path.GetFileName(file)));
            Assert.Equal(SegmentSize, FirstRecordOffset(Path.Combine(copy, "commitlog", Name(6 * SegmentSize))));
        }

        // The checkpoint is newer than every record, old or new: recovery starts at the newest segment whose first record is its own.
        var result = Recover(copy, abnormal: true, out var recovered, checkpointMillis: 1_800_000_000_000);
        using (recovered)
        {
            Assert.Equal(5 * SegmentSize, result.DispatchFromOffset);
            Assert.Equal(end, recovered.MaxOffset);
            AssertReadable(recovered, second);
            Assert.DoesNotContain(Name(6 * SegmentSize), Segments(copy));
        }
    }

    [Fact]
    public void A_reader_keeps_a_retired_segment_until_it_lets_go()
    {
        using var log = OpenRecovered(_dir.Path);
        AppendKiB(log, 63 * 4, 0);
        Assert.Equal(CommitLogReadStatus.Ok, log.TryRead(5 * 1024, log.ReadableOffset, out var lease));
        using (lease)
        {
            Assert.Equal(3, log.DeleteExpiredSegments(TimeSpan.Zero, DateTime.UtcNow.AddSeconds(1), force: false, maxDeletes: 10));
            Assert.Contains(Name(0) + ".retiring", Directory.GetFiles(ReuseDir).Select(Path.GetFileName));
            // Rolling now must not take it: the reader still maps those bytes.
            AppendKiB(log, 63 * 2, 1000);
            WaitForFile(Path.Combine(log.Directory, Name(6 * SegmentSize))); // no pre-allocation is left to take it later
            Assert.Equal(5, lease.View.QueueOffset);
            Assert.True(lease.View.Body.SequenceEqual(Body(5, KiBRecordBody)));
        }

        Assert.Contains(Name(0), Directory.GetFiles(ReuseDir).Select(Path.GetFileName));
    }

    [Fact]
    public void The_reuse_folder_holds_at_most_the_configured_count_and_a_full_disk_empties_it()
    {
        var log = new CommitLog(Settings(_dir.Path) with { CommitLogReuseSegments = 2 });
        using (var checkpoint = StoreCheckpoint.Open(_dir.Path)) log.Recover(false, checkpoint, checkCrc: true);
        using (log)
        {
            FillAndExpireTwo(log);
            Assert.Equal(2, log.ReusableSegments);
            AppendKiB(log, 63 * 2, 1000);
            log.DeleteExpiredSegments(TimeSpan.Zero, DateTime.UtcNow.AddSeconds(1), force: true, maxDeletes: 10);
            Assert.Equal(0, log.ReusableSegments);
        }

        static void FillAndExpireTwo(CommitLog log)
        {
            AppendKiB(log, 63 * 4, 0);
            WaitForFile(Path.Combine(log.Directory, Name(4 * SegmentSize))); // pre-allocated new, so it takes none of the kept ones
            Assert.Equal(3, log.DeleteExpiredSegments(TimeSpan.Zero, DateTime.UtcNow.AddSeconds(1), force: false, maxDeletes: 10));
        }
    }

    [Fact]
    public void Turning_reuse_off_deletes_the_kept_segments_at_the_next_start()
    {
        using (var log = OpenRecovered(_dir.Path)) FillAndExpire(log);
        Assert.NotEmpty(Directory.GetFiles(ReuseDir));
        Recover(_dir.Path, abnormal: false, out var reopened, reuse: 0);
        using (reopened) Assert.Empty(Directory.GetFiles(ReuseDir));
    }
}
