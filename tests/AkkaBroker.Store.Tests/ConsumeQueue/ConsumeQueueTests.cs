using AkkaBroker.Store.ConsumeQueues;

namespace AkkaBroker.Store.Tests.ConsumeQueue;

public sealed class ConsumeQueueTests : IDisposable
{
    private const int Units = 64;
    private const int FileSize = Units * 20;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private ConsumeQueues.ConsumeQueue Open(bool recover = true)
    {
        var q = new ConsumeQueues.ConsumeQueue(_dir.Path, "TopicA", 3, FileSize);
        q.Load();
        if (recover) q.Recover();
        return q;
    }

    private string QueueDir => Path.Combine(_dir.Path, "consumequeue", "TopicA", "3");

    private static void PutRange(ConsumeQueues.ConsumeQueue q, long from, long to)
    {
        for (var i = from; i < to; i++) Assert.Equal(ConsumeQueuePutResult.Appended, q.PutUnit(i, i * 100, 100, i % 7));
    }

    [Fact]
    public void A_unit_is_20_big_endian_bytes_offset_size_tag_code()
    {
        using (var q = Open())
        {
            q.PutUnit(0, 0x0102030405060708, 0x0A0B0C0D, -2);
            q.Flush(0);
        }

        var bytes = File.ReadAllBytes(Path.Combine(QueueDir, "00000000000000000000"));
        Assert.Equal(FileSize, bytes.Length);
        Assert.Equal("01020304050607080A0B0C0DFFFFFFFFFFFFFFFE", Convert.ToHexString(bytes, 0, 20));
        Assert.True(bytes.AsSpan(20).IndexOfAnyExcept((byte)0) < 0);
    }

    [Fact]
    public void The_tag_code_is_Java_String_hashCode_and_0_without_tag()
    {
        Assert.Equal(2598919L, TagsCode.Of("TagA"u8)); // 'T'*31^3 + 'a'*31^2 + 'g'*31 + 'A'
        Assert.Equal(2598919L, TagsCode.Of("TagA"));
        Assert.Equal(0L, TagsCode.Of(ReadOnlySpan<byte>.Empty));
        Assert.Equal((long)"标签".Aggregate(0, (h, c) => unchecked((31 * h) + c)), TagsCode.Of("标签"u8));
    }

    [Fact]
    public void Units_are_read_back_across_file_rolls()
    {
        using var q = Open();
        PutRange(q, 0, Units * 2 + 10);

        Assert.Equal(3, q.FileCount);
        Assert.Equal(["00000000000000000000", "00000000000000001280", "00000000000000002560"],
            Directory.GetFiles(QueueDir).Select(Path.GetFileName).Order());
        Assert.Equal(0, q.MinOffset);
        Assert.Equal(Units * 2 + 10, q.MaxOffset);
        Assert.Equal((Units * 2 + 10) * 100L, q.MaxPhysicalOffset);
        Assert.True(q.TryGetUnit(Units, out var unit));
        Assert.Equal(new ConsumeQueueUnit(Units * 100, 100, Units % 7), unit);
        Assert.False(q.TryGetUnit(q.MaxOffset, out _));

        var batch = new ConsumeQueueUnit[100];
        Assert.Equal(100, q.ReadUnits(Units - 50, batch));
        for (var i = 0; i < 100; i++) Assert.Equal((Units - 50 + i) * 100L, batch[i].PhysicalOffset);
        Assert.Equal(10, q.ReadUnits(Units * 2, batch));
        Assert.Equal(0, q.ReadUnits(q.MaxOffset, batch));
    }

    [Fact]
    public void A_gap_is_padded_with_blank_units()
    {
        using var q = Open();
        PutRange(q, 0, 2);
        Assert.Equal(ConsumeQueuePutResult.AppendedAfterPadding, q.PutUnit(Units + 3, 500, 10, 0));

        Assert.Equal(Units + 4, q.MaxOffset);
        for (var i = 2; i < Units + 3; i++)
        {
            Assert.True(q.TryGetUnit(i, out var blank));
            Assert.True(blank.IsBlank);
        }

        var bytes = File.ReadAllBytes(Path.Combine(QueueDir, "00000000000000000000"));
        Assert.Equal("0000000000000000" + "7FFFFFFF" + "0000000000000000", Convert.ToHexString(bytes, 40, 20));
    }

    [Fact]
    public void An_empty_queue_starting_past_0_pads_its_first_file_head_and_starts_there()
    {
        using (var q = Open())
        {
            Assert.Equal(ConsumeQueuePutResult.AppendedAfterPadding, q.PutUnit(Units + 6, 700, 70, 1));
            Assert.Equal(Units + 6, q.MinOffset);
            Assert.Equal(Units + 7, q.MaxOffset);
            Assert.False(q.TryGetUnit(Units + 5, out _));
            Assert.Equal(["00000000000000001280"], Directory.GetFiles(QueueDir).Select(Path.GetFileName));
            q.Flush(0);
        }

        using var reopened = Open();
        Assert.Equal(Units + 6, reopened.MinOffset);
        Assert.Equal(Units + 7, reopened.MaxOffset);
        Assert.Equal(770, reopened.MaxPhysicalOffset);
    }

    [Fact]
    public void Putting_an_existing_unit_again_skips_it_when_equal_and_overwrites_it_when_different()
    {
        using var q = Open();
        PutRange(q, 0, 10);
        q.Flush(0);

        Assert.Equal(ConsumeQueuePutResult.AlreadyPresent, q.PutUnit(4, 400, 100, 4));
        Assert.Equal(ConsumeQueuePutResult.Overwritten, q.PutUnit(5, 555, 100, 9));
        Assert.Equal(10, q.MaxOffset);
        Assert.True(q.TryGetUnit(5, out var unit));
        Assert.Equal(new ConsumeQueueUnit(555, 100, 9), unit);
        q.Dispose();

        using var reopened = Open();
        Assert.True(reopened.TryGetUnit(5, out unit));
        Assert.Equal(new ConsumeQueueUnit(555, 100, 9), unit);
    }

    [Fact]
    public void Offset_by_time_finds_the_first_unit_stored_at_or_after_the_time()
    {
        using var q = Open();
        PutRange(q, 0, 50);
        q.PutUnit(60, 6000, 100, 0); // 50..59 blank
        PutRange(q, 61, 150);
        long TimeOf(long phys, int size) => 1000 + (phys / 100 * 10); // unit i stored at 1000 + 10 i

        Assert.Equal(6, q.GetOffsetByTime(1055, TimeOf));
        Assert.Equal(6, q.GetOffsetByTime(1060, TimeOf));
        Assert.Equal(60, q.GetOffsetByTime(1495, TimeOf));
        Assert.Equal(60, q.GetOffsetByTime(1600, TimeOf));
        Assert.Equal(120, q.GetOffsetByTime(2200, TimeOf));
        Assert.Equal(0, q.GetOffsetByTime(0, TimeOf));
        Assert.Equal(150, q.GetOffsetByTime(99_999, TimeOf));
        // records whose CommitLog data is gone count as older than any time
        Assert.Equal(30, q.GetOffsetByTime(0, (phys, size) => phys < 3000 ? -1 : TimeOf(phys, size)));
    }

    [Fact]
    public void Recover_after_reopen_finds_the_last_unit_and_drops_a_torn_one()
    {
        using (var q = Open())
        {
            PutRange(q, 0, Units * 4 + 5);
            q.Flush(0);
        }

        // a torn unit after the end, as a crash mid-write leaves it
        var last = Path.Combine(QueueDir, "00000000000000005120");
        using (var stream = new FileStream(last, FileMode.Open))
        {
            stream.Position = 5 * 20 + 8;
            stream.Write([0xFF, 0xFF, 0xFF, 0xFF]); // size -1
        }

        using var reopened = Open();
        Assert.Equal(0, reopened.MinOffset);
        Assert.Equal(Units * 4 + 5, reopened.MaxOffset);
        Assert.Equal((Units * 4 + 5) * 100L, reopened.MaxPhysicalOffset);
        Assert.True(File.ReadAllBytes(last).AsSpan(5 * 20).IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(ConsumeQueuePutResult.Appended, reopened.PutUnit(Units * 4 + 5, 1, 1, 1));
        Assert.True(reopened.TryGetUnit(Units * 2, out var unit));
        Assert.Equal(Units * 200L, unit.PhysicalOffset);
    }

    [Fact]
    public void Recover_of_a_full_last_file_continues_in_a_new_file()
    {
        using (var q = Open()) PutRange(q, 0, Units);

        using var reopened = Open();
        Assert.Equal(Units, reopened.MaxOffset);
        PutRange(reopened, Units, Units + 1);
        Assert.Equal(2, reopened.FileCount);
    }

    [Fact]
    public void TruncateDirty_drops_units_past_the_CommitLog_end_and_the_padding_before_them()
    {
        using var q = Open();
        PutRange(q, 0, 10);
        q.PutUnit(13, 1300, 100, 0); // 10..12 blank
        PutRange(q, 14, Units + 20);

        q.TruncateDirty(Units * 100 + 1000); // keeps units whose record ends at or before it
        Assert.Equal(Units + 10, q.MaxOffset);
        Assert.Equal((Units + 10) * 100L, q.MaxPhysicalOffset);
        Assert.Equal(2, q.FileCount);

        q.TruncateDirty(1250); // unit 13 (1300..1400) goes, and the padding 10..12 with it
        Assert.Equal(10, q.MaxOffset);
        Assert.Equal(1000, q.MaxPhysicalOffset);
        Assert.Equal(1, q.FileCount);
        Assert.Equal(ConsumeQueuePutResult.Appended, q.PutUnit(10, 1000, 50, 0));
    }

    [Fact]
    public void TruncateDirty_to_before_the_first_unit_empties_the_queue()
    {
        using var q = Open();
        PutRange(q, 0, 10);
        q.TruncateDirty(0);
        Assert.Equal(0, q.MaxOffset);
        Assert.False(q.TryGetUnit(0, out _));
        PutRange(q, 0, 3);
        Assert.Equal(3, q.MaxOffset);
    }

    [Fact]
    public void CorrectMinOffset_and_DeleteExpired_follow_the_CommitLog_minimum()
    {
        using var q = Open();
        PutRange(q, 0, Units * 3 + 5);

        q.CorrectMinOffset(1050);
        Assert.Equal(11, q.MinOffset); // unit 10 starts at 1000, before the minimum
        Assert.False(q.TryGetUnit(10, out _));
        Assert.True(q.TryGetUnit(11, out _));

        Assert.Equal(2, q.DeleteExpired(Units * 2 * 100 + 300));
        Assert.Equal(2, q.FileCount);
        Assert.Equal(Units * 2 + 3, q.MinOffset);
        Assert.Equal(1, q.DeleteExpired(long.MaxValue)); // the newest file stays
        Assert.Equal(Units * 3 + 5, q.MaxOffset);
        Assert.Equal(Units * 3 + 5, q.MinOffset);
        Assert.Equal(1, q.FileCount);
    }

    [Fact]
    public void A_deleted_queue_rebuilt_from_the_same_units_has_identical_bytes()
    {
        var units = new List<(long Offset, long Phys, int Size, long Tag)>();
        for (var i = 0L; i < Units * 2 + 17; i++)
        {
            if (i is >= 30 and < 35) continue; // a gap
            units.Add((i, i * 123, 100 + (int)(i % 5), TagsCode.Of("Tag" + (i % 3))));
        }

        byte[][] Build()
        {
            using var q = Open();
            foreach (var u in units) q.PutUnit(u.Offset, u.Phys, u.Size, u.Tag);
            q.Flush(0);
            q.Dispose();
            return Directory.GetFiles(QueueDir).Order().Select(File.ReadAllBytes).ToArray();
        }

        var first = Build();
        Directory.Delete(Path.Combine(_dir.Path, "consumequeue"), recursive: true);
        var second = Build();
        Assert.Equal(3, first.Length);
        Assert.Equal(first, second);
    }

    [Fact]
    public void A_reader_on_another_thread_sees_only_whole_units_below_the_published_max()
    {
        using var q = Open();
        var stop = false;
        var failures = 0;
        var reader = new Thread(() =>
        {
            var batch = new ConsumeQueueUnit[32];
            while (!Volatile.Read(ref stop))
            {
                var max = q.MaxOffset;
                if (max > 0 && (!q.TryGetUnit(max - 1, out var unit) || unit != new ConsumeQueueUnit((max - 1) * 100, 100, (max - 1) % 7)))
                    Interlocked.Increment(ref failures);
                var from = Math.Max(0, max - 20);
                var read = q.ReadUnits(from, batch);
                for (var i = 0; i < read; i++)
                {
                    if (batch[i].PhysicalOffset != (from + i) * 100) Interlocked.Increment(ref failures);
                }
            }
        });
        reader.Start();
        PutRange(q, 0, Units * 40);
        Volatile.Write(ref stop, true);
        reader.Join();

        Assert.Equal(0, failures);
        Assert.Equal(40, q.FileCount);
    }

    [Fact]
    public void Destroy_deletes_the_queue_folder()
    {
        var q = Open();
        PutRange(q, 0, 100);
        q.Destroy();
        q.Dispose();
        Assert.False(Directory.Exists(QueueDir));
    }
}
