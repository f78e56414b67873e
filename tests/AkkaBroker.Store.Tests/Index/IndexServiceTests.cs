using System.Text;
using AkkaBroker.Store.Index;

namespace AkkaBroker.Store.Tests.Index;

public sealed class IndexServiceTests : IDisposable
{
    private const int Slots = 100;
    private const int Entries = 400;
    private const long T0 = 1_700_000_000_000;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private IndexService Open(long commitLogMaxOffset = long.MaxValue, int slots = Slots, int entries = Entries)
    {
        var index = new IndexService(_dir.Path, slots, entries);
        index.Load(commitLogMaxOffset);
        return index;
    }

    private static int JavaHashOf(string text) => text.Aggregate(0, (h, c) => unchecked((31 * h) + c));

    [Fact]
    public void Header_slot_and_entries_have_RocketMQ_layout()
    {
        using (var index = Open())
        {
            // "T#k".hashCode() = 81916 = 0x13FFC, bucket 81916 % 100 = 16
            Assert.True(index.Put("T", "k"u8, default, 0x1122, T0));
            Assert.True(index.Put("T", "k"u8, default, 0x2000, T0 + 5_500));
            index.Flush();
        }

        var file = Assert.Single(Directory.GetFiles(Path.Combine(_dir.Path, "index")));
        Assert.Matches("^[0-9]{17}$", Path.GetFileName(file));
        var bytes = File.ReadAllBytes(file);
        Assert.Equal(40 + (Slots * 4) + (Entries * 20), bytes.Length);
        Assert.Equal(
            "0000018BCFE56800" + "0000018BCFE57D7C" + "0000000000001122" + "0000000000002000" + "00000001" + "00000003",
            Convert.ToHexString(bytes, 0, 40));
        Assert.Equal("00000002", Convert.ToHexString(bytes, 40 + (16 * 4), 4));
        var entries = 40 + (Slots * 4);
        Assert.Equal("00013FFC" + "0000000000001122" + "00000000" + "00000000", Convert.ToHexString(bytes, entries + 20, 20));
        Assert.Equal("00013FFC" + "0000000000002000" + "00000005" + "00000001", Convert.ToHexString(bytes, entries + 40, 20));
        Assert.True(bytes.AsSpan(0, entries).ToArray().Where((_, i) => i >= 40 && i != 40 + 64 + 3).All(b => b == 0));
    }

    [Fact]
    public void Key_hash_is_abs_of_Java_hashCode_of_topic_hash_key()
    {
        Assert.Equal(81916, IndexService.KeyHash("T", "k"u8));
        Assert.Equal(Math.Abs(JavaHashOf("TopicTest#订单-42")), IndexService.KeyHash("TopicTest", Encoding.UTF8.GetBytes("订单-42")));
        Assert.Equal(IndexService.KeyHash("TopicTest", "订单-42"), IndexService.KeyHash("TopicTest", Encoding.UTF8.GetBytes("订单-42")));
        var negative = Enumerable.Range(0, 1000).Select(i => "key" + i).First(k => JavaHashOf("T#" + k) < 0);
        Assert.Equal(-JavaHashOf("T#" + negative), IndexService.KeyHash("T", negative));
    }

    [Fact]
    public void Query_returns_newest_first_up_to_maxNum_within_the_time_range()
    {
        using var index = Open();
        for (var i = 0; i < 50; i++)
            index.Put("TopicA", Encoding.UTF8.GetBytes($"K1 order-{i}"), Encoding.UTF8.GetBytes($"UNIQ{i:D4}"), 1000 + (i * 100), T0 + (i * 1000));

        Assert.Equal(Enumerable.Range(40, 10).Reverse().Select(i => 1000L + (i * 100)), index.Query("TopicA", "K1", 10, 0, long.MaxValue));
        Assert.Equal(Enumerable.Range(10, 11).Reverse().Select(i => 1000L + (i * 100)), index.Query("TopicA", "K1", 100, T0 + 10_000, T0 + 20_000));
        Assert.Equal([1000L + 700], index.Query("TopicA", "order-7", 10, 0, long.MaxValue));
        Assert.Equal([1000L + 3300], index.Query("TopicA", "UNIQ0033", 10, 0, long.MaxValue));
        Assert.Empty(index.Query("TopicB", "K1", 10, 0, long.MaxValue));
        Assert.Empty(index.Query("TopicA", "K1", 10, T0 + 100_000, long.MaxValue));
        Assert.Equal(T0 + 49_000, index.LastTimestamp);
    }

    [Fact]
    public void Keys_colliding_in_few_slots_are_told_apart_by_hash()
    {
        using var index = Open(slots: 3, entries: 1000);
        for (var round = 0; round < 2; round++)
        {
            for (var k = 0; k < 30; k++) index.Put("T", Encoding.UTF8.GetBytes($"key-{k}"), default, (round * 1000) + (k * 10), T0 + round);
        }

        Assert.Equal(3, index.Files[0].HashSlotCount);
        for (var k = 0; k < 30; k++) Assert.Equal([1000L + (k * 10), k * 10L], index.Query("T", $"key-{k}", 10, 0, long.MaxValue));
    }

    [Fact]
    public void A_full_file_rolls_and_queries_span_files_newest_first_also_after_reopening()
    {
        var expected = Enumerable.Range(0, 500).Reverse().Select(i => i * 64L).ToList();
        using (var index = Open())
        {
            for (var i = 0; i < 500; i++) index.Put("T", "common"u8, Encoding.UTF8.GetBytes($"U{i}"), i * 64L, T0 + (i * 10));

            Assert.Equal(3, index.Files.Count); // 399 entries per file, 2 per message, a message's entries in one file
            Assert.Equal(index.Files.Select(f => f.Name).Order(StringComparer.Ordinal), index.Files.Select(f => f.Name));
            Assert.Equal(399, index.Files[0].IndexCount);
            Assert.Equal(198 * 64L, index.Files[0].EndPhyOffset);
            Assert.Equal(expected, index.Query("T", "common", 1000, 0, long.MaxValue));
            Assert.Equal(expected.Take(7), index.Query("T", "common", 7, 0, long.MaxValue));
            Assert.Equal([10 * 64L], index.Query("T", "U10", 5, 0, long.MaxValue));
            Assert.False(index.Put("T", "common"u8, default, 499 * 64L, T0)); // already indexed
            index.Flush();
        }

        using var reopened = Open();
        Assert.Equal(3, reopened.Files.Count);
        Assert.Equal(expected, reopened.Query("T", "common", 1000, 0, long.MaxValue));
        Assert.Equal(499 * 64L, reopened.MaxIndexedPhyOffset);
        Assert.False(reopened.Put("T", "common"u8, default, 499 * 64L, T0));
        Assert.True(reopened.Put("T", "common"u8, default, 500 * 64L, T0 + 5000));
        Assert.Equal(500 * 64L, reopened.Query("T", "common", 1, 0, long.MaxValue)[0]);
    }

    [Fact]
    public void A_flush_without_the_newest_file_covers_only_the_full_ones()
    {
        using var index = Open();
        Assert.Equal(0, index.Flush(includeNewest: false));
        for (var i = 0; i < 300; i++) index.Put("T", default, Encoding.UTF8.GetBytes($"U{i}"), i * 64L, T0 + i);
        Assert.Single(index.Files);
        Assert.Equal(0, index.Flush(includeNewest: false)); // the only file is still filling

        for (var i = 300; i < 500; i++) index.Put("T", default, Encoding.UTF8.GetBytes($"U{i}"), i * 64L, T0 + i);
        Assert.Equal(2, index.Files.Count);
        Assert.Equal(T0 + 398, index.Files[0].EndTimestamp); // 399 entries, one per message
        Assert.Equal(T0 + 398, index.Flush(includeNewest: false));
        Assert.Equal(T0 + 499, index.Flush());
    }

    [Fact]
    public void Files_past_the_recovered_CommitLog_end_are_deleted_on_load_and_old_files_on_clean_up()
    {
        using (var index = Open())
        {
            for (var i = 0; i < 500; i++) index.Put("T", "common"u8, Encoding.UTF8.GetBytes($"U{i}"), i * 64L, T0 + (i * 10));
            index.Flush();
        }

        using (var recovered = new IndexService(_dir.Path, Slots, Entries))
        {
            var problems = recovered.Load(300 * 64L); // files end at messages 198, 397 and 499 (whole messages per file)
            Assert.Equal(2, problems.Count);
            Assert.Single(recovered.Files);
            Assert.Single(Directory.GetFiles(Path.Combine(_dir.Path, "index")));
            Assert.Equal(Enumerable.Range(0, 199).Reverse().Select(i => i * 64L), recovered.Query("T", "common", 1000, 0, long.MaxValue));
            Assert.Equal(198 * 64L, recovered.MaxIndexedPhyOffset);
            for (var i = 199; i < 500; i++) recovered.Put("T", "common"u8, default, i * 64L, T0 + (i * 10));
            Assert.Equal(2, recovered.Files.Count);

            Assert.Equal(199 * 64L, recovered.Files[0].EndPhyOffset); // message 199 took the first file's last entry
            Assert.Equal(0, recovered.DeleteFilesBelow(199 * 64L));
            Assert.Equal(1, recovered.DeleteFilesBelow(199 * 64L + 1));
            Assert.Equal(0, recovered.DeleteFilesBelow(long.MaxValue)); // the newest stays
            Assert.Equal(300, recovered.Query("T", "common", 1000, 0, long.MaxValue).Count); // 200..499: the first file went with 0..199
        }
    }

    [Fact]
    public void A_reader_querying_while_the_owner_puts_sees_whole_entries_newest_first()
    {
        using var index = Open(entries: 100_000);
        var stop = false;
        var failures = 0;
        var reader = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                var found = index.Query("T", "hot", 50, 0, long.MaxValue);
                for (var i = 0; i < found.Count; i++)
                {
                    if (found[i] % 8 != 0 || (i > 0 && found[i] >= found[i - 1])) Interlocked.Increment(ref failures);
                }
            }
        });
        reader.Start();
        for (var i = 1; i <= 20_000; i++) index.Put("T", "hot"u8, default, i * 8L, T0 + i);
        Volatile.Write(ref stop, true);
        reader.Join();

        Assert.Equal(0, failures);
        Assert.Equal(Enumerable.Range(19_951, 50).Reverse().Select(i => i * 8L), index.Query("T", "hot", 50, 0, long.MaxValue));
    }
}
