using System.Buffers;
using System.Text;
using AkkaBroker.Actors;
using AkkaBroker.Broker.Storage;
using AkkaBroker.Protocol;
using AkkaBroker.Store;

namespace AkkaBroker.Broker.Tests;

/// <summary>The broker's store through its actors: a real node, real files, tiny segments.</summary>
public sealed class MessageStoreTests : IDisposable
{
    private readonly StoreDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Body(int i) => $"message-{i:D5}-" + new string((char)('a' + (i % 26)), 700 + (i % 300));

    [Fact]
    public async Task Messages_round_trip_across_many_segment_rolls()
    {
        await using var node = await _dir.StartAsync();
        var store = node.Store!;
        var results = new List<PutMessageResult>();
        for (var i = 0; i < 400; i++) results.Add(await store.PutTextAsync("Orders", i % 2, Body(i)));

        Assert.All(results, r => Assert.Equal(PutMessageStatus.PutOk, r.Status));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), results.Where((_, i) => i % 2 == 0).Select(r => r.QueueOffset));
        Assert.True(store.MaxPhysicalOffset > 4 * 65536, "several segments were filled");
        await StoreTestExtensions.EventuallyAsync(() => store.GetMaxOffset("Orders", 1), n => n == 200);

        Assert.Equal(Enumerable.Range(0, 200).Select(i => Body(i * 2)), store.ReadQueue("Orders", 0, 200));
        Assert.Equal(GetMessageStatus.OffsetOverflowOne, store.Get("Orders", 0, 200).Result.Status);
    }

    [Fact]
    public async Task Statuses_and_offsets_follow_RocketMQ()
    {
        await using var node = await _dir.StartAsync();
        var store = node.Store!;
        for (var i = 0; i < 5; i++) await store.PutTextAsync("T", 0, Body(i));
        await StoreTestExtensions.EventuallyAsync(() => store.GetMaxOffset("T", 0), n => n == 5);

        var unknown = store.Get("Nope", 0, 0).Result;
        Assert.Equal(GetMessageStatus.NoMatchedLogicQueue, unknown.Status);
        var end = store.Get("T", 0, 5).Result;
        Assert.Equal((GetMessageStatus.OffsetOverflowOne, 5L), (end.Status, end.NextBeginOffset));
        var past = store.Get("T", 0, 9).Result;
        Assert.Equal((GetMessageStatus.OffsetOverflowBadly, 0L), (past.Status, past.NextBeginOffset)); // min is 0: back to the start
        var found = store.Get("T", 0, 2, max: 2);
        Assert.Equal((GetMessageStatus.Found, 4L, 0L, 5L), (found.Result.Status, found.Result.NextBeginOffset, found.Result.MinOffset, found.Result.MaxOffset));
        Assert.Equal([Body(2), Body(3)], found.Bodies);
    }

    [Fact]
    public async Task Tag_filters_skip_other_tags_and_advance_the_offset()
    {
        await using var node = await _dir.StartAsync();
        var store = node.Store!;
        for (var i = 0; i < 10; i++) await store.PutTextAsync("Tagged", 0, Body(i), ("TAGS", i % 3 == 0 ? "TagA" : "TagB"));
        await StoreTestExtensions.EventuallyAsync(() => store.GetMaxOffset("Tagged", 0), n => n == 10);

        var (result, bodies) = store.Get("Tagged", 0, 0, tags: "TagA");
        Assert.Equal([Body(0), Body(3), Body(6), Body(9)], bodies);
        Assert.Equal(10, result.NextBeginOffset);

        var none = store.Get("Tagged", 0, 0, tags: "TagC").Result;
        Assert.Equal((GetMessageStatus.NoMatchedMessage, 10L), (none.Status, none.NextBeginOffset));
        Assert.Equal(4 + 6, store.Get("Tagged", 0, 0, tags: "TagA || TagB").Bodies.Count);
    }

    [Fact]
    public async Task Oversized_messages_and_bad_queues_are_refused_with_a_reason_and_nothing_is_stored()
    {
        await using var node = await _dir.StartAsync();
        var store = node.Store!;

        var big = await store.PutAsync("T", 0, new byte[40 * 1024]);
        Assert.Equal(PutMessageStatus.MessageIllegal, big.Status);
        Assert.Contains("max-message-size", big.Reason);
        var negative = await store.PutAsync("T", -1, new byte[10]);
        Assert.Equal(PutMessageStatus.MessageIllegal, negative.Status);
        var badTopic = await store.PutAsync("bad topic!", 0, new byte[10]);
        Assert.Equal(PutMessageStatus.MessageIllegal, badTopic.Status);

        var ok = await store.PutTextAsync("T", 0, "after the refusals");
        Assert.Equal((PutMessageStatus.PutOk, 0L, 0L), (ok.Status, ok.QueueOffset, ok.PhysicalOffset));
    }

    [Fact]
    public async Task With_prefaulting_on_messages_round_trip_across_segment_rolls_and_a_restart()
    {
        string[] prefault = ["akkabroker.store.commit-log-prefault = ALWAYS", "akkabroker.store.commit-log-prefault-ahead = 64k"];
        await using (var node = await _dir.StartAsync(prefault))
        {
            for (var i = 0; i < 300; i++) Assert.Equal(PutMessageStatus.PutOk, (await node.Store!.PutTextAsync("Orders", 0, Body(i))).Status);
            Assert.True(node.Store!.MaxPhysicalOffset > 3 * 65536, "several segments were filled");
        }

        await using var again = await _dir.StartAsync(prefault);
        var store = again.Store!;
        Assert.False(store.Recovery.Abnormal);
        Assert.Equal(300, store.GetMaxOffset("Orders", 0));
        Assert.Equal(Enumerable.Range(0, 300).Select(Body), store.ReadQueue("Orders", 0, 300));
    }

    [Fact]
    public async Task With_cache_trimming_old_messages_leave_the_page_cache_count_as_on_disk_and_are_still_served()
    {
        await using var node = await _dir.StartAsync("akkabroker.store.commit-log-cache-trim = ALWAYS", "akkabroker.store.commit-log-cache-window = 1m");
        var store = node.Store!;
        await PutThreeMegabytesAsync(store);

        // Trimming goes in steps of at least 1 MiB (a 64th of the window, at least 1 MiB) up to 1 MiB behind the flushed end.
        var trimmed = await StoreTestExtensions.EventuallyAsync(() => store.CacheTrimmedOffset, t => t >= store.MaxPhysicalOffset - (2L << 20) - 64 * 1024);
        Assert.InRange(trimmed, store.MaxPhysicalOffset - (2L << 20) - 64 * 1024, store.MaxPhysicalOffset - (1L << 20));

        // Data further back than the window is on disk: a pull there gets the on-disk limit of 8 messages, near the end 32.
        var (old, oldBodies) = store.Get("Orders", 0, 0);
        Assert.Equal((GetMessageStatus.Found, 8), (old.Status, old.MessageCount));
        Assert.Equal(Enumerable.Range(0, 8).Select(ThreeKiB), oldBodies);
        var (recent, recentBodies) = store.Get("Orders", 0, 950);
        Assert.Equal((GetMessageStatus.Found, 32), (recent.Status, recent.MessageCount));
        Assert.Equal(Enumerable.Range(950, 32).Select(ThreeKiB), recentBodies);

        Assert.Equal(Enumerable.Range(0, 1000).Select(ThreeKiB), store.ReadQueue("Orders", 0, 1000));
    }

    [Fact]
    public async Task Without_cache_trimming_the_page_cache_is_left_alone_and_old_data_counts_as_in_memory()
    {
        await using var node = await _dir.StartAsync("akkabroker.store.commit-log-cache-trim = OFF", "akkabroker.store.commit-log-cache-window = 1m");
        var store = node.Store!;
        await PutThreeMegabytesAsync(store);
        await StoreTestExtensions.EventuallyAsync(() => store.FlushedPhysicalOffset, f => f >= store.MaxPhysicalOffset - 16 * 1024);
        await Task.Delay(300); // three of the trimmer's ticks, were there one

        Assert.Equal(0, store.CacheTrimmedOffset);
        var (old, _) = store.Get("Orders", 0, 0);
        Assert.Equal((GetMessageStatus.Found, 32), (old.Status, old.MessageCount));
    }

    private static string ThreeKiB(int i) => $"{i:D4}{new string((char)('a' + i % 26), 3000)}";

    private static async Task PutThreeMegabytesAsync(MessageStore store)
    {
        for (var i = 0; i < 1000; i++) Assert.Equal(PutMessageStatus.PutOk, (await store.PutTextAsync("Orders", 0, ThreeKiB(i))).Status);
        Assert.Equal(1000, await StoreTestExtensions.EventuallyAsync(() => store.GetMaxOffset("Orders", 0), n => n == 1000));
    }

    [Fact]
    public async Task A_clean_restart_keeps_messages_and_continues_queue_offsets()
    {
        await using (var node = await _dir.StartAsync())
        {
            for (var i = 0; i < 150; i++) await node.Store!.PutTextAsync("Orders", 0, Body(i));
        }

        Assert.False(File.Exists(Path.Combine(_dir.Path, "abort")), "a clean stop removes the abort marker");
        await using var again = await _dir.StartAsync();
        var store = again.Store!;
        Assert.False(store.Recovery.Abnormal);
        Assert.Equal(150, store.GetMaxOffset("Orders", 0));
        var next = await store.PutTextAsync("Orders", 0, Body(150));
        Assert.Equal(150, next.QueueOffset);
        Assert.Equal([Body(149), Body(150)], (await StoreTestExtensions.EventuallyAsync(() => store.Get("Orders", 0, 149), g => g.Bodies.Count == 2)).Bodies);
    }

    [Fact]
    public async Task A_clean_restart_after_keyed_messages_reopens_and_keeps_each_key_found_once()
    {
        // Regression: re-dispatch once resumed one byte past the last indexed record's start, inside that record,
        // and a store whose newest message had keys could not be reopened.
        await using (var node = await _dir.StartAsync())
        {
            for (var i = 0; i < 10; i++) await node.Store!.PutTextAsync("Keyed", 0, Body(i), ("KEYS", $"k{i}"));
            await StoreTestExtensions.EventuallyAsync(() => node.Store!.DispatchedOffset, d => d == node.Store!.MaxPhysicalOffset);
        }

        await using var again = await _dir.StartAsync();
        Assert.False(again.Store!.Recovery.Abnormal);
        Assert.Equal([Body(9)], Query(again.Store, "Keyed", "k9"));
        Assert.Equal([Body(0)], Query(again.Store, "Keyed", "k0"));
    }

    [Fact]
    public async Task Deleting_every_ConsumeQueue_and_restarting_rebuilds_identical_queues()
    {
        await using (var node = await _dir.StartAsync())
        {
            for (var i = 0; i < 300; i++) await node.Store!.PutTextAsync($"Topic{i % 3}", i % 4, Body(i), ("TAGS", $"Tag{i % 5}"));
        }

        var before = SnapshotQueues();
        Directory.Delete(Path.Combine(_dir.Path, "consumequeue"), recursive: true);

        await using (var node = await _dir.StartAsync())
        {
            Assert.Equal(300, node.Store!.Recovery.Redispatched);
        }

        Assert.Equal(before, SnapshotQueues());
    }

    [Fact]
    public async Task A_second_node_on_the_same_store_is_refused_naming_the_folder()
    {
        await using var node = await _dir.StartAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _dir.StartAsync());
        Assert.Contains(_dir.Path, error.Message);
    }

    [Fact]
    public async Task Sync_flush_answers_after_the_flush_and_groups_concurrent_puts()
    {
        await using var node = await _dir.StartAsync("akkabroker.store.flush-disk-type = SYNC_FLUSH");
        var store = node.Store!;
        var puts = Enumerable.Range(0, 64).Select(i => store.PutTextAsync("Sync", i % 4, Body(i))).ToArray();
        var results = await Task.WhenAll(puts);

        Assert.All(results, r => Assert.Equal(PutMessageStatus.PutOk, r.Status));
        var stats = await store.Flusher.Ask<Flusher.Stats>(Flusher.GetStats.Instance, TimeSpan.FromSeconds(5));
        Assert.Equal(64, stats.SyncRequests);
        Assert.True(stats.Flushes < 64, $"{stats.Flushes} flushes for 64 concurrent puts: group commit should need fewer");
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)] // through the transient pool: the writer wakes the committer, which wakes the flusher
    [InlineData(true, true)] // the committer is woken all the same, as in RocketMQ; only the flusher keeps to its timer
    public async Task Async_flush_follows_the_writes_unless_it_is_timed(bool timed, bool pool)
    {
        // Every timer is an hour away: whatever is committed or flushed was woken by the writes.
        await using var node = await _dir.StartAsync(
            "akkabroker.store.flush-interval-commit-log = 1h",
            "akkabroker.store.flush-commit-log-thorough-interval = 1h",
            "akkabroker.store.commit-interval-commit-log = 1h",
            "akkabroker.store.commit-commit-log-thorough-interval = 1h",
            $"akkabroker.store.flush-commit-log-timed = {(timed ? "true" : "false")}",
            $"akkabroker.store.transient-store-pool-enable = {(pool ? "true" : "false")}");
        var store = node.Store!;
        for (var round = 0; round < 30; round++) // about 2.5 MiB: a wake-up needs 1 MiB unflushed (or uncommitted)
        {
            var results = await Task.WhenAll(Enumerable.Range(round * 100, 100).Select(i => store.PutTextAsync("Async", i % 4, Body(i))));
            Assert.All(results, r => Assert.Equal(PutMessageStatus.PutOk, r.Status));
        }

        // With the pool, records are readable (and dispatched) only once committed.
        if (pool)
        {
            var dispatched = await StoreTestExtensions.EventuallyAsync(() => store.DispatchedOffset, d => d >= 1 << 20);
            Assert.True(dispatched >= 1 << 20, $"only {dispatched} bytes committed: the writes did not wake the committer");
        }

        var deadline = DateTime.UtcNow.AddSeconds(timed ? 0.5 : 10);
        Flusher.Stats stats;
        do
        {
            await Task.Delay(50);
            stats = await store.Flusher.Ask<Flusher.Stats>(Flusher.GetStats.Instance, TimeSpan.FromSeconds(5));
        }
        while (stats.Flushes == 0 && DateTime.UtcNow < deadline);

        if (timed) Assert.Equal(0, stats.Flushes);
        else Assert.True(stats.Flushes > 0, "the writes did not wake the flusher");
    }

    [Fact]
    public async Task Messages_are_found_by_key_by_unique_key_and_by_physical_offset()
    {
        await using var node = await _dir.StartAsync();
        var store = node.Store!;
        PutMessageResult target = default;
        for (var i = 0; i < 120; i++)
        {
            var r = await store.PutTextAsync("Keyed", 0, Body(i), ("KEYS", $"order-{i} customer-{i % 7}"), ("UNIQ_KEY", $"U{i:D6}"));
            if (i == 77) target = r;
        }

        await StoreTestExtensions.EventuallyAsync(() => store.DispatchedOffset, d => d == store.MaxPhysicalOffset);
        Assert.Equal([Body(77)], Query(store, "Keyed", "order-77"));
        Assert.Equal([Body(77)], Query(store, "Keyed", "U000077"));
        Assert.Equal(Enumerable.Range(0, 120).Where(i => i % 7 == 3).Reverse().Select(Body), Query(store, "Keyed", "customer-3", 100));
        Assert.Empty(Query(store, "Other", "order-77"));

        var buffer = new ArrayBufferWriter<byte>();
        Assert.True(store.LookUpByPhysicalOffset(target.PhysicalOffset, buffer));
        Assert.Equal(RecordReadStatus.Ok, MessageRecord.TryRead(buffer.WrittenSpan, true, out var view));
        Assert.Equal(Body(77), Encoding.UTF8.GetString(view.Body));
        Assert.False(store.LookUpByPhysicalOffset(target.PhysicalOffset + 1, new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public async Task A_corrupt_record_after_a_crash_truncates_the_log_there_and_keeps_what_precedes_it()
    {
        await using (var node = await _dir.StartAsync())
        {
            for (var i = 0; i < 20; i++) await node.Store!.PutTextAsync("T", 0, Body(i));
        }

        // Damage the 16th record's body and leave the abort marker as a crash would.
        var first = Path.Combine(_dir.Path, "commitlog", "00000000000000000000");
        var records = RecordOffsets(first);
        var bytes = File.ReadAllBytes(first);
        bytes[records[15] + 200] ^= 0xFF;
        File.WriteAllBytes(first, bytes);
        File.WriteAllText(Path.Combine(_dir.Path, "abort"), "");

        await using var again = await _dir.StartAsync();
        var store = again.Store!;
        Assert.True(store.Recovery.Abnormal);
        Assert.NotNull(store.Recovery.Problem);
        Assert.Equal(15, store.GetMaxOffset("T", 0));
        Assert.Equal(Enumerable.Range(0, 15).Select(Body), store.Get("T", 0, 0, max: 32).Bodies);
        var next = await store.PutTextAsync("T", 0, "after recovery");
        Assert.Equal(15, next.QueueOffset);
    }

    private static List<string> Query(MessageStore store, string topic, string key, int max = 32)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var count = store.QueryByKey(topic, key, max, 0, long.MaxValue, buffer);
        var bodies = StoreTestExtensions.Bodies(buffer.WrittenSpan);
        Assert.Equal(count, bodies.Count);
        return bodies;
    }

    private static List<int> RecordOffsets(string segment)
    {
        var bytes = File.ReadAllBytes(segment);
        var offsets = new List<int>();
        var at = 0;
        while (MessageRecord.TryRead(bytes.AsSpan(at), true, out var view) == RecordReadStatus.Ok)
        {
            offsets.Add(at);
            at += view.TotalSize;
        }

        return offsets;
    }

    private SortedDictionary<string, string> SnapshotQueues()
    {
        var root = Path.Combine(_dir.Path, "consumequeue");
        var snapshot = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(root, "*", SearchOption.AllDirectories))
            snapshot[Path.GetRelativePath(root, file)] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file)));
        return snapshot;
    }
}
