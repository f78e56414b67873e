using AkkaBroker.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace AkkaBroker.TestKit;

/// <summary>
/// A whole node (name server and broker in one process) on free loopback ports over a temp store: what client,
/// compatibility and integration tests run against. Small CommitLog segments keep the temp folder small.
/// </summary>
public sealed class EmbeddedNode : IAsyncDisposable
{
    private readonly string[] _overrides;
    private readonly bool _ownsRoot;

    private EmbeddedNode(AkkaBrokerNode node, string root, bool ownsRoot, int nameServerPort, int brokerPort, string[] overrides)
    {
        Node = node;
        StoreRoot = root;
        _ownsRoot = ownsRoot;
        NameServerPort = nameServerPort;
        BrokerPort = brokerPort;
        _overrides = overrides;
    }

    /// <summary>The running node.</summary>
    public AkkaBrokerNode Node { get; private set; }

    /// <summary>The store root folder.</summary>
    public string StoreRoot { get; }

    /// <summary>The name server's port.</summary>
    public int NameServerPort { get; }

    /// <summary>The broker's port.</summary>
    public int BrokerPort { get; }

    /// <summary>"127.0.0.1:port" of the name server.</summary>
    public string NameServerAddress => $"127.0.0.1:{NameServerPort}";

    /// <summary>"127.0.0.1:port" of the broker, as routes publish it.</summary>
    public string BrokerAddress => $"127.0.0.1:{BrokerPort}";

    /// <summary>
    /// Starts a node; <paramref name="storeRoot"/> reuses a store (null: a new temp folder, deleted on dispose);
    /// <paramref name="overrides"/> are extra HOCON lines (declared topics, delay levels, ...), applied last.
    /// </summary>
    public static async Task<EmbeddedNode> StartAsync(string? storeRoot = null, params string[] overrides)
    {
        var owns = storeRoot is null;
        storeRoot ??= Directory.CreateTempSubdirectory("akkabroker-node-").FullName;
        string[] all =
        [
            "akkabroker.roles = [namesrv, broker]",
            $"akkabroker.store.store-path-root-dir = \"{storeRoot.Replace("\\", "/", StringComparison.Ordinal)}\"",
            $"akkabroker.namesrv.kv-config-path = \"{Path.Combine(storeRoot, "namesrv", "kvConfig.json").Replace("\\", "/", StringComparison.Ordinal)}\"",
            "akkabroker.store.mapped-file-size-commit-log = 16m",
            "akkabroker.store.max-hash-slot-num = 1024",
            "akkabroker.store.max-index-num = 4096",
            .. FreePorts.NodeOverrides(out var nameServerPort, out var brokerPort),
            .. overrides,
        ];
        var node = await AkkaBrokerNode.StartAsync(NodeConfig.Load(null, all), NullLoggerFactory.Instance);
        return new EmbeddedNode(node, storeRoot, owns, nameServerPort, brokerPort, all);
    }

    /// <summary>Stops the node cleanly and starts it again on the same store and ports.</summary>
    public async Task RestartAsync()
    {
        await Node.StopAsync(TimeSpan.FromSeconds(30));
        Node = await AkkaBrokerNode.StartAsync(NodeConfig.Load(null, _overrides), NullLoggerFactory.Instance);
    }

    /// <summary>Stops the node (after <see cref="StopAsync"/> only the folder is removed).</summary>
    public Task StopAsync() => Node.StopAsync(TimeSpan.FromSeconds(30));

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Node.StopAsync(TimeSpan.FromSeconds(30));
        if (!_ownsRoot) return;
        try
        {
            Directory.Delete(StoreRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
