namespace AkkaBroker.Actors;

/// <summary>
/// A handle to an actor. Thread-safe; <see cref="Tell"/> never blocks. Two refs are equal only when they are the same
/// incarnation of the same actor (same path and uid): a new actor created later at the same path is a different ref.
/// </summary>
public interface IActorRef
{
    /// <summary>The actor's path.</summary>
    ActorPath Path { get; }

    /// <summary>
    /// Queues <paramref name="message"/> for the actor, fire and forget. Messages from one sender to one receiver arrive in
    /// the order they were sent. If the actor is stopped (or its bounded mailbox is full) the message goes to dead letters.
    /// Without <paramref name="sender"/>, a Tell from inside an actor's handler carries that actor as the sender.
    /// </summary>
    void Tell(object message, IActorRef? sender = null);
}

/// <summary>Refs the runtime implements; gives access to the owning system.</summary>
internal interface IInternalActorRef : IActorRef
{
    ActorSystem? System { get; }
}

/// <summary>Well-known refs.</summary>
public static class ActorRefs
{
    /// <summary>
    /// "No sender" (null): outside an actor the receiver's <c>Sender</c> is the dead letters ref; inside an actor's
    /// handler a missing sender means that actor (Akka.NET's implicit sender). Use <see cref="Nobody"/> to send anonymously from an actor.
    /// </summary>
    public static readonly IActorRef? NoSender = null;

    /// <summary>A ref that silently discards every message.</summary>
    public static readonly IActorRef Nobody = new NobodyRef();

    private sealed class NobodyRef : IInternalActorRef
    {
        public ActorPath Path { get; } = new("all-systems", null, "Nobody", 0);
        public ActorSystem? System => null;
        public void Tell(object message, IActorRef? sender = null) { }
        public override string ToString() => "Nobody";
    }
}

/// <summary>The ref of an actor living in this process (wraps its cell). One instance per incarnation.</summary>
internal sealed class LocalActorRef(ActorCell cell) : IInternalActorRef
{
    internal ActorCell Cell { get; } = cell;
    public ActorPath Path => Cell.Path;
    public ActorSystem? System => Cell.System;
    // As in Akka.NET, a Tell made inside an actor's handler without a sender carries that actor as the sender,
    // so the receiver can reply; pass ActorRefs.Nobody there to send anonymously.
    public void Tell(object message, IActorRef? sender = null) => Cell.SendUser(message, sender ?? ActorCell.Running?.Self);
    public override string ToString() => Cell.Path.ToStringWithUid();
}

/// <summary>The dead letters ref: publishes to subscribers and the (rate-limited) log.</summary>
internal sealed class DeadLetterActorRef(ActorSystem system) : IInternalActorRef
{
    public ActorPath Path { get; } = new(system.Name, null, "deadLetters", 0);
    public ActorSystem? System => system;

    public void Tell(object message, IActorRef? sender = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        system.PublishDeadLetter(message as DeadLetter ?? new DeadLetter(message, sender ?? this, this));
    }

    public override string ToString() => Path.ToString();
}

/// <summary>A temporary ref completing a task with the first message it receives (Ask, GracefulStop).</summary>
internal sealed class PromiseActorRef(ActorSystem? system) : IInternalActorRef
{
    private static long s_next;
    private readonly TaskCompletionSource<object> _promise = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActorPath? _path;

    public Task<object> Task => _promise.Task;
    public ActorSystem? System => system;

    public ActorPath Path => _path ??= new ActorPath(system?.Name ?? "all-systems", null,
        "temp/$" + Interlocked.Increment(ref s_next).ToString(global::System.Globalization.CultureInfo.InvariantCulture), 0);

    public void Tell(object message, IActorRef? sender = null)
    {
        if (!_promise.TrySetResult(message) && system is not null && message is not Terminated)
            system.DeadLetters.Tell(message, sender);
    }

    public override string ToString() => Path.ToString();
}
