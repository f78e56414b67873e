using AkkaBroker.Actors;
using AkkaBroker.Broker.Storage;
using AkkaBroker.Store;

namespace AkkaBroker.Broker.Tests;

/// <summary>Clean-up, full disks and the transient store pool, through a real node.</summary>
public sealed class StoreMaintenanceTests : IDisposable
{
    private readonly StoreDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Body(int i) => $"m{i:D5}-" + new string('x', 900);

    [Fact]
    public async Task A_nearly_full_disk_refuses_writes_with_a_reason_and_writes_resume_when_space_is_back()
    {
        await using var node = await _dir.StartAsync();
        var store = node.Store!;
        var ratio = 0.95;
        var cleaner = node.System.ActorOf(CleanService.Props(store.Settings, store.Writer, store.Dispatcher, () => ratio));

        cleaner.Tell(CleanService.CheckNow.Instance);
        var refused = await PutUntilAsync(store, PutMessageStatus.ServiceNotAvailable);
        Assert.Equal(PutMessageStatus.ServiceNotAvailable, refused.Status);
        Assert.Contains("disk", refused.Reason);

        ratio = 0.5;
        cleaner.Tell(CleanService.CheckNow.Instance);
        var accepted = await PutUntilAsync(store, PutMessageStatus.PutOk);
        Assert.Equal(PutMessageStatus.PutOk, accepted.Status);
    }

    // The verdict reaches the writer asynchronously: put until it shows (or the deadline passes).
    private static async Task<PutMessageResult> PutUntilAsync(MessageStore store, PutMessageStatus wanted)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var result = await store.PutTextAsync("T", 0, "probe");
            if (result.Status == wanted || DateTime.UtcNow > deadline) return result;
            await Task.Delay(5);
        }
    }

    [Fact]
    public async Task A_disk_past_the_max_used_ratio_deletes_old_segments_and_their_queue_files_at_once()
    {
        await using var node = await _dir.StartAsync();
        var store = node.Store!;
        for (var i = 0; i < 400; i++) await store.PutTextAsync("T", 0, Body(i));
        await StoreTestExtensions.EventuallyAsync(() => store.GetMaxOffset("T", 0), n => n == 400);
        Assert.Equal(0, store.MinPhysicalOffset);

        var cleaner = node.System.ActorOf(CleanService.Props(store.Settings, store.Writer, store.Dispatcher, () => 0.80, () => new DateTime(2026, 1, 1, 12, 0, 0)));
        cleaner.Tell(CleanService.CheckNow.Instance);

        // The minimum moves in two steps (to a file boundary before the files go, then to the first surviving
        // record): wait until it has settled on a message that still exists.
        var (min, first) = await StoreTestExtensions.EventuallyAsync(
            () => { var m = store.GetMinOffset("T", 0); return (m, store.Get("T", 0, m, max: 1).Bodies.FirstOrDefault()); },
            t => t.m > 0 && t.Item2 == Body((int)t.m));
        Assert.True(store.MinPhysicalOffset > 0, "old CommitLog segments are gone");
        Assert.True(min > 0, "the ConsumeQueue's minimum follows the CommitLog");
        var tooSmall = store.Get("T", 0, 0).Result;
        Assert.Equal((GetMessageStatus.OffsetTooSmall, min), (tooSmall.Status, tooSmall.NextBeginOffset));
        Assert.Equal(Body((int)min), first);
        Assert.Equal(400, store.GetMaxOffset("T", 0));
        // Space is short: the old segments are gone, not kept for reuse.
        var reuse = Path.Combine(_dir.Path, "commitlog", "reuse");
        Assert.True(!Directory.Exists(reuse) || Directory.GetFiles(reuse).Length == 0);
    }

    [Fact]
    public async Task At_the_delete_hour_expired_segments_are_kept_for_reuse_and_the_log_runs_on_in_them_across_a_restart()
    {
        var reuse = Path.Combine(_dir.Path, "commitlog", "reuse");
        string[] settings = ["akkabroker.store.file-reserved-time = 1ms", "akkabroker.store.commit-log-reuse-segments = 2"];
        await using (var node = await _dir.StartAsync(settings))
        {
            var store = node.Store!;
            for (var i = 0; i < 400; i++) await store.PutTextAsync("T", 0, Body(i)); // about 6 segments of 64 KiB
            await StoreTestExtensions.EventuallyAsync(() => store.GetMaxOffset("T", 0), n => n == 400);
            // The next segment is pre-allocated in the background; once it exists it cannot take a kept one.
            const long segment = 64 * 1024;
            var next = Path.Combine(_dir.Path, "commitlog", ((store.MaxPhysicalOffset / segment + 1) * segment).ToString("D20", System.Globalization.CultureInfo.InvariantCulture));
            await StoreTestExtensions.EventuallyAsync(() => File.Exists(next), exists => exists);
            var cleaner = node.System.ActorOf(CleanService.Props(store.Settings, store.Writer, store.Dispatcher, () => 0.10, () => new DateTime(2026, 1, 1, 4, 0, 0)));
            cleaner.Tell(CleanService.CheckNow.Instance);

            await StoreTestExtensions.EventuallyAsync(() => store.MinPhysicalOffset, m => m >= 4 * segment);
            // The log's start moves before the old files are renamed: wait for them too. Only 2 are kept; the rest were deleted.
            Assert.Equal(2, await StoreTestExtensions.EventuallyAsync(() => Directory.Exists(reuse) ? Directory.GetFiles(reuse).Length : 0, n => n >= 2));
            Assert.Equal(2, Directory.GetFiles(reuse).Length);
            for (var i = 400; i < 600; i++) await store.PutTextAsync("T", 0, Body(i)); // rolls through both
            Assert.Empty(Directory.GetFiles(reuse));
            await StoreTestExtensions.EventuallyAsync(() => store.GetMaxOffset("T", 0), n => n == 600);
        }

        await using (var node = await _dir.StartAsync(settings))
        {
            var store = node.Store!;
            Assert.Null(store.Recovery.Problem);
            // The queue starts at its first record still in the CommitLog (corrected at load, not at the next clean-up).
            var min = store.GetMinOffset("T", 0);
            Assert.True(min > 0);
            Assert.Equal(Body((int)min), store.Get("T", 0, min, max: 1).Bodies.Single());
            Assert.Equal(GetMessageStatus.OffsetTooSmall, store.Get("T", 0, min - 1).Result.Status);
            for (var offset = min; offset < 600;)
            {
                var bodies = store.Get("T", 0, offset).Bodies;
                Assert.NotEmpty(bodies);
                foreach (var body in bodies) Assert.Equal(Body((int)offset++), body);
            }

            Assert.Equal(PutMessageStatus.PutOk, (await store.PutTextAsync("T", 0, Body(600))).Status);
        }
    }

    [Fact]
    public async Task Nothing_is_deleted_outside_the_delete_hours_while_the_disk_has_room()
    {
        await using var node = await _dir.StartAsync("akkabroker.store.file-reserved-time = 1ms");
        var store = node.Store!;
        for (var i = 0; i < 200; i++) await store.PutTextAsync("T", 0, Body(i));
        var cleaner = node.System.ActorOf(CleanService.Props(store.Settings, store.Writer, store.Dispatcher, () => 0.10, () => new DateTime(2026, 1, 1, 12, 0, 0)));

        cleaner.Tell(CleanService.CheckNow.Instance);
        await Task.Delay(300);

        Assert.Equal(0, store.MinPhysicalOffset);
    }

    [Fact]
    public async Task The_transient_pool_makes_data_readable_after_commit_and_it_survives_a_restart()
    {
        await using (var node = await _dir.StartAsync("akkabroker.store.transient-store-pool-enable = true", "akkabroker.store.commit-interval-commit-log = 20ms"))
        {
            var store = node.Store!;
            for (var i = 0; i < 150; i++) Assert.Equal(PutMessageStatus.PutOk, (await store.PutTextAsync("Pooled", 0, Body(i))).Status);
            await StoreTestExtensions.EventuallyAsync(() => store.GetMaxOffset("Pooled", 0), n => n == 150);
            Assert.Equal(Body(149), store.Get("Pooled", 0, 149).Bodies.Single());
        }

        await using var again = await _dir.StartAsync();
        Assert.Equal(150, again.Store!.GetMaxOffset("Pooled", 0));
        Assert.Equal(Body(0), again.Store.Get("Pooled", 0, 0, max: 1).Bodies.Single());
    }
}
