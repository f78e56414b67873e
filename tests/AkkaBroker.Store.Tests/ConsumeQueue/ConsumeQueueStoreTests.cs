using AkkaBroker.Store.ConsumeQueues;

namespace AkkaBroker.Store.Tests.ConsumeQueue;

public sealed class ConsumeQueueStoreTests : IDisposable
{
    private const int FileSize = 64 * 20;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private ConsumeQueueStore OpenStore(out IReadOnlyList<string> problems)
    {
        var store = new ConsumeQueueStore(_dir.Path, FileSize);
        problems = store.Load();
        store.RecoverAll();
        return store;
    }

    [Fact]
    public void Queues_are_created_found_and_reloaded_with_their_offsets()
    {
        using (var store = OpenStore(out _))
        {
            var a = store.GetOrCreate("TopicA", 0);
            Assert.Same(a, store.GetOrCreate("TopicA", 0));
            for (var i = 0; i < 100; i++) a.PutUnit(i, i * 10L, 10, 0);
            store.GetOrCreate("%RETRY%G1", 1).PutUnit(0, 5000, 50, 0);
            Assert.True(store.TryGet("TopicA", 0, out var found));
            Assert.Same(a, found);
            Assert.False(store.TryGet("TopicA", 1, out _));
            Assert.Equal(5050, store.MaxPhysicalOffsetDispatched);
            store.FlushAll(0);
        }

        using var reopened = OpenStore(out var problems);
        Assert.Empty(problems);
        Assert.Equal(["%RETRY%G1", "TopicA"], reopened.Topics.Order(StringComparer.Ordinal));
        Assert.True(reopened.TryGet("TopicA", 0, out var queue));
        Assert.Equal(100, queue.MaxOffset);
        Assert.Equal(5050, reopened.MaxPhysicalOffsetDispatched);

        reopened.TruncateDirtyAll(500);
        Assert.Equal(50, queue.MaxOffset);
        Assert.True(reopened.TryGet("%RETRY%G1", 1, out var retry));
        Assert.Equal(0, retry.MaxOffset);
        Assert.Equal(500, reopened.MaxPhysicalOffsetDispatched);
    }

    [Fact]
    public void Foreign_folders_and_files_are_skipped_and_reported()
    {
        var root = Path.Combine(_dir.Path, "consumequeue");
        Directory.CreateDirectory(Path.Combine(root, "bad topic!", "0"));
        Directory.CreateDirectory(Path.Combine(root, "TopicB", "x1"));
        Directory.CreateDirectory(Path.Combine(root, "TopicB", "007"));
        Directory.CreateDirectory(Path.Combine(root, "TopicB", "2"));
        File.WriteAllText(Path.Combine(root, "README"), "hi");

        using var store = OpenStore(out var problems);
        Assert.Equal(4, problems.Count);
        Assert.True(store.TryGet("TopicB", 2, out _));
        Assert.Single(store.AllQueues());
    }

    [Fact]
    public void DeleteTopic_removes_its_queues_and_folder()
    {
        using var store = OpenStore(out _);
        store.GetOrCreate("TopicC", 0).PutUnit(0, 0, 10, 0);
        store.GetOrCreate("TopicC", 1).PutUnit(0, 10, 10, 0);

        Assert.True(store.DeleteTopic("TopicC"));
        Assert.False(store.TryGet("TopicC", 0, out _));
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, "consumequeue", "TopicC")));
        Assert.False(store.DeleteTopic("TopicC"));
        Assert.Throws<ArgumentException>(() => store.GetOrCreate("bad/topic", 0));
    }
}
