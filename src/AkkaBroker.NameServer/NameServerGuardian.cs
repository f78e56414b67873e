using AkkaBroker.Actors;
using AkkaBroker.Remoting;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.NameServer;

/// <summary>
/// Root actor of the name-server role: owns the <see cref="RouteRegistry"/> and the request table that feeds it.
/// Started with <see cref="Start"/> so that a failure to start reaches the caller as a reply. It binds no port: the
/// host serves <see cref="Ready.Handler"/> on its own listener.
/// </summary>
public sealed class NameServerGuardian : ActorBase
{
    /// <summary>Asks the guardian to bring the role up; the reply is <see cref="Ready"/> or <see cref="Status.Failure"/>.</summary>
    public sealed record Start
    {
        /// <summary>The one instance.</summary>
        public static readonly Start Instance = new();
    }

    /// <summary>The role is up.</summary>
    /// <param name="Description">One line for the log.</param>
    /// <param name="Handler">Answers the name server's requests; give it to every connection of the name-server port.</param>
    public sealed record Ready(string Description, RemotingRequestHandler Handler);

    private readonly NameServerSettings _settings;
    private readonly IKvConfigStore? _kvStore;
    private RequestProcessorTable? _table;
    private string? _failure;
    private bool _started;

    /// <summary>Creates the guardian for the given settings; <paramref name="kvStore"/> keeps the KV config (null: memory only).</summary>
    public NameServerGuardian(NameServerSettings settings, IKvConfigStore? kvStore = null)
    {
        _settings = settings;
        _kvStore = kvStore;
    }

    /// <summary>Props for a guardian of these settings.</summary>
    public static Props Props(NameServerSettings settings, IKvConfigStore? kvStore = null) =>
        Actors.Props.Create(() => new NameServerGuardian(settings, kvStore));

    /// <inheritdoc />
    protected override void PreStart()
    {
        KvConfigTable kv;
        try
        {
            kv = _kvStore is null ? new KvConfigTable() : KvConfigTable.From(_kvStore.Load());
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            _failure = $"name server cannot load its KV config {_kvStore!.Location}: {e.Message}";
            Context.Log.LogCritical(e, "{Failure}", _failure);
            return;
        }

        var registry = Context.ActorOf(RouteRegistry.Props(_settings, kv, _kvStore), "routes");
        _table = NameServerProcessors.Create(registry, Context.System.LoggerFactory.CreateLogger("AkkaBroker.NameServer.Requests"));
    }

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Start when _failure is not null:
                Sender.Tell(new Status.Failure(new InvalidOperationException(_failure)));
                break;
            case Start:
                if (!_started) Context.Log.LogInformation("Name server started: {Description}", Describe());
                _started = true;
                Sender.Tell(new Ready(Describe(), _table!.Handler));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        // Lets the register lane's worker finish what is queued; its tells then go to dead letters.
        if (_table is { } table) _ = table.DisposeAsync().AsTask();
        if (_started) Context.Log.LogInformation("Name server stopped");
    }

    private string Describe() => $"{_settings.ListenAddress}:{_settings.ListenPort}";
}
