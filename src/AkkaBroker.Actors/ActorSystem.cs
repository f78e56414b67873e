using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AkkaBroker.Actors;

/// <summary>
/// A hierarchy of actors with shared settings, scheduler, logger factory and dead letters. Top-level actors live under
/// the user guardian (<c>akka://name/user</c>). A failure inside an actor never ends the process or the system:
/// at worst the failing top-level actor is stopped and an error is logged.
/// </summary>
public sealed class ActorSystem
{
    private readonly ActorCell _guardian;
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _deadLetterLog;
    private readonly object _deadLetterLock = new();
    private long _deadLetterWindowStart;
    private int _deadLettersLogged;
    private int _deadLettersSuppressed;
    private IActorRef[] _deadLetterSubscribers = [];

    private ActorSystem(string name, ActorSystemSettings settings, ILoggerFactory loggerFactory)
    {
        Name = name;
        Settings = settings;
        LoggerFactory = loggerFactory;
        _deadLetterLog = loggerFactory.CreateLogger("AkkaBroker.Actors.DeadLetters");
        DeadLetters = new DeadLetterActorRef(this);
        Scheduler = settings.SchedulerFactory?.Invoke(this) ?? new DefaultScheduler();
        _guardian = new ActorCell(this, null, Props.Create(static () => new UserGuardian()), "user", isGuardian: true);
        _guardian.SendSystem(new SysCreate());
    }

    /// <summary>Creates and starts an actor system.</summary>
    /// <param name="name">System name: letters, digits, '-' and '_'.</param>
    /// <param name="settings">Settings; null for <see cref="ActorSystemSettings.Default"/>.</param>
    /// <param name="loggerFactory">Logger factory; null for no logging.</param>
    public static ActorSystem Create(string name, ActorSystemSettings? settings = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"Invalid actor system name '{name}': use letters, digits, '-' and '_'", nameof(name));
        settings ??= ActorSystemSettings.Default;
        settings.Validate();
        return new ActorSystem(name, settings, loggerFactory ?? NullLoggerFactory.Instance);
    }

    /// <summary>The system's name.</summary>
    public string Name { get; }

    /// <summary>The settings.</summary>
    public ActorSystemSettings Settings { get; }

    /// <summary>The logger factory actors log through.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The scheduler (timer based unless <see cref="ActorSystemSettings.SchedulerFactory"/> says otherwise).</summary>
    public IScheduler Scheduler { get; }

    /// <summary>Receives messages that could not be delivered; they are logged (rate limited) and published to subscribers.</summary>
    public IActorRef DeadLetters { get; }

    /// <summary>Completes when the system has terminated.</summary>
    public Task WhenTerminated => _terminated.Task;

    /// <summary>Creates a top-level actor under the user guardian.</summary>
    public IActorRef ActorOf(Props props, string? name = null) => _guardian.ActorOf(props, name);

    /// <summary>Stops an actor asynchronously (after its current message; its children first).</summary>
    public void Stop(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor is LocalActorRef local) local.Cell.SendSystem(new SysTerminate());
    }

    /// <summary>Stops every actor (children before parents), then completes <see cref="WhenTerminated"/>.</summary>
    public Task Terminate()
    {
        _guardian.SendSystem(new SysTerminate());
        return WhenTerminated;
    }

    /// <summary>Publishes every future <see cref="DeadLetter"/> to <paramref name="subscriber"/> as well.</summary>
    public void SubscribeDeadLetters(IActorRef subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        lock (_deadLetterLock) _deadLetterSubscribers = [.. _deadLetterSubscribers, subscriber];
    }

    /// <summary>Stops publishing dead letters to <paramref name="subscriber"/>.</summary>
    public void UnsubscribeDeadLetters(IActorRef subscriber)
    {
        lock (_deadLetterLock) _deadLetterSubscribers = _deadLetterSubscribers.Where(s => !s.Equals(subscriber)).ToArray();
    }

    internal void PublishDeadLetter(DeadLetter deadLetter)
    {
        // A timer's tick that was queued when its actor stopped is the runtime's own bookkeeping, not a lost message
        // (the timer died with the actor): logging it only made every node's shutdown report dead letters.
        if (deadLetter.Message is TimerMessage) return;
        foreach (var subscriber in Volatile.Read(ref _deadLetterSubscribers)) subscriber.Tell(deadLetter, ActorRefs.NoSender);
        if (!Settings.LogDeadLetters || !_deadLetterLog.IsEnabled(LogLevel.Information)) return;
        int suppressed;
        bool log;
        lock (_deadLetterLock)
        {
            var now = Environment.TickCount64;
            suppressed = 0;
            if (now - _deadLetterWindowStart >= (long)Settings.LogDeadLettersInterval.TotalMilliseconds)
            {
                suppressed = _deadLettersSuppressed;
                _deadLetterWindowStart = now;
                _deadLettersLogged = 0;
                _deadLettersSuppressed = 0;
            }
            log = _deadLettersLogged < Settings.LogDeadLettersMax;
            if (log) _deadLettersLogged++;
            else _deadLettersSuppressed++;
        }
        if (suppressed > 0)
            _deadLetterLog.LogInformation("{Count} dead letters were not logged in the last interval", suppressed);
        if (log)
            _deadLetterLog.LogInformation("Dead letter: {MessageType} from {Sender} to {Recipient} was not delivered",
                deadLetter.Message.GetType().Name, deadLetter.Sender.Path, deadLetter.Recipient.Path);
    }

    internal void OnGuardianTerminated()
    {
        (Scheduler as IDisposable)?.Dispose();
        _terminated.TrySetResult();
    }

    /// <inheritdoc />
    public override string ToString() => $"ActorSystem({Name})";

    private sealed class UserGuardian : ActorBase
    {
        protected override void OnReceive(object message) => Unhandled(message);
    }
}
