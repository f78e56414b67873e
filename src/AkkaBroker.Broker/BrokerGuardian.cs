using AkkaBroker.Actors;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Broker;

/// <summary>
/// Root actor of a broker node (DESIGN.md §3): owns start-up and shutdown order of the node's actors.
/// It is started with <see cref="Start"/> so that a failure to start reaches the caller as a reply,
/// instead of a restart loop; a node that cannot start must not pretend to run.
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
    public sealed record Ready(string Description);

    private readonly BrokerNodeSettings _settings;
    private bool _started;

    /// <summary>Creates the guardian for the given settings.</summary>
    public BrokerGuardian(BrokerNodeSettings settings) => _settings = settings;

    /// <summary>Props for a guardian of these settings.</summary>
    public static Props Props(BrokerNodeSettings settings) => Actors.Props.Create(() => new BrokerGuardian(settings));

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Start when _started:
                Sender.Tell(new Ready(Describe()));
                break;
            case Start:
                try
                {
                    // The store root must exist and be writable before anything reports the node as up.
                    Directory.CreateDirectory(_settings.Store.StorePathRootDir);
                    _started = true;
                    Context.Log.LogInformation("Broker started: {Description}", Describe());
                    Sender.Tell(new Ready(Describe()));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Sender.Tell(new Status.Failure(new InvalidOperationException(
                        $"broker cannot use store folder '{_settings.Store.StorePathRootDir}': {e.Message}", e)));
                    Context.Stop(Self);
                }

                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        if (_started) Context.Log.LogInformation("Broker {BrokerName} stopped", _settings.Broker.BrokerName);
    }

    private string Describe()
    {
        var b = _settings.Broker;
        return $"{b.BrokerName} id {b.BrokerId} ({b.BrokerRole}) in cluster {b.BrokerClusterName}, port {b.ListenPort}, " +
               $"store {Path.GetFullPath(_settings.Store.StorePathRootDir)} ({_settings.Store.FlushDiskType})";
    }
}
