using static AkkaBroker.Store.Tests.CommitLogTests.CommitLogFixture;
using static AkkaBroker.Store.Tests.PageCacheProbe;

namespace AkkaBroker.Store.Tests.CommitLogTests;

public sealed class CommitLogCacheTrimTests : IDisposable
{
    private const int Segment = 1024 * 1024;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private CommitLog OpenEmpty()
    {
        var log = new CommitLog(Settings(_dir.Path) with { MappedFileSizeCommitLog = Segment });
        using var checkpoint = StoreCheckpoint.Open(_dir.Path);
        log.Recover(false, checkpoint, checkCrc: true);
        return log;
    }

    [Fact]
    public void Flushed_bytes_below_the_offset_leave_the_page_cache_and_read_back_from_the_disk_intact()
    {
        if (!OperatingSystem.IsLinux()) return; // fadvise and mincore are Linux's
        using var log = OpenEmpty();
        var written = AppendMany(log, 1400, seed: 5); // about 2 MiB: two full segments and part of a third
        Assert.True(log.Segments.Count >= 3);
        log.Flush(0);
        var first = log.Segments[0].Path;
        var second = log.Segments[1].Path;
        Assert.Equal(Segment / Page, ResidentPages(first, 0, Segment)); // written with write(): all cached

        var below = Segment + Segment / 2 + 100; // not on a page boundary: the page it falls in stays
        Assert.Equal(Segment + Segment / 2, log.TrimCacheBelow(below, 1, long.MaxValue));
        Assert.Equal(Segment + Segment / 2, log.CacheTrimmedTo);
        Assert.Equal(0, ResidentPages(first, 0, Segment));
        Assert.Equal(0, ResidentPages(second, 0, Segment / 2));
        Assert.Equal(Segment / 2 / Page, ResidentPages(second, Segment / 2, Segment / 2));

        AssertReadBack(log, written);
        Assert.Equal(Segment / Page, ResidentPages(first, 0, Segment)); // the reads brought the pages back from the file
    }

    [Fact]
    public void Trimming_stops_at_the_flushed_end_and_goes_at_most_max_bytes_a_call()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var log = OpenEmpty();
        var written = AppendMany(log, 700, seed: 6); // about 1 MiB, none of it flushed
        Assert.Equal(0, log.FlushedOffset);
        Assert.Equal(0, log.TrimCacheBelow(long.MaxValue, 1, long.MaxValue));
        var path = log.Segments[0].Path;
        Assert.Equal(64 * 1024 / Page, ResidentPages(path, 0, 64 * 1024));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.Segments[0].DropFromCache(0, Page)); // unflushed: refused outright

        log.Flush(0);
        Assert.Equal(0, log.TrimCacheBelow(long.MaxValue, 2L << 20, 4L << 20)); // less than minBytes due: nothing yet
        Assert.Equal(64 * 1024, log.TrimCacheBelow(long.MaxValue, 1, 64 * 1024));
        Assert.Equal(128 * 1024, log.TrimCacheBelow(long.MaxValue, 1, 64 * 1024)); // the next call continues where the last stopped
        Assert.Equal(0, ResidentPages(path, 0, 128 * 1024));
        Assert.Equal(64 * 1024 / Page, ResidentPages(path, 128 * 1024, 64 * 1024));

        // Whatever is appended after a flush stays until it is flushed too.
        var flushed = log.FlushedOffset;
        written.AddRange(AppendMany(log, 100, seed: 7, firstQueueOffset: written.Count));
        Assert.Equal(flushed - flushed % Page, log.TrimCacheBelow(long.MaxValue, 1, long.MaxValue));
        AssertReadBack(log, written);
        Assert.Throws<ArgumentOutOfRangeException>(() => log.TrimCacheBelow(long.MaxValue, 0, 64 * 1024));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.TrimCacheBelow(long.MaxValue, 64 * 1024, Page));
    }
}
