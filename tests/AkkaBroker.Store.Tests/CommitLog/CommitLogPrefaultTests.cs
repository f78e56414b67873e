using static AkkaBroker.Store.Tests.CommitLogTests.CommitLogFixture;
using static AkkaBroker.Store.Tests.PageCacheProbe;

namespace AkkaBroker.Store.Tests.CommitLogTests;

public sealed class CommitLogPrefaultTests : IDisposable
{
    private const int Segment = 1024 * 1024;
    private const int Ahead = 256 * 1024;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Pages_ahead_of_the_end_come_into_the_page_cache_follow_the_writer_and_stop_at_the_segment_end()
    {
        if (!OperatingSystem.IsLinux()) return; // MADV_POPULATE_READ and mincore are Linux's
        var settings = Settings(_dir.Path) with { MappedFileSizeCommitLog = Segment, CommitLogPrefaultAhead = Ahead };
        using var log = new CommitLog(settings);
        using (var checkpoint = StoreCheckpoint.Open(_dir.Path)) log.Recover(false, checkpoint, checkCrc: true);
        var written = AppendMany(log, 10, seed: 3);
        var end = log.ReadableOffset;
        var pageOfEnd = end - end % Page;
        var path = log.Segments[0].Path;
        Assert.Equal(0, ResidentPages(path, pageOfEnd + Page, Ahead - Page)); // never written, never read: not cached

        Assert.Equal(pageOfEnd + Ahead, log.PrefaultAhead(Ahead));
        Assert.Equal(Ahead / Page, ResidentPages(path, pageOfEnd, Ahead));
        Assert.Equal(pageOfEnd + Ahead, log.PrefaultAhead(Ahead)); // more than half the window is still ahead

        // Once the writer has used up half of the window, the next step starts where the last one stopped.
        AppendUntil(log, written, pageOfEnd + Ahead / 2);
        Assert.Equal(pageOfEnd + 2 * Ahead, log.PrefaultAhead(Ahead));
        Assert.Equal(Ahead / Page, ResidentPages(path, pageOfEnd + Ahead, Ahead));

        // Near the end of the segment the window stops there.
        AppendUntil(log, written, Segment - Ahead / 4);
        Assert.Single(log.Segments);
        Assert.Equal(Segment, log.PrefaultAhead(Ahead));

        // Records written into prefaulted pages read back intact: prefaulting never writes.
        AssertReadBack(log, written);
    }

    [Fact]
    public void A_zero_or_negative_window_is_refused()
    {
        using var log = new CommitLog(Settings(_dir.Path));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.PrefaultAhead(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.PrefaultAhead(-Page));
    }

    // Records of at most 3000 bytes, so the first one to pass the target ends within 3 KiB of it.
    private static void AppendUntil(CommitLog log, List<(long Offset, int Size, long QueueOffset, int BodyLength)> written, long target)
    {
        while (log.ReadableOffset < target) written.AddRange(AppendMany(log, 1, seed: written.Count, firstQueueOffset: written.Count));
    }
}
