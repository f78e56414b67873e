using AkkaBroker.Actors;
using AkkaBroker.Broker.Consumers;
using AkkaBroker.Broker.Delay;
using AkkaBroker.Broker.Polling;
using AkkaBroker.Broker.Processing;
using AkkaBroker.Broker.Registration;
using AkkaBroker.Broker.Storage;
using AkkaBroker.Broker.Topics;
using AkkaBroker.Protocol;
using AkkaBroker.Remoting;
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
    /// <param name="Services">What the request processors share (topics, offsets, consumer groups).</param>
    /// <param name="Handler">Answers requests on the broker port; the host serves it on every accepted connection.</param>
    public sealed record Ready(string Description, MessageStore Store, BrokerServices Services, RemotingRequestHandler Handler);

    /// <summary>Stops the node in order (store last); use as the stop message of a graceful stop.</summary>
    public sealed record Shutdown
    {
        /// <summary>The one instance.</summary>
        public static readonly Shutdown Instance = new();
    }

    private static readonly TimeSpan StoreStopTimeout = TimeSpan.FromSeconds(30);
    private readonly BrokerNodeSettings _settings;
    private MessageStore? _store;
    private BrokerServices? _services;
    private RequestProcessorTable? _processors;
    private Ready? _ready;

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
            case Start when _ready is not null:
                Sender.Tell(_ready);
                break;
            case Start when _store is not null:
                break; // still registering; the first Start gets the answer
            case Start:
                StartNode();
                break;
            case Shutdown:
                var store = _store;
                var services = _services;
                var processors = _processors;
                _store = null;
                _services = null;
                _processors = null;
                RunTask(async () =>
                {
                    if (processors is not null) await processors.DisposeAsync();
                    if (services is not null)
                    {
                        // Unregister first so clients stop routing here, then persist offsets and delay progress.
                        await services.Registrar.GracefulStop(StoreStopTimeout);
                        await services.QueueRegion.GracefulStop(StoreStopTimeout);
                        await services.ConsumerGroups.GracefulStop(StoreStopTimeout);
                        await services.Scheduler.GracefulStop(StoreStopTimeout);
                        await _offsetStore!.GracefulStop(StoreStopTimeout);
                    }

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
        HostAndPort storeHostOf;
        try
        {
            if (!HostAndPort.TryParse($"{broker.BrokerIp1}:{broker.ListenPort}", out var storeHost))
                throw new InvalidOperationException($"akkabroker.broker.broker-ip1 '{broker.BrokerIp1}' is not an IP address");
            _store = MessageStore.Start(Context, _settings.Store, storeHost, broker.IsMaster);
            storeHostOf = storeHost;
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

        try
        {
            _services = StartServices(_store, storeHostOf);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or StoreCorruptException)
        {
            Sender.Tell(new Status.Failure(new InvalidOperationException($"broker cannot load its config files: {e.Message}", e)));
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
        var ready = new Ready(Describe(), _store, _services, _processors!.Handler);
        var replyTo = Sender;
        var registrar = _services.Registrar;
        var log = Context.Log;
        var self = Self;
        // Clients look routes up as soon as the port answers: register before saying ready (a name server that is
        // down only delays this by the request timeout; registration goes on every period).
        RunTask(async () =>
        {
            var registered = await registrar.Ask<NameServerRegistrar.Registered>(NameServerRegistrar.RegisterNow.Instance, TimeSpan.FromSeconds(30));
            if (registered.Succeeded < registered.Total)
                log.LogWarning("Registered with {Succeeded} of {Total} name servers; retrying every period", registered.Succeeded, registered.Total);
            _ready = ready;
            log.LogInformation("Broker started: {Description}", Describe());
            replyTo.Tell(ready);
        });
    }

    private IActorRef? _offsetStore;

    private BrokerServices StartServices(MessageStore store, HostAndPort storeHost)
    {
        var broker = _settings.Broker;
        var configDir = Path.Combine(_settings.Store.StorePathRootDir, "config");
        Directory.CreateDirectory(configDir);
        var topics = TopicConfigManager.Load(configDir, broker, _settings.Store.MessageDelayLevels.Count, Context.Log);
        var offsets = ConsumerOffsetManager.Load(configDir, Context.Log);
        var registry = new ConsumerRegistry();
        _offsetStore = Context.ActorOf(OffsetStore.Props(offsets, broker.FlushConsumerOffsetInterval), "offset-store");
        var groups = Context.ActorOf(ConsumerGroups.Props(registry, ConsumerGroupSettings.Default(broker.RebalanceLockMaxLiveTime)), "consumer-groups");
        PullMessageProcessor? pull = null;
        var region = Context.ActorOf(QueueRegion.Props(store, () => pull!), "queue-region");
        var registrar = Context.ActorOf(NameServerRegistrar.Props(broker, topics), "registrar");
        var scheduler = Context.ActorOf(ScheduleService.Props(store, configDir), "scheduler");
        var subscriptionGroups = SubscriptionGroupManager.Load(configDir, Context.Log);
        var services = new BrokerServices(_settings, store, storeHost, topics, offsets, registry, groups, region, registrar, scheduler, Context.Log)
        {
            SubscriptionGroups = subscriptionGroups,
        };
        pull = new PullMessageProcessor(services);
        _processors = BrokerProcessors.Build(services, pull, Context.Log);
        topics.Changed += () => registrar.Tell(NameServerRegistrar.RegisterNow.Instance, ActorRefs.NoSender);
        return services;
    }

    private string Describe()
    {
        var b = _settings.Broker;
        return $"{b.BrokerName} id {b.BrokerId} ({b.BrokerRole}) in cluster {b.BrokerClusterName}, port {b.ListenPort}, " +
               $"store {Path.GetFullPath(_settings.Store.StorePathRootDir)} ({_settings.Store.FlushDiskType})";
    }
}
