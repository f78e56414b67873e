using AkkaBroker.NameServer;
using AkkaBroker.Store;
using AkkaBroker.Store.Config;

namespace AkkaBroker.Hosting;

/// <summary>
/// The name server's KV config in a <c>kvConfig.json</c> of Java's shape, written crash-safely with a <c>.bak</c>
/// copy (<see cref="ConfigFile"/>). The host owns the file so the name server stays free of file I/O.
/// </summary>
public sealed class KvConfigFile : IKvConfigStore
{
    /// <summary>Keeps the KV config at <paramref name="path"/>.</summary>
    public KvConfigFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Location = path;
    }

    /// <inheritdoc />
    public string Location { get; }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Dictionary<string, string>> Load()
    {
        try
        {
            return ConfigJson.Load<KvConfigDocument>(Location).Value.ConfigTable;
        }
        catch (StoreCorruptException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }

    /// <inheritdoc />
    public void Save(Dictionary<string, Dictionary<string, string>> table)
    {
        ArgumentNullException.ThrowIfNull(table);
        ConfigJson.Save(Location, new KvConfigDocument { ConfigTable = table });
    }
}
