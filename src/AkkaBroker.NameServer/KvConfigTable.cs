using AkkaBroker.Protocol.Json;

namespace AkkaBroker.NameServer;

/// <summary>
/// The name server's KV config (RocketMQ's KVConfigManager): values by namespace and key, saved through an
/// <see cref="IKvConfigStore"/> when the host gives one. Single owner (<see cref="RouteRegistry"/>): not thread-safe.
/// </summary>
public sealed class KvConfigTable
{
    /// <summary>The namespace whose key is a topic and whose value (<c>brokerName:queueNums;…</c>) makes it ordered.</summary>
    public const string OrderTopicConfigNamespace = "ORDER_TOPIC_CONFIG";

    private readonly Dictionary<string, Dictionary<string, string>> _namespaces = new(StringComparer.Ordinal);

    /// <summary>A table holding <paramref name="saved"/> (what an <see cref="IKvConfigStore"/> loaded).</summary>
    public static KvConfigTable From(IReadOnlyDictionary<string, Dictionary<string, string>> saved)
    {
        ArgumentNullException.ThrowIfNull(saved);
        var table = new KvConfigTable();
        foreach (var (ns, pairs) in saved)
        {
            foreach (var (key, value) in pairs) table.Put(ns, key, value);
        }

        return table;
    }

    /// <summary>A copy of every namespace's pairs, for an <see cref="IKvConfigStore"/> to save.</summary>
    public Dictionary<string, Dictionary<string, string>> Snapshot() =>
        _namespaces.ToDictionary(e => e.Key, e => new Dictionary<string, string>(e.Value, StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>Sets a value, creating the namespace when needed.</summary>
    public void Put(string ns, string key, string value)
    {
        if (!_namespaces.TryGetValue(ns, out var table)) _namespaces[ns] = table = new(StringComparer.Ordinal);
        table[key] = value;
    }

    /// <summary>The value, or null.</summary>
    public string? Get(string ns, string key) =>
        _namespaces.TryGetValue(ns, out var table) && table.TryGetValue(key, out var value) ? value : null;

    /// <summary>Removes a value; an emptied namespace stays, as in Java. Returns whether it existed.</summary>
    public bool Delete(string ns, string key) => _namespaces.TryGetValue(ns, out var table) && table.Remove(key);

    /// <summary>A copy of the namespace's pairs sorted by key, or null when the namespace was never created.</summary>
    public KVTable? List(string ns)
    {
        if (!_namespaces.TryGetValue(ns, out var table)) return null;
        var copy = new KVTable();
        foreach (var (key, value) in table.OrderBy(e => e.Key, StringComparer.Ordinal)) copy.Table[key] = value;
        return copy;
    }
}

/// <summary>
/// Where the KV config survives restarts (the host supplies the file: the name server itself does no file I/O,
/// DESIGN.md §1). Called on the registry's thread only.
/// </summary>
public interface IKvConfigStore
{
    /// <summary>Where it is kept, for logs and errors.</summary>
    string Location { get; }

    /// <summary>The saved table; empty when nothing was saved yet.</summary>
    /// <exception cref="InvalidDataException">What is saved cannot be read (starting empty would silently lose it).</exception>
    /// <exception cref="IOException">The storage cannot be read.</exception>
    IReadOnlyDictionary<string, Dictionary<string, string>> Load();

    /// <summary>Replaces what is saved with <paramref name="table"/> (a <see cref="KvConfigTable.Snapshot"/>, the store's to keep), durably.</summary>
    /// <exception cref="IOException">The write failed; the previous copy is intact.</exception>
    void Save(Dictionary<string, Dictionary<string, string>> table);
}
