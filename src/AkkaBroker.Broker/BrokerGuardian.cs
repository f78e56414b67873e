using AkkaBroker.Actors;
using AkkaBroker.Broker.Storage;
using AkkaBroker.Protocol;
using AkkaBroker.Store;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Broker;

/// <summary>
/// Root actor of a broker node (DESIGN.md §3): owns start-up and shutdown order of the node's actors.
/// It is started with <see cref="Start"/> so that a failure to start (a locked or damaged store) reaches the caller
/// as a reply instead of a restart loop; it is stopped with <see cref="Shutdown"/> so the store closes in order.
/// </summary>
public sealed class BrokerGuardian : ActorBase
{
    /// <summary>Asks the guardian to bring the node up; the reply is <see cref="Ready"/> or <see cref="Status.Failure"/>.</summary>
    public sealed record Start
    {
        /// <summary>The one instance.</summary>
        public static readonly Start Instance = new();
    }

    /// <summary>The node is up.</summary>
    /// <param name="Description">One line for the log: who this broker is and where it stores.</param>
    /// <param name="Store">The node's store.</param>
    public sealed record Ready(string Description, MessageStore Store);

    /// <summary>Stops the node in order (store last); use as the stop message of a graceful stop.</summary>
    public sealed record Shutdown
    {
        /// <summary>The one instance.</summary>
        public static readonly Shutdown Instance = new();
    }

    private static readonly TimeSpan StoreStopTimeout = TimeSpan.FromSeconds(30);
    private readonly BrokerNodeSettings _settings;
    private MessageStore? _store;

    /// <summary>Creates the guardian for the given settings.</summary>
    public BrokerGuardian(BrokerNodeSettings settings) => _settings = settings;

    /// <summary>Props for a guardian of these settings.</summary>
    public static Props Props(BrokerNodeSettings settings) => Actors.Props.Create(() => new BrokerGuardian(settings));

    /// <summary>A store actor that throws has hit a bug, not bad state: it keeps its state and goes on, loudly.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(-1, TimeSpan.Zero, _ => Directive.Resume);

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Start when _store is not null:
                Sender.Tell(new Ready(Describe(), _store));
                break;
            case Start:
                StartNode();
                break;
            case Shutdown:
                var store = _store;
                _store = null;
                RunTask(async () =>
                {
                    if (store is not null) await store.StopAsync(StoreStopTimeout);
                    Context.Log.LogInformation("Broker {BrokerName} stopped", _settings.Broker.BrokerName);
                    Context.Stop(Self);
                });
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        // Stopped without Shutdown (the system terminating): still release the store's files and lock.
        if (_store is { } store) store.StopAsync(StoreStopTimeout).GetAwaiter().GetResult();
    }

    private void StartNode()
    {
        var broker = _settings.Broker;
        try
        {
            if (!HostAndPort.TryParse($"{broker.BrokerIp1}:{broker.ListenPort}", out var storeHost))
                throw new InvalidOperationException($"akkabroker.broker.broker-ip1 '{broker.BrokerIp1}' is not an IP address");
            _store = MessageStore.Start(Context, _settings.Store, storeHost, broker.IsMaster);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            var reason = e is StoreLockedException or StoreCorruptException
                ? e.Message
                : $"broker cannot use store folder '{_settings.Store.StorePathRootDir}': {e.Message}";
            Sender.Tell(new Status.Failure(new InvalidOperationException(reason, e)));
            Context.Stop(Self);
            return;
        }

        var r = _store.Recovery;
        Context.Log.LogInformation(
            "Store opened after a {Kind} shutdown: CommitLog end {MaxOffset}, {Redispatched} records re-dispatched",
            r.Abnormal ? "crash (abnormal)" : "clean", r.MaxOffset, r.Redispatched);
        if (r.Problem is not null) Context.Log.LogWarning("Store recovery: {Problem}", r.Problem);
        if (r.CheckpointWarning is not null) Context.Log.LogWarning("Store checkpoint: {Warning}", r.CheckpointWarning);
        foreach (var skipped in r.SkippedFiles) Context.Log.LogWarning("Store: {Skipped}", skipped);
        Context.Log.LogInformation("Broker started: {Description}", Describe());
        Sender.Tell(new Ready(Describe(), _store));
    }

    private string Describe()
    {
        var b = _settings.Broker;
        return $"{b.BrokerName} id {b.BrokerId} ({b.BrokerRole}) in cluster {b.BrokerClusterName}, port {b.ListenPort}, " +
               $"store {Path.GetFullPath(_settings.Store.StorePathRootDir)} ({_settings.Store.FlushDiskType})";
    }
}
