using AkkaBroker.Actors;
using AkkaBroker.Broker;
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
    private readonly List<IActorRef> _guardians;

    private AkkaBrokerNode(ActorSystem system, NodeRoles roles, List<IActorRef> guardians, ILogger log)
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

        var log = loggerFactory.CreateLogger<AkkaBrokerNode>();
        var system = ActorSystem.Create("akkabroker", actorSettings, loggerFactory);
        var node = new AkkaBrokerNode(system, roles, [], log);
        try
        {
            if (nameServer is not null)
            {
                var guardian = system.ActorOf(NameServerGuardian.Props(nameServer), "namesrv");
                node._guardians.Add(guardian);
                await guardian.Ask<NameServerGuardian.Ready>(NameServerGuardian.Start.Instance, StartTimeout, cancellationToken);
            }

            if (broker is not null)
            {
                var guardian = system.ActorOf(BrokerGuardian.Props(broker), "broker");
                node._guardians.Add(guardian);
                await guardian.Ask<BrokerGuardian.Ready>(BrokerGuardian.Start.Instance, StartTimeout, cancellationToken);
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
        for (var i = _guardians.Count - 1; i >= 0; i--)
        {
            if (!await _guardians[i].GracefulStop(timeout))
                _log.LogWarning("{Guardian} did not stop within {Timeout}", _guardians[i].Path, timeout);
        }

        _guardians.Clear();
        await System.Terminate();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync(StopTimeout);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
}
