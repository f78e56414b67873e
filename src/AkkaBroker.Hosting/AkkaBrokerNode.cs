using System.Net;
using AkkaBroker.Actors;
using AkkaBroker.Broker.Processing;
using AkkaBroker.Remoting;
using AkkaBroker.Broker;
using AkkaBroker.Broker.Storage;
using AkkaBroker.Hocon;
using AkkaBroker.NameServer;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Hosting;

/// <summary>
/// A running AkkaBroker node: one actor system with the guardians of the roles its config names.
/// Start order is name server, then broker (a broker registers with the name server); stop order is the reverse.
/// </summary>
public sealed class AkkaBrokerNode : IAsyncDisposable
{
    private readonly ILogger _log;
    private readonly List<(IActorRef Guardian, object StopMessage)> _guardians;
    private readonly List<RemotingListener> _listeners = [];

    private AkkaBrokerNode(ActorSystem system, NodeRoles roles, List<(IActorRef, object)> guardians, ILogger log)
    {
        System = system;
        Roles = roles;
        _guardians = guardians;
        _log = log;
    }

    /// <summary>The node's actor system.</summary>
    public ActorSystem System { get; }

    /// <summary>The roles this node runs.</summary>
    public NodeRoles Roles { get; }

    /// <summary>The broker's message store, or null when the node runs no broker.</summary>
    public MessageStore? Store { get; private set; }

    /// <summary>What the broker's processors share (topics, offsets, consumer groups), or null when the node runs no broker.</summary>
    public BrokerServices? Broker { get; private set; }

    /// <summary>The name server's bound address, or null when the node runs none.</summary>
    public IPEndPoint? NameServerEndPoint { get; private set; }

    /// <summary>The broker's bound address, or null when the node runs none.</summary>
    public IPEndPoint? BrokerEndPoint { get; private set; }

    /// <summary>Reads every setting first (so a bad config fails before anything starts), then starts the roles.</summary>
    /// <param name="config">Resolved config with reference.conf as fallback (see <see cref="NodeConfig.Load"/>).</param>
    /// <param name="loggerFactory">Where the node logs.</param>
    /// <param name="cancellationToken">Cancels a start that takes too long.</param>
    /// <exception cref="ConfigException">A setting is missing, ill-typed or out of range.</exception>
    /// <exception cref="InvalidOperationException">A role failed to start; the message says why.</exception>
    public static async Task<AkkaBrokerNode> StartAsync(Config config, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        var roles = NodeRolesConfig.Read(config);
        var actorSettings = ActorSystemSettings.Create(config);
        var nameServer = roles.HasFlag(NodeRoles.NameServer) ? NameServerSettings.Create(config) : null;
        var broker = roles.HasFlag(NodeRoles.Broker) ? BrokerNodeSettings.Create(config) : null;
        var remoting = RemotingSettings.Create(config);

        var log = loggerFactory.CreateLogger<AkkaBrokerNode>();
        var system = ActorSystem.Create("akkabroker", actorSettings, loggerFactory);
        var node = new AkkaBrokerNode(system, roles, [], log);
        try
        {
            if (nameServer is not null)
            {
                var kvStore = nameServer.KvConfigPath.Length > 0 ? new KvConfigFile(nameServer.KvConfigPath) : null;
                var guardian = system.ActorOf(NameServerGuardian.Props(nameServer, kvStore), "namesrv");
                node._guardians.Add((guardian, PoisonPill.Instance));
                var ready = await guardian.Ask<NameServerGuardian.Ready>(NameServerGuardian.Start.Instance, StartTimeout, cancellationToken);
                var listener = await RemotingListener.StartAsync("Name server", nameServer.ListenAddress, nameServer.ListenPort, ready.Handler,
                    remoting, loggerFactory, cancellationToken);
                node._listeners.Add(listener);
                node.NameServerEndPoint = listener.EndPoint;
            }

            if (broker is not null)
            {
                var guardian = system.ActorOf(BrokerGuardian.Props(broker), "broker");
                node._guardians.Add((guardian, BrokerGuardian.Shutdown.Instance));
                var ready = await guardian.Ask<BrokerGuardian.Ready>(BrokerGuardian.Start.Instance, StartTimeout, cancellationToken);
                node.Store = ready.Store;
                node.Broker = ready.Services;
                var listener = await RemotingListener.StartAsync("Broker", broker.Broker.ListenAddress, broker.Broker.ListenPort, ready.Handler,
                    remoting, loggerFactory, cancellationToken);
                node._listeners.Add(listener);
                node.BrokerEndPoint = listener.EndPoint;
            }
        }
        catch
        {
            await node.StopAsync(StopTimeout);
            throw;
        }

        log.LogInformation("AkkaBroker node up ({Roles})", roles);
        return node;
    }

    /// <summary>Stops the roles in reverse start order, each given <paramref name="timeout"/>, then the actor system.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        // Ports first, so no request arrives at a role that is stopping.
        for (var i = _listeners.Count - 1; i >= 0; i--) await _listeners[i].DisposeAsync();
        _listeners.Clear();
        for (var i = _guardians.Count - 1; i >= 0; i--)
        {
            var (guardian, stopMessage) = _guardians[i];
            if (!await guardian.GracefulStop(timeout, stopMessage))
                _log.LogWarning("{Guardian} did not stop within {Timeout}", guardian.Path, timeout);
        }

        _guardians.Clear();
        Store = null;
        Broker = null;
        await System.Terminate();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync(StopTimeout);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
}
