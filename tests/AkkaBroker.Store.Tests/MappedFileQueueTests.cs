using AkkaBroker.Store.Files;

namespace AkkaBroker.Store.Tests;

public sealed class MappedFileQueueTests : IDisposable
{
    private const int Size = 64 * 1024;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private MappedFileQueue NewQueue(bool preallocate = true) => new(_dir.Sub("log"), Size, preallocate, warm: false);

    private static void Append(MappedFileQueue q, byte value, int count)
    {
        while (count > 0)
        {
            var file = q.GetOrCreateLast();
            var n = Math.Min(count, file.FileSize - file.WritePosition);
            file.WritableSpan[..n].Fill(value);
            file.Advance(n);
            count -= n;
        }
    }

    [Fact]
    public void Segments_are_named_by_their_20_digit_start_offset_and_roll_when_full()
    {
        using var q = NewQueue();
        Append(q, 1, Size * 2 + 10);

        Assert.Equal(3, q.Files.Count);
        Assert.Equal(["00000000000000000000", "00000000000000065536", "00000000000000131072"], q.Files.Select(f => Path.GetFileName(f.Path)));
        Assert.Equal(Size * 2 + 10, q.MaxOffset);
        Assert.Same(q.Files[1], q.FindByOffset(Size + 5));
        Assert.Null(q.FindByOffset(Size * 3 + 1));
    }

    [Fact]
    public void The_next_segment_is_created_ahead_of_need()
    {
        using var q = NewQueue();
        Append(q, 1, 10);

        var next = Path.Combine(_dir.Sub("log"), MappedFile.FileName(Size));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.Exists(next) && DateTime.UtcNow < deadline) Thread.Sleep(10);
        Assert.True(File.Exists(next));
        Assert.Single(q.Files); // not part of the log until the writer rolls into it
    }

    [Fact]
    public void Written_bytes_survive_reopening_after_a_flush()
    {
        using (var q = NewQueue())
        {
            Append(q, 7, Size + 100);
            Assert.Equal(Size + 100, q.Flush(0));
        }

        using var reopened = NewQueue(preallocate: false);
        reopened.Load();
        var second = reopened.FindByOffset(Size)!;
        Assert.True(second.TryHold());
        Assert.True(second.Read(0, 100).IndexOfAnyExcept((byte)7) < 0);
        Assert.Equal(0, second.Read(100, 10).IndexOfAnyExcept((byte)0) < 0 ? 0 : 1);
        second.Release();
    }

    [Fact]
    public void Least_pages_defers_a_flush_until_enough_is_dirty()
    {
        using var q = NewQueue();
        Append(q, 1, 100);

        Assert.Equal(0, q.Flush(leastPages: 4));
        Assert.Equal(100, q.Flush(leastPages: 0));
    }

    [Fact]
    public void Truncation_deletes_later_segments_and_zeroes_the_tail()
    {
        using var q = NewQueue(preallocate: false);
        Append(q, 9, Size * 2 + 500);
        q.TruncateFrom(Size + 50);

        Assert.Equal(2, q.Files.Count);
        Assert.Equal(Size + 50, q.MaxOffset);
        Assert.False(File.Exists(Path.Combine(_dir.Sub("log"), MappedFile.FileName(Size * 2))));
        Assert.True(q.Files[1].Read(50, Size - 50).IndexOfAnyExcept((byte)0) < 0);
        Assert.True(q.Files[1].Read(0, 50).IndexOfAnyExcept((byte)9) < 0);
    }

    [Fact]
    public void Deleting_old_segments_waits_for_readers_that_hold_them()
    {
        using var q = NewQueue(preallocate: false);
        Append(q, 3, Size * 2 + 1);
        var first = q.Files[0];
        Assert.True(first.TryHold());

        Assert.Equal(1, q.DeleteBelow(Size));
        Assert.Equal(Size, q.MinOffset);
        Assert.True(first.Read(0, 16).IndexOfAnyExcept((byte)3) < 0); // still mapped for the reader
        Assert.False(first.TryHold());                                 // no new readers
        first.Release();
        Assert.False(File.Exists(first.Path));
    }

    [Fact]
    public void The_last_segment_is_never_deleted_by_expiry() 
    {
        using var q = NewQueue(preallocate: false);
        Append(q, 3, 10);
        Assert.Equal(0, q.DeleteBelow(long.MaxValue));
        Assert.Single(q.Files);
    }

    [Fact]
    public void A_segment_of_the_wrong_size_is_refused_with_its_path()
    {
        Directory.CreateDirectory(_dir.Sub("log"));
        File.WriteAllBytes(Path.Combine(_dir.Sub("log"), MappedFile.FileName(0)), new byte[100]);
        using var q = NewQueue();

        var error = Assert.Throws<StoreCorruptException>(q.Load);
        Assert.Contains("00000000000000000000", error.Message);
    }

    [Fact]
    public void A_gap_between_segments_is_refused()
    {
        Directory.CreateDirectory(_dir.Sub("log"));
        File.WriteAllBytes(Path.Combine(_dir.Sub("log"), MappedFile.FileName(0)), new byte[Size]);
        File.WriteAllBytes(Path.Combine(_dir.Sub("log"), MappedFile.FileName(Size * 2)), new byte[Size]);
        using var q = NewQueue();

        Assert.Throws<StoreCorruptException>(q.Load);
    }

    [Fact]
    public void Warm_up_touches_pages_without_changing_content()
    {
        using var q = new MappedFileQueue(_dir.Sub("warm"), Size, preallocate: false, warm: true);
        var file = q.GetOrCreateLast();
        Assert.True(file.Read(0, Size).IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(0, file.WritePosition);
    }
}
