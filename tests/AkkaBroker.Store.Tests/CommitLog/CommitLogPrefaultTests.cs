using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using AkkaBroker.Protocol;
using static AkkaBroker.Store.Tests.CommitLogTests.CommitLogFixture;

namespace AkkaBroker.Store.Tests.CommitLogTests;

public sealed partial class CommitLogPrefaultTests : IDisposable
{
    private const int Segment = 1024 * 1024;
    private const int Ahead = 256 * 1024;
    private const int Page = 4096;
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

    // Pages of [offset, offset+length) of the file in the page cache, by mincore over a read-only mapping of our own.
    private static unsafe int ResidentPages(string path, long offset, int length)
    {
        using var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        try
        {
            var pages = length / Page;
            var vector = new byte[pages];
            fixed (byte* v = vector)
            {
                if (MinCore(start + offset, (nuint)length, v) != 0) throw new IOException($"mincore failed: errno {Marshal.GetLastPInvokeError()}");
            }

            return vector.Count(b => (b & 1) != 0);
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }

    [LibraryImport("libc", EntryPoint = "mincore", SetLastError = true)]
    private static unsafe partial int MinCore(byte* address, nuint length, byte* vector);
}
