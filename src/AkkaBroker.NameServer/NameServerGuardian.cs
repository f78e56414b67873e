using AkkaBroker.Actors;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.NameServer;

/// <summary>
/// Root actor of the name-server role: owns the route registry's actors and their start-up order.
/// Started with <see cref="Start"/> so that a failure to start reaches the caller as a reply.
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
    public sealed record Ready(string Description);

    private readonly NameServerSettings _settings;
    private bool _started;

    /// <summary>Creates the guardian for the given settings.</summary>
    public NameServerGuardian(NameServerSettings settings) => _settings = settings;

    /// <summary>Props for a guardian of these settings.</summary>
    public static Props Props(NameServerSettings settings) => Actors.Props.Create(() => new NameServerGuardian(settings));

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Start:
                if (!_started) Context.Log.LogInformation("Name server started: {Description}", Describe());
                _started = true;
                Sender.Tell(new Ready(Describe()));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        if (_started) Context.Log.LogInformation("Name server stopped");
    }

    private string Describe() => $"{_settings.ListenAddress}:{_settings.ListenPort}";
}
