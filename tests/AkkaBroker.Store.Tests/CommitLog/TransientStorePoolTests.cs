using static AkkaBroker.Store.Tests.CommitLogTests.CommitLogFixture;

namespace AkkaBroker.Store.Tests.CommitLogTests;

public sealed class TransientStorePoolTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Appends_become_readable_and_reach_the_file_only_after_a_commit()
    {
        using var pool = new TransientStorePool(2, SegmentSize);
        await pool.Ready;
        using var log = OpenRecovered(_dir.Path, pool: pool);
        var written = AppendMany(log, 5, seed: 20, maxBody: 500);
        var end = written[^1].Offset + written[^1].Size;

        Assert.Equal(end, log.MaxOffset);
        Assert.Equal(0, log.ReadableOffset);
        Assert.Equal(1, pool.AvailableCount);
        Assert.Equal(CommitLogReadStatus.NotYetWritten, log.TryRead(0, long.MaxValue, out _));
        Assert.True(log.Segments[0].TryHold());
        Assert.True(log.Segments[0].Read(0, (int)end).IndexOfAnyExcept((byte)0) < 0); // nothing in the mapping yet
        log.Segments[0].Release();
        Assert.Equal(0, log.Flush(0)); // flushing cannot pass what is committed

        Assert.Equal(end, log.Commit(0));
        Assert.Equal(end, log.ReadableOffset);
        Assert.Equal(CommitLogReadStatus.Ok, log.TryRead(written[^1].Offset, log.ReadableOffset, out var lease));
        using (lease) Assert.Equal(written[^1].QueueOffset, lease.View.QueueOffset);
        Assert.Equal(end, log.Flush(0));
    }

    [Fact]
    public async Task Least_pages_defers_a_commit_until_enough_is_pending()
    {
        using var pool = new TransientStorePool(2, SegmentSize);
        await pool.Ready;
        using var log = OpenRecovered(_dir.Path, pool: pool);
        log.Append(Fields(0), new byte[100], Topic, Props);

        Assert.Equal(0, log.Commit(leastPages: 4));
        while (log.MaxOffset < 5 * 4096) log.Append(Fields(1), new byte[1000], Topic, Props);
        Assert.Equal(log.MaxOffset, log.Commit(leastPages: 4));
    }

    [Fact]
    public async Task Rolling_past_the_pool_falls_back_to_direct_writes_and_everything_survives_a_reopen()
    {
        var written = new List<(long Offset, int Size, long QueueOffset, int BodyLength)>();
        using (var pool = new TransientStorePool(2, SegmentSize))
        {
            await pool.Ready;
            using (var log = OpenRecovered(_dir.Path, pool: pool))
            {
                for (var round = 0; round < 8; round++)
                {
                    written.AddRange(AppendMany(log, 60, seed: 30 + round, firstQueueOffset: written.Count));
                    if (round % 3 == 2) log.Commit(0); // a slow committer: several segments pending at once
                }

                Assert.Equal(log.MaxOffset, log.Commit(0));
                foreach (var (offset, _, queueOffset, _) in written)
                {
                    Assert.Equal(CommitLogReadStatus.Ok, log.TryRead(offset, log.ReadableOffset, out var lease));
                    using (lease) Assert.Equal(queueOffset, lease.View.QueueOffset);
                }

                written.AddRange(AppendMany(log, 10, seed: 40, firstQueueOffset: written.Count)); // left for Dispose to commit
                log.Flush(0);
            }

            Assert.Equal(2, pool.AvailableCount); // every buffer came back
        }

        using var reopened = OpenRecovered(_dir.Path, abnormal: true);
        Assert.Equal(written[^1].Offset + written[^1].Size, reopened.MaxOffset);
    }

    [Fact]
    public async Task Buffers_join_the_pool_only_once_touched_and_a_dispose_meanwhile_is_safe()
    {
        const int bufferSize = 64 * 1024 * 1024;
        var pool = new TransientStorePool(4, bufferSize);
        // Touching 256 MiB of fresh memory takes a while; whatever is available by now is whole.
        Assert.InRange(pool.AvailableCount, 0, 4);
        pool.Dispose(); // waits for the buffer being touched, frees all
        Assert.True(pool.Ready.IsCompleted);

        using var ready = new TransientStorePool(2, bufferSize);
        await ready.Ready.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, ready.AvailableCount);
    }
}
