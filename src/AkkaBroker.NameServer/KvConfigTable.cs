using AkkaBroker.Protocol.Json;

namespace AkkaBroker.NameServer;

/// <summary>
/// The name server's KV config (RocketMQ's KVConfigManager): values by namespace and key. Held in memory only: unlike
/// Java's kvConfig.json it does not survive a restart. Single owner (<see cref="RouteRegistry"/>): not thread-safe.
/// </summary>
public sealed class KvConfigTable
{
    /// <summary>The namespace whose key is a topic and whose value (<c>brokerName:queueNums;…</c>) makes it ordered.</summary>
    public const string OrderTopicConfigNamespace = "ORDER_TOPIC_CONFIG";

    private readonly Dictionary<string, Dictionary<string, string>> _namespaces = new(StringComparer.Ordinal);

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
