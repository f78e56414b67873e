using System.Buffers.Binary;
using AkkaBroker.Protocol;
using static AkkaBroker.Store.Tests.CommitLogTests.CommitLogFixture;

namespace AkkaBroker.Store.Tests.CommitLogTests;

public sealed class CommitLogAppendReadTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Sync_flush_batches_become_readable_and_flushable_only_when_written_and_then_read_back_whole()
    {
        var settings = Settings(_dir.Path) with { FlushDiskType = FlushDiskType.SyncFlush };
        var written = new List<(long Offset, int Size, long QueueOffset, int BodyLength)>();
        var random = new Random(7);
        using (var log = new CommitLog(settings))
        {
            using (var checkpoint = StoreCheckpoint.Open(_dir.Path)) log.Recover(false, checkpoint, checkCrc: true);
            for (var batch = 0; batch < 30; batch++)
            {
                var before = log.ReadableOffset;
                log.BeginBatch();
                for (var i = 0; i < 20; i++)
                {
                    var queueOffset = (long)written.Count;
                    var length = random.Next(0, 3000);
                    var result = log.Append(Fields(queueOffset), Body(queueOffset, length), Topic, Props);
                    Assert.Equal(PutMessageStatus.PutOk, result.Status);
                    written.Add((result.PhysicalOffset, result.Size, queueOffset, length));
                }

                // The last record is still only in the batch buffer: neither readable nor covered by a flush.
                var last = written[^1];
                Assert.True(log.ReadableOffset < last.Offset + last.Size);
                Assert.True(log.Flush(0) <= log.ReadableOffset);
                Assert.True(log.ReadableOffset >= before);
                log.EndBatch();
                Assert.Equal(last.Offset + last.Size, log.ReadableOffset);
                Assert.Equal(log.ReadableOffset, log.Flush(0));
            }

            Assert.True(log.Segments.Count >= 10, "batches crossed segment ends");
        }

        // Reopened: every record is there, at its offset, intact.
        using var reopened = new CommitLog(settings);
        using (var checkpoint = StoreCheckpoint.Open(_dir.Path)) reopened.Recover(true, checkpoint, checkCrc: true);
        Assert.Equal(written[^1].Offset + written[^1].Size, reopened.ReadableOffset);
        foreach (var (offset, size, queueOffset, bodyLength) in written)
        {
            Assert.Equal(CommitLogReadStatus.Ok, reopened.TryRead(offset, reopened.ReadableOffset, out var lease));
            using (lease)
            {
                Assert.Equal(size, lease.Length);
                Assert.Equal(queueOffset, lease.View.QueueOffset);
                Assert.True(lease.View.Body.SequenceEqual(Body(queueOffset, bodyLength)));
                Assert.Equal(RecordReadStatus.Ok, MessageRecord.TryRead(lease.Bytes, checkCrc: true, out _));
            }
        }
    }

    [Fact]
    public void Records_of_random_sizes_roll_over_many_segments_and_read_back_at_their_offsets()
    {
        using var log = OpenRecovered(_dir.Path);
        var written = AppendMany(log, 600, seed: 1);

        Assert.True(log.Segments.Count >= 10);
        // Contiguous offsets, except for the end-marker gap at each segment's tail.
        for (var i = 1; i < written.Count; i++)
        {
            var expected = written[i - 1].Offset + written[i - 1].Size;
            if (written[i].Offset != expected)
            {
                Assert.Equal(log.NextSegmentStart(expected), written[i].Offset);
                Assert.True(SegmentSize - (expected % SegmentSize) < written[i].Size + MessageRecord.EndOfFileMarkerSize);
            }
        }

        foreach (var (offset, size, queueOffset, bodyLength) in written)
        {
            Assert.Equal(CommitLogReadStatus.Ok, log.TryRead(offset, log.ReadableOffset, out var lease));
            using (lease)
            {
                Assert.Equal(size, lease.Length);
                Assert.Equal(offset + size, lease.NextOffset);
                var view = lease.View;
                Assert.Equal(offset, view.PhysicalOffset);
                Assert.Equal(queueOffset, view.QueueOffset);
                Assert.Equal(1_700_000_000_000 + queueOffset, view.StoreTimestamp);
                Assert.True(view.Body.SequenceEqual(Body(queueOffset, bodyLength)));
                Assert.True(view.Topic.SequenceEqual(Topic));
                Assert.True(view.Properties.SequenceEqual(Props));
                Assert.Equal(RecordReadStatus.Ok, MessageRecord.TryRead(lease.Bytes, checkCrc: true, out _));
            }
        }

        // Every full segment ends with an end marker covering exactly its unused tail.
        foreach (var segment in log.Segments.Take(log.Segments.Count - 1))
        {
            Assert.True(segment.IsFull);
            var last = written.Last(w => w.Offset < segment.FileFromOffset + SegmentSize);
            var tail = (int)(last.Offset + last.Size - segment.FileFromOffset);
            Assert.True(segment.TryHold());
            var marker = segment.Read(tail, 8);
            Assert.Equal(SegmentSize - tail, BinaryPrimitives.ReadInt32BigEndian(marker));
            Assert.Equal(MessageRecord.BlankMagicCode, BinaryPrimitives.ReadInt32BigEndian(marker[4..]));
            segment.Release();
        }
    }

    [Fact]
    public void A_sequential_reader_follows_end_markers_to_the_next_segment()
    {
        using var log = OpenRecovered(_dir.Path);
        var written = AppendMany(log, 300, seed: 2);

        var offset = 0L;
        var seen = 0;
        var markers = 0;
        while (true)
        {
            var status = log.TryRead(offset, log.ReadableOffset, out var lease);
            if (status == CommitLogReadStatus.NotYetWritten) break;
            if (status == CommitLogReadStatus.EndOfFile)
            {
                markers++;
                Assert.Equal(log.NextSegmentStart(offset), lease.NextOffset);
            }
            else
            {
                Assert.Equal(CommitLogReadStatus.Ok, status);
                Assert.Equal(written[seen].Offset, offset);
                seen++;
            }

            offset = lease.NextOffset;
            lease.Dispose();
        }

        Assert.Equal(written.Count, seen);
        Assert.Equal(log.Segments.Count - 1, markers);
        Assert.Equal(log.MaxOffset, offset);
    }

    [Fact]
    public void Reads_stop_at_the_read_limit_and_below_the_oldest_segment()
    {
        using var log = OpenRecovered(_dir.Path);
        var written = AppendMany(log, 3, seed: 3);

        Assert.Equal(CommitLogReadStatus.NotYetWritten, log.TryRead(written[1].Offset, written[1].Offset, out _));
        Assert.Equal(CommitLogReadStatus.NotYetWritten, log.TryRead(written[1].Offset, written[1].Offset + 20, out _));
        Assert.Equal(CommitLogReadStatus.NotYetWritten, log.TryRead(log.MaxOffset, long.MaxValue, out _));
        Assert.Equal(CommitLogReadStatus.Corrupt, log.TryRead(written[1].Offset + 1, long.MaxValue, out _));
    }

    [Fact]
    public void Oversize_records_and_overlong_topics_or_properties_are_refused_without_writing()
    {
        using var log = OpenRecovered(_dir.Path);
        var tooBig = log.Append(Fields(0), new byte[16 * 1024], Topic, Props);
        Assert.Equal(PutMessageStatus.MessageIllegal, tooBig.Status);
        Assert.Equal(PutMessageStatus.MessageIllegal, log.Append(Fields(0), [1], new byte[128], Props).Status);
        Assert.Equal(PutMessageStatus.MessageIllegal, log.Append(Fields(0), [1], [], Props).Status);
        Assert.Equal(PutMessageStatus.PropertiesSizeExceeded, log.Append(Fields(0), [1], Topic, new byte[40000]).Status);
        Assert.Equal(0, log.MaxOffset);

        var ok = log.Append(Fields(7), new byte[100], Topic, Props);
        Assert.Equal(PutMessageStatus.PutOk, ok.Status);
        Assert.Equal((0L, 7L), (ok.PhysicalOffset, ok.QueueOffset));
        Assert.Equal(MessageRecord.CalculateSize(false, false, 100, Topic.Length, Props.Length), ok.Size);
    }

    [Fact]
    public void Raw_appends_copy_a_master_log_verbatim_and_only_at_the_current_end()
    {
        using var master = OpenRecovered(_dir.Sub("master"));
        AppendMany(master, 200, seed: 4);
        using var slave = OpenRecovered(_dir.Sub("slave"));

        Assert.False(slave.AppendRaw(100, [1, 2, 3]));
        var offset = 0L;
        while (offset < master.MaxOffset)
        {
            // Odd-sized chunks end mid-record; the slave must not expose a half record.
            Assert.Equal(CommitLogReadStatus.Ok, master.TryReadBytes(offset, 3001, master.ReadableOffset, out var chunk));
            using (chunk)
            {
                Assert.False(slave.AppendRaw(offset + 1, chunk.Bytes));
                Assert.True(slave.AppendRaw(offset, chunk.Bytes));
                offset = chunk.NextOffset;
            }
        }

        Assert.Equal(master.MaxOffset, slave.MaxOffset);
        Assert.Equal(master.LastStoreTimestamp, slave.LastStoreTimestamp);
        Assert.Equal(master.Segments.Count, slave.Segments.Count);
        for (var i = 0; i < master.Segments.Count; i++)
        {
            Assert.True(master.Segments[i].TryHold() && slave.Segments[i].TryHold());
            Assert.True(master.Segments[i].Read(0, SegmentSize).SequenceEqual(slave.Segments[i].Read(0, SegmentSize)));
            master.Segments[i].Release();
            slave.Segments[i].Release();
        }

        Assert.Equal(CommitLogReadStatus.Ok, slave.TryRead(0, slave.ReadableOffset, out var first));
        first.Dispose();
    }

    [Fact]
    public void An_empty_slave_starts_at_whatever_segment_start_the_master_sends_first()
    {
        using var master = OpenRecovered(_dir.Sub("master"));
        var written = AppendMany(master, 200, seed: 8);
        using var slave = OpenRecovered(_dir.Sub("slave"));

        Assert.False(slave.AppendRaw(SegmentSize + 1, [1]));
        Assert.Equal(CommitLogReadStatus.Ok, master.TryReadBytes(2L * SegmentSize, SegmentSize, long.MaxValue, out var segment));
        using (segment) Assert.True(slave.AppendRaw(2L * SegmentSize, segment.Bytes));

        Assert.Equal(2L * SegmentSize, slave.MinOffset);
        Assert.Equal(3L * SegmentSize, slave.MaxOffset);
        var last = written.Last(w => w.Offset < 3L * SegmentSize);
        Assert.Equal(1_700_000_000_000 + last.QueueOffset, slave.LastStoreTimestamp);
        Assert.Equal(CommitLogReadStatus.Ok, slave.TryRead(last.Offset, slave.ReadableOffset, out var lease));
        lease.Dispose();
    }

    [Fact]
    public void A_record_straddling_the_published_end_of_a_raw_append_is_not_yet_readable()
    {
        using var master = OpenRecovered(_dir.Sub("master"));
        var written = AppendMany(master, 2, seed: 5);
        using var slave = OpenRecovered(_dir.Sub("slave"));

        Assert.Equal(CommitLogReadStatus.Ok, master.TryReadBytes(0, written[0].Size + 10, long.MaxValue, out var chunk));
        using (chunk) Assert.True(slave.AppendRaw(0, chunk.Bytes));

        Assert.Equal(CommitLogReadStatus.NotYetWritten, slave.TryRead(written[1].Offset, slave.ReadableOffset, out _));
        Assert.Equal(CommitLogReadStatus.Ok, slave.TryRead(0, slave.ReadableOffset, out var whole));
        whole.Dispose();
    }

    [Fact]
    public void Flush_moves_the_flushed_offset_up_to_what_was_written()
    {
        using var log = OpenRecovered(_dir.Path);
        log.Append(Fields(0), new byte[100], Topic, Props);
        Assert.Equal(0, log.Flush(leastPages: 4));
        Assert.Equal(0, log.FlushedOffset);
        Assert.Equal(log.MaxOffset, log.Flush(0));

        AppendMany(log, 100, seed: 6);
        Assert.Equal(log.MaxOffset, log.Flush(0));
        Assert.Equal(log.MaxOffset, log.FlushedOffset);
    }

    [Fact]
    public void Appending_before_recovery_is_a_programming_error()
    {
        using var log = new CommitLog(Settings(_dir.Path));
        Assert.Throws<InvalidOperationException>(() => log.Append(Fields(0), [], Topic, Props));
    }

    [Fact]
    public void Expired_segment_deletion_removes_the_oldest_first_and_never_the_newest()
    {
        using var log = OpenRecovered(_dir.Path);
        AppendMany(log, 200, seed: 7);
        var count = log.Segments.Count;
        var now = DateTime.UtcNow;

        Assert.Equal(0, log.DeleteExpiredSegments(TimeSpan.FromHours(1), now, force: false, maxDeletes: 10));
        Assert.Equal(2, log.DeleteExpiredSegments(TimeSpan.FromHours(1), now.AddHours(2), force: false, maxDeletes: 2));
        Assert.Equal(2L * SegmentSize, log.MinOffset);
        Assert.Equal(CommitLogReadStatus.Removed, log.TryRead(0, log.ReadableOffset, out _));

        Assert.Equal(count - 3, log.DeleteExpiredSegments(TimeSpan.Zero, now, force: true, maxDeletes: 100));
        Assert.Single(log.Segments);
        Assert.Equal(0, log.DeleteExpiredSegments(TimeSpan.Zero, now.AddDays(10), force: true, maxDeletes: 100));
        Assert.Single(log.Segments);
    }

    [Fact]
    public void Steady_state_appends_and_reads_do_not_allocate()
    {
        using var log = OpenRecovered(_dir.Path);
        var body = new byte[200];
        var fields = Fields(0);
        var first = log.Append(fields, body, Topic, Props); // JIT and the first segment out of the way
        Assert.Equal(CommitLogReadStatus.Ok, log.TryRead(first.PhysicalOffset, log.ReadableOffset, out var warm));
        warm.Dispose();

        var before = GC.GetAllocatedBytesForCurrentThread();
        long offset = 0;
        for (var i = 0; i < 50; i++) offset = log.Append(fields, body, Topic, Props).PhysicalOffset;
        for (var i = 0; i < 50; i++)
        {
            log.TryRead(offset, log.ReadableOffset, out var lease);
            lease.Dispose();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void New_segments_reserve_their_disk_blocks_so_a_full_disk_fails_creation_not_a_write()
    {
        if (!File.Exists("/usr/bin/stat")) return;
        using var log = OpenRecovered(_dir.Path);
        log.Append(Fields(0), [1], Topic, Props);
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/usr/bin/stat", ["-c", "%b %B", log.Segments[0].Path]) { RedirectStandardOutput = true })!;
        var parts = stat.StandardOutput.ReadToEnd().Split(' ');
        stat.WaitForExit();
        Assert.True(long.Parse(parts[0]) * long.Parse(parts[1]) >= SegmentSize);
    }

    [Fact]
    public void Disk_used_ratio_is_a_fraction()
    {
        using var log = OpenRecovered(_dir.Path);
        log.Append(Fields(0), [], Topic, Props);
        var ratio = log.DiskUsedRatio();
        Assert.InRange(ratio, 0.0, 1.0);
    }

    [Fact]
    public void Disk_used_ratio_works_before_the_first_segment_exists()
    {
        // A fresh broker has no commitlog/ folder until its first message; admin and clean-up ask anyway.
        using var log = OpenRecovered(Path.Combine(_dir.Path, "not-yet"));
        Assert.InRange(log.DiskUsedRatio(), 0.0, 1.0);
    }
}
