using System.Collections.Concurrent;
using AkkaBroker.Actors;
using AkkaBroker.Store.Config;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Broker.Consumers;

/// <summary>
/// Consumer offsets per group, topic and queue (RocketMQ's ConsumerOffsetManager). Commits arrive from many
/// request threads (UPDATE_CONSUMER_OFFSET, the pull's piggyback) and only ever overwrite one slot, so a
/// concurrent map is the whole concurrency story; the <see cref="OffsetStore"/> actor persists the table to
/// <c>config/consumerOffset.json</c> every <c>flush-consumer-offset-interval</c> and at shutdown.
/// </summary>
public sealed class ConsumerOffsetManager
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<int, long>> _offsets = new(StringComparer.Ordinal);
    private readonly string _path;
    private long _changes;
    private long _savedChanges;

    private ConsumerOffsetManager(string path) => _path = path;

    /// <summary>Loads <c>consumerOffset.json</c> (or its backup) from <paramref name="configDir"/>.</summary>
    public static ConsumerOffsetManager Load(string configDir, ILogger log)
    {
        var manager = new ConsumerOffsetManager(Path.Combine(configDir, ConsumerOffsetTable.FileName));
        var loaded = ConfigJson.Load<ConsumerOffsetTable>(manager._path);
        if (loaded.Problem is not null) log.LogWarning("consumerOffset.json unreadable ({Problem}); using its backup", loaded.Problem);
        foreach (var (key, queues) in loaded.Value.Offsets) manager._offsets[key] = new ConcurrentDictionary<int, long>(queues);
        return manager;
    }

    /// <summary>Stores <paramref name="offset"/> as the group's next offset in the queue; negative offsets are ignored.</summary>
    public void Commit(string group, string topic, int queueId, long offset)
    {
        // ali-ons sends -1 for an offset of 0 (reference §9.5): nothing to store.
        if (offset < 0) return;
        var queues = _offsets.GetOrAdd(ConsumerOffsetTable.KeyOf(topic, group), static _ => new ConcurrentDictionary<int, long>());
        queues[queueId] = offset;
        Interlocked.Increment(ref _changes);
    }

    /// <summary>The group's stored offset in the queue, or -1.</summary>
    public long Query(string group, string topic, int queueId) =>
        _offsets.TryGetValue(ConsumerOffsetTable.KeyOf(topic, group), out var queues) && queues.TryGetValue(queueId, out var offset) ? offset : -1;

    /// <summary>The group's stored offsets in every queue of the topic.</summary>
    public IReadOnlyDictionary<int, long> QueryAll(string group, string topic) =>
        _offsets.TryGetValue(ConsumerOffsetTable.KeyOf(topic, group), out var queues) ? new Dictionary<int, long>(queues) : new Dictionary<int, long>();

    /// <summary>The topics the group has offsets for.</summary>
    public IEnumerable<string> TopicsOf(string group)
    {
        var suffix = ConsumerOffsetTable.KeySeparator + group;
        foreach (var key in _offsets.Keys)
        {
            if (key.EndsWith(suffix, StringComparison.Ordinal)) yield return key[..^suffix.Length];
        }
    }

    /// <summary>The groups with offsets in the topic.</summary>
    public IEnumerable<string> GroupsOf(string topic)
    {
        var prefix = topic + ConsumerOffsetTable.KeySeparator;
        foreach (var key in _offsets.Keys)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal)) yield return key[prefix.Length..];
        }
    }

    /// <summary>Forgets every offset of the topic (the topic was deleted).</summary>
    public void RemoveTopic(string topic)
    {
        foreach (var group in GroupsOf(topic).ToList()) _offsets.TryRemove(ConsumerOffsetTable.KeyOf(topic, group), out _);
        Interlocked.Increment(ref _changes);
    }

    /// <summary>Forgets every offset of the group (its subscription group was deleted with removeOffset).</summary>
    public void RemoveGroup(string group)
    {
        foreach (var topic in TopicsOf(group).ToList()) _offsets.TryRemove(ConsumerOffsetTable.KeyOf(topic, group), out _);
        Interlocked.Increment(ref _changes);
    }

    /// <summary>A copy of the whole table, as consumerOffset.json holds it (GET_ALL_CONSUMER_OFFSET).</summary>
    public ConsumerOffsetTable Snapshot()
    {
        var table = new ConsumerOffsetTable();
        foreach (var (key, queues) in _offsets.OrderBy(o => o.Key, StringComparer.Ordinal))
            table.Offsets[key] = new Dictionary<int, long>(queues.OrderBy(q => q.Key));
        return table;
    }

    /// <summary>Writes the table when it changed since the last save. Called by one actor only.</summary>
    public void Persist()
    {
        var changes = Interlocked.Read(ref _changes);
        if (changes == _savedChanges && File.Exists(_path)) return;
        var table = new ConsumerOffsetTable();
        foreach (var (key, queues) in _offsets) table.Offsets[key] = new Dictionary<int, long>(queues.OrderBy(q => q.Key));
        ConfigJson.Save(_path, table);
        _savedChanges = changes;
    }
}

/// <summary>Persists consumer offsets on a timer and when stopped (DESIGN.md §3 OffsetStore).</summary>
public sealed class OffsetStore : ActorBase
{
    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }

    private readonly ConsumerOffsetManager _offsets;
    private readonly TimeSpan _interval;

    private OffsetStore(ConsumerOffsetManager offsets, TimeSpan interval)
    {
        _offsets = offsets;
        _interval = interval;
    }

    /// <summary>Props for the actor persisting <paramref name="offsets"/> every <paramref name="interval"/>.</summary>
    public static Props Props(ConsumerOffsetManager offsets, TimeSpan interval) => Actors.Props.Create(() => new OffsetStore(offsets, interval));

    /// <inheritdoc />
    protected override void PreStart() => Timers.StartPeriodicTimer("persist", Tick.Instance, _interval);

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        if (message is Tick) Persist();
        else Unhandled(message);
    }

    /// <inheritdoc />
    protected override void PostStop() => Persist();

    private void Persist()
    {
        try
        {
            _offsets.Persist();
        }
        catch (IOException e)
        {
            Context.Log.LogError(e, "Could not persist consumer offsets");
        }
    }
}
