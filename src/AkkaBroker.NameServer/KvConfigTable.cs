using System.Text.Json.Serialization;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Store.Config;

namespace AkkaBroker.NameServer;

/// <summary>
/// The name server's KV config (RocketMQ's KVConfigManager): values by namespace and key, kept in a
/// <c>kvConfig.json</c> of Java's shape when a path is configured. Single owner (<see cref="RouteRegistry"/>): not thread-safe.
/// </summary>
public sealed class KvConfigTable
{
    /// <summary>The namespace whose key is a topic and whose value (<c>brokerName:queueNums;…</c>) makes it ordered.</summary>
    public const string OrderTopicConfigNamespace = "ORDER_TOPIC_CONFIG";

    private readonly Dictionary<string, Dictionary<string, string>> _namespaces = new(StringComparer.Ordinal);

    /// <summary>
    /// Reads <paramref name="path"/> (or its <c>.bak</c> copy); empty when neither exists. <paramref name="problem"/>
    /// says why the main file was not used, for the log.
    /// </summary>
    /// <exception cref="AkkaBroker.Store.StoreCorruptException">Both copies exist and neither parses.</exception>
    public static KvConfigTable Load(string path, out string? problem)
    {
        var loaded = ConfigJson.Load<KvConfigFile>(path);
        problem = loaded.Problem;
        var table = new KvConfigTable();
        foreach (var (ns, pairs) in loaded.Value.ConfigTable)
        {
            foreach (var (key, value) in pairs) table.Put(ns, key, value);
        }

        return table;
    }

    /// <summary>Writes the whole table to <paramref name="path"/> atomically (the previous copy becomes <c>.bak</c>).</summary>
    public void Save(string path)
    {
        var file = new KvConfigFile();
        foreach (var (ns, pairs) in _namespaces) file.ConfigTable[ns] = new Dictionary<string, string>(pairs, StringComparer.Ordinal);
        ConfigJson.Save(path, file);
    }

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

/// <summary><c>kvConfig.json</c>: Java's KVConfigSerializeWrapper, <c>{"configTable":{namespace:{key:value}}}</c>.</summary>
public sealed class KvConfigFile
{
    /// <summary>Values by namespace and key.</summary>
    [JsonPropertyName("configTable")]
    public Dictionary<string, Dictionary<string, string>> ConfigTable { get; set; } = new(StringComparer.Ordinal);
}
