namespace AkkaBroker.Actors;

/// <summary>
/// Base of the messages the runtime handles itself before the actor's behaviour sees them
/// (<see cref="PoisonPill"/>, <see cref="Kill"/>, timer ticks). <see cref="ActorBase.DrainQueued"/> stops at them.
/// </summary>
public abstract class AutoReceivedMessage
{
    private protected AutoReceivedMessage() { }
}

/// <summary>Stops the receiving actor when processed, after the messages queued before it.</summary>
public sealed class PoisonPill : AutoReceivedMessage
{
    private PoisonPill() { }

    /// <summary>The single instance.</summary>
    public static PoisonPill Instance { get; } = new();

    /// <inheritdoc />
    public override string ToString() => "PoisonPill";
}

/// <summary>Makes the receiving actor fail with an <see cref="ActorKilledException"/> (default supervision: stop).</summary>
public sealed class Kill : AutoReceivedMessage
{
    private Kill() { }

    /// <summary>The single instance.</summary>
    public static Kill Instance { get; } = new();

    /// <inheritdoc />
    public override string ToString() => "Kill";
}

/// <summary>Sent to a watcher when a watched actor has stopped (see <see cref="IActorContext.Watch"/>).</summary>
/// <param name="ActorRef">The actor that stopped.</param>
/// <param name="ExistenceConfirmed">False when the actor was already dead (or never local) when it was watched.</param>
public sealed record Terminated(IActorRef ActorRef, bool ExistenceConfirmed);

/// <summary>Sent when no message arrived within the time set by <see cref="IActorContext.SetReceiveTimeout"/>.</summary>
public sealed class ReceiveTimeout
{
    private ReceiveTimeout() { }

    /// <summary>The single instance.</summary>
    public static ReceiveTimeout Instance { get; } = new();
}

/// <summary>A message that could not be delivered (recipient stopped, mailbox full, or unhandled).</summary>
/// <param name="Message">The undelivered message.</param>
/// <param name="Sender">Its sender (dead letters when none).</param>
/// <param name="Recipient">The intended recipient.</param>
public sealed record DeadLetter(object Message, IActorRef Sender, IActorRef Recipient);

/// <summary>Status replies, as in Akka: used by <see cref="AskExtensions.Ask{T}"/> and <see cref="PipeToExtensions"/>.</summary>
public static class Status
{
    /// <summary>A successful outcome with an optional value.</summary>
    /// <param name="Value">The result, if any.</param>
    public sealed record Success(object? Value);

    /// <summary>A failed outcome; an <c>Ask</c> receiving it faults with <paramref name="Cause"/>.</summary>
    /// <param name="Cause">Why it failed.</param>
    public sealed record Failure(Exception Cause);
}

/// <summary>Delivered inside the runtime for a keyed timer; filtered so a cancelled or replaced timer's tick is dropped.</summary>
internal sealed class TimerMessage(object key, object message, bool repeat, TimerScheduler owner) : AutoReceivedMessage
{
    public object Key { get; } = key;
    public object Message { get; } = message;
    public bool Repeat { get; } = repeat;
    public TimerScheduler Owner { get; } = owner;
}

/// <summary>Exception of <see cref="Kill"/>.</summary>
public sealed class ActorKilledException(string message) : Exception(message);

/// <summary>A failure while creating an actor (constructor, <c>PreStart</c> or <c>PostRestart</c>); default supervision stops it.</summary>
public sealed class ActorInitializationException(IActorRef? actor, string message, Exception? inner)
    : Exception(message, inner)
{
    /// <summary>The actor that failed to start.</summary>
    public IActorRef? Actor { get; } = actor;
}

/// <summary>Thrown by an actor that did not handle a <see cref="Terminated"/> for an actor it watched.</summary>
public sealed class DeathPactException(IActorRef deadActor)
    : Exception($"Watched actor {deadActor.Path} terminated and the Terminated message was not handled")
{
    /// <summary>The watched actor that stopped.</summary>
    public IActorRef DeadActor { get; } = deadActor;
}

/// <summary>An <c>Ask</c> got no reply within its timeout.</summary>
public sealed class AskTimeoutException(string message) : TimeoutException(message);

/// <summary>An actor name is invalid or already taken by a sibling.</summary>
public sealed class InvalidActorNameException(string message) : ArgumentException(message);
