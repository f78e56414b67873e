using AkkaBroker.Protocol;
using static AkkaBroker.Store.Tests.CommitLogTests.CommitLogFixture;

namespace AkkaBroker.Store.Tests.CommitLogTests;

public sealed class CommitLogRecoveryTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string SegmentPath(long offset) => Path.Combine(_dir.Sub("commitlog"), offset.ToString("D20"));

    private List<(long Offset, int Size, long QueueOffset, int BodyLength)> WriteAndClose(int count, int seed)
    {
        using var log = OpenRecovered(_dir.Path);
        var written = AppendMany(log, count, seed);
        log.Flush(0);
        return written;
    }

    private CommitLogRecoveryResult Reopen(bool abnormal, bool checkCrc, out CommitLog log)
    {
        log = new CommitLog(Settings(_dir.Path));
        using var checkpoint = StoreCheckpoint.Open(_dir.Path);
        return log.Recover(abnormal, checkpoint, checkCrc);
    }

    private void Overwrite(long offset, ReadOnlySpan<byte> bytes)
    {
        using var file = new FileStream(SegmentPath(offset - (offset % SegmentSize)), FileMode.Open, FileAccess.Write);
        file.Position = offset % SegmentSize;
        file.Write(bytes);
    }

    private static void AssertAllReadable(CommitLog log, IEnumerable<(long Offset, int Size, long QueueOffset, int BodyLength)> records)
    {
        foreach (var (offset, size, queueOffset, _) in records)
        {
            Assert.Equal(CommitLogReadStatus.Ok, log.TryRead(offset, log.ReadableOffset, out var lease));
            using (lease)
            {
                Assert.Equal(size, lease.Length);
                Assert.Equal(queueOffset, lease.View.QueueOffset);
            }
        }
    }

    [Fact]
    public void Reopening_after_a_clean_close_restores_the_same_end_and_scans_the_last_three_segments()
    {
        var written = WriteAndClose(400, seed: 10);
        var end = written[^1].Offset + written[^1].Size;

        var result = Reopen(abnormal: false, checkCrc: true, out var log);
        using (log)
        {
            Assert.Equal(end, result.MaxOffset);
            Assert.Equal(end, log.MaxOffset);
            Assert.Equal(end, log.ReadableOffset);
            Assert.Null(result.Problem);
            Assert.Equal(0, result.DiscardedBytes);
            Assert.Equal(log.Segments[^3].FileFromOffset, result.DispatchFromOffset);
            AssertAllReadable(log, written);

            Assert.Equal(1_700_000_000_399, log.LastStoreTimestamp);
            var next = log.Append(Fields(400), new byte[10], Topic, Props);
            Assert.True(next.PhysicalOffset >= end);
        }
    }

    [Fact]
    public void A_torn_last_record_is_cut_exactly_at_the_last_whole_record()
    {
        var written = WriteAndClose(150, seed: 11);
        var last = written[^1];
        Overwrite(last.Offset + (last.Size / 2), new byte[SegmentSize - (int)(last.Offset % SegmentSize) - (last.Size / 2)]);

        var result = Reopen(abnormal: true, checkCrc: true, out var log);
        using (log)
        {
            Assert.Equal(last.Offset, result.MaxOffset);
            Assert.Equal(last.Offset, log.MaxOffset);
            Assert.NotEqual(RecordReadStatus.NoRecord, result.StopStatus);
            Assert.True(result.DiscardedBytes > 0);
            Assert.Contains(last.Offset.ToString(), result.Problem);
            AssertAllReadable(log, written.Take(written.Count - 1));
            Assert.Equal(CommitLogReadStatus.NotYetWritten, log.TryRead(last.Offset, long.MaxValue, out _));
        }
    }

    [Fact]
    public void A_record_whose_header_was_never_written_ends_the_log_cleanly()
    {
        var written = WriteAndClose(150, seed: 12);
        var last = written[^1];
        Overwrite(last.Offset, new byte[last.Size]);

        var result = Reopen(abnormal: false, checkCrc: true, out var log);
        using (log)
        {
            Assert.Equal(last.Offset, result.MaxOffset);
            Assert.Equal(RecordReadStatus.NoRecord, result.StopStatus);
            Assert.Null(result.Problem);
        }
    }

    [Fact]
    public void A_flipped_body_byte_in_the_middle_is_caught_by_the_crc_and_the_log_is_cut_there()
    {
        var written = WriteAndClose(400, seed: 13);
        var victim = written.First(w => w.Offset > 3 * SegmentSize && w.BodyLength > 10);
        var bodyAt = victim.Offset + MessageRecord.BodyLengthOffset(0) + 4 + 5;
        Overwrite(bodyAt, [(byte)(Body(victim.QueueOffset, victim.BodyLength)[5] ^ 0xFF)]);

        var result = Reopen(abnormal: true, checkCrc: true, out var log);
        using (log)
        {
            Assert.Equal(0, result.DispatchFromOffset); // zero checkpoint: scan everything
            Assert.Equal(victim.Offset, result.MaxOffset);
            Assert.Equal(RecordReadStatus.Corrupt, result.StopStatus);
            Assert.Contains("corrupt", result.Problem);
            Assert.True(result.DiscardedBytes > SegmentSize); // the later segments went with it
            Assert.Equal(victim.Offset / SegmentSize + 1, log.Segments.Count);
            Assert.False(File.Exists(SegmentPath(log.NextSegmentStart(victim.Offset))));
            AssertAllReadable(log, written.Where(w => w.Offset < victim.Offset));
        }
    }

    [Fact]
    public void Without_the_crc_check_a_flipped_body_byte_goes_unnoticed()
    {
        var written = WriteAndClose(100, seed: 14);
        var victim = written.First(w => w.BodyLength > 10);
        Overwrite(victim.Offset + MessageRecord.BodyLengthOffset(0) + 4 + 1, [0xAB]);

        var result = Reopen(abnormal: true, checkCrc: false, out var log);
        using (log) Assert.Equal(written[^1].Offset + written[^1].Size, result.MaxOffset);
    }

    [Fact]
    public void A_record_whose_physical_offset_is_not_its_position_cuts_the_log()
    {
        var written = WriteAndClose(100, seed: 15);
        var victim = written[40];
        var wrong = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(wrong, victim.Offset + 8);
        Overwrite(victim.Offset + MessageRecord.PhysicalOffsetOffset, wrong);

        var result = Reopen(abnormal: true, checkCrc: true, out var log);
        using (log)
        {
            Assert.Equal(victim.Offset, result.MaxOffset);
            Assert.Contains("PHYSICALOFFSET", result.Problem);
        }
    }

    [Fact]
    public void Abnormal_recovery_starts_at_the_newest_segment_stored_before_the_checkpoint_minus_three_seconds()
    {
        var written = WriteAndClose(400, seed: 16);
        var fifth = written.First(w => w.Offset == 5L * SegmentSize);
        using (var checkpoint = StoreCheckpoint.Open(_dir.Path))
        {
            checkpoint.PhysicMsgTimestamp = 1_700_000_000_000 + fifth.QueueOffset + 3000;
            checkpoint.LogicsMsgTimestamp = checkpoint.PhysicMsgTimestamp + 100_000;
            checkpoint.Flush();
        }

        var result = Reopen(abnormal: true, checkCrc: true, out var log);
        using (log)
        {
            Assert.Equal(5L * SegmentSize, result.DispatchFromOffset);
            Assert.Equal(written[^1].Offset + written[^1].Size, result.MaxOffset);
        }
    }

    [Fact]
    public void A_corrupt_checkpoint_file_forces_a_full_scan_without_crashing()
    {
        var written = WriteAndClose(300, seed: 17);
        File.WriteAllBytes(Path.Combine(_dir.Path, "checkpoint"), [1, 2, 3, 4, 5]);

        using var checkpoint = StoreCheckpoint.Open(_dir.Path);
        Assert.True(checkpoint.WasReset);
        Assert.Contains("checkpoint", checkpoint.Warning);
        Assert.Equal(0, checkpoint.MinTimestamp(includeIndex: true));
        using var log = new CommitLog(Settings(_dir.Path));
        var result = log.Recover(abnormal: true, checkpoint, checkCrc: true);

        Assert.Equal(0, result.DispatchFromOffset);
        Assert.Equal(300, result.RecordsScanned);
        Assert.Equal(written[^1].Offset + written[^1].Size, result.MaxOffset);
    }

    [Fact]
    public void An_empty_store_recovers_to_zero_and_accepts_appends()
    {
        using var checkpoint = StoreCheckpoint.Open(_dir.Path);
        using var log = new CommitLog(Settings(_dir.Path));
        var result = log.Recover(abnormal: true, checkpoint, checkCrc: true);
        Assert.Equal(0, result.MaxOffset);
        Assert.Equal(PutMessageStatus.PutOk, log.Append(Fields(0), [1], Topic, Props).Status);
    }

    [Fact]
    public void A_log_ending_exactly_at_a_segment_end_reopens_there()
    {
        using (var log = OpenRecovered(_dir.Path))
        {
            // Fill segment 0 and roll: the end marker makes segment 0 full, then one record in segment 1.
            AppendMany(log, 80, seed: 18);
            log.Flush(0);
        }

        // Drop every segment after the first one whose end is filled by a marker.
        var result = Reopen(abnormal: false, checkCrc: true, out var reopened);
        using (reopened)
        {
            var before = reopened.MaxOffset;
            Assert.Equal(result.MaxOffset, before);
        }

        foreach (var path in Directory.GetFiles(_dir.Sub("commitlog")).Order().Skip(1)) File.Delete(path);
        result = Reopen(abnormal: true, checkCrc: true, out reopened);
        using (reopened)
        {
            Assert.Equal(SegmentSize, result.MaxOffset);
            var next = reopened.Append(Fields(1000), [1], Topic, Props);
            Assert.Equal(SegmentSize, next.PhysicalOffset);
        }
    }
}
