using System.Collections.Concurrent;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Store.Config;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Broker;

/// <summary>
/// A table of named configs kept in memory and in one config file (topics.json, subscriptionGroup.json), as the
/// Java broker's config managers keep theirs. Reads are lock-free on every thread; changes are serialised by one
/// gate, and each bumps the table's <see cref="DataVersion"/> and saves the file atomically. Entries are replaced,
/// never mutated, so a reader holding one sees a consistent value. A failed save is logged and tried again at the
/// next change: the table in memory stays right.
/// </summary>
/// <typeparam name="TConfig">One entry's config.</typeparam>
/// <typeparam name="TDocument">The file's document.</typeparam>
internal sealed class VersionedConfigTable<TConfig, TDocument> where TConfig : class
{
    private readonly ConcurrentDictionary<string, TConfig> _items = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly string _path;
    private readonly Func<DataVersion, IEnumerable<KeyValuePair<string, TConfig>>, TDocument> _document;
    private readonly ILogger _log;
    private readonly TimeProvider _clock;
    private DataVersion _version;

    /// <summary>
    /// A table saved to <paramref name="path"/> as <paramref name="document"/> builds it from the version and the
    /// entries (sorted by name), starting at <paramref name="version"/> with no entries.
    /// </summary>
    public VersionedConfigTable(string path, DataVersion version, Func<DataVersion, IEnumerable<KeyValuePair<string, TConfig>>, TDocument> document,
        ILogger log, TimeProvider clock)
    {
        _path = path;
        _version = version;
        _document = document;
        _log = log;
        _clock = clock;
    }

    /// <summary>How many entries there are.</summary>
    public int Count => _items.Count;

    /// <summary>Every entry.</summary>
    public ICollection<TConfig> Values => _items.Values;

    /// <summary>The entry named <paramref name="name"/>, or null.</summary>
    public TConfig? Find(string name) => _items.GetValueOrDefault(name);

    /// <summary>Whether <paramref name="name"/> is present.</summary>
    public bool Contains(string name) => _items.ContainsKey(name);

    /// <summary>Puts an entry while loading: no version bump, no save.</summary>
    public void Load(string name, TConfig config) => _items[name] = config;

    /// <summary>Adds an entry while loading unless one is present: no version bump, no save.</summary>
    public bool LoadIfMissing(string name, TConfig config) => _items.TryAdd(name, config);

    /// <summary>Creates or replaces an entry and saves; returns whether one was replaced.</summary>
    public bool Put(string name, TConfig config)
    {
        lock (_gate)
        {
            var existed = _items.ContainsKey(name);
            _items[name] = config;
            Touch();
            return existed;
        }
    }

    /// <summary>Adds <paramref name="config"/> and saves unless an entry is present (perhaps added by a racing thread), which is returned instead.</summary>
    public TConfig GetOrAdd(string name, TConfig config, out bool added)
    {
        lock (_gate)
        {
            if (_items.TryGetValue(name, out var present))
            {
                added = false;
                return present;
            }

            _items[name] = config;
            Touch();
            added = true;
            return config;
        }
    }

    /// <summary>Removes an entry and saves; false when there was none.</summary>
    public bool Remove(string name)
    {
        lock (_gate)
        {
            if (!_items.TryRemove(name, out _)) return false;
            Touch();
            return true;
        }
    }

    /// <summary>
    /// What <paramref name="build"/> makes of a copy of the version and the entries sorted by name (it runs under the
    /// gate, so the two agree and it must copy the entries before returning), for a wire body.
    /// </summary>
    public T Snapshot<T>(Func<DataVersion, IEnumerable<KeyValuePair<string, TConfig>>, T> build)
    {
        lock (_gate)
        {
            var version = new DataVersion { Counter = _version.Counter, Timestamp = _version.Timestamp };
            return build(version, Sorted());
        }
    }

    /// <summary>Saves the table as it is (after loading added entries the file lacks, or when the file came from its backup).</summary>
    public void Save()
    {
        lock (_gate) SaveLocked();
    }

    private IEnumerable<KeyValuePair<string, TConfig>> Sorted() => _items.OrderBy(e => e.Key, StringComparer.Ordinal);

    // Caller holds the gate. A new DataVersion object, since snapshots handed out earlier may still be serialised.
    private void Touch()
    {
        _version = new DataVersion { Counter = _version.Counter, Timestamp = _version.Timestamp };
        _version.Next(_clock.GetUtcNow().ToUnixTimeMilliseconds());
        SaveLocked();
    }

    private void SaveLocked()
    {
        try
        {
            ConfigJson.Save(_path, _document(_version, Sorted()));
        }
        catch (IOException e)
        {
            _log.LogError(e, "Could not save {Path}", _path);
        }
    }
}
