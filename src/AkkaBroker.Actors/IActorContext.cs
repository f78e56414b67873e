using Microsoft.Extensions.Logging;

namespace AkkaBroker.Actors;

/// <summary>An actor's view of itself and the runtime. Use only from inside the actor (its handlers and hooks).</summary>
public interface IActorContext
{
    /// <summary>This actor's ref.</summary>
    IActorRef Self { get; }

    /// <summary>Sender of the message being processed (dead letters when there is none).</summary>
    IActorRef Sender { get; }

    /// <summary>The parent (for top-level actors: the user guardian).</summary>
    IActorRef Parent { get; }

    /// <summary>The actor system.</summary>
    ActorSystem System { get; }

    /// <summary>The props this actor was created from.</summary>
    Props Props { get; }

    /// <summary>Logger of this actor (category: the actor's type).</summary>
    ILogger Log { get; }

    /// <summary>This actor's keyed timers.</summary>
    ITimerScheduler Timers { get; }

    /// <summary>Creates a child; <paramref name="name"/> must be unique among live siblings (null: a generated <c>$</c> name).</summary>
    IActorRef ActorOf(Props props, string? name = null);

    /// <summary>The child named <paramref name="name"/>, or <see cref="ActorRefs.Nobody"/>.</summary>
    IActorRef Child(string name);

    /// <summary>A snapshot of the live children.</summary>
    IReadOnlyList<IActorRef> Children { get; }

    /// <summary>Stops a child, or this actor (<see cref="Self"/>), asynchronously: after its current message, children first.</summary>
    void Stop(IActorRef actor);

    /// <summary>Delivers a <see cref="Terminated"/> message when <paramref name="subject"/> stops (at once if already dead). Returns it.</summary>
    IActorRef Watch(IActorRef subject);

    /// <summary>Stops watching <paramref name="subject"/>. Returns it.</summary>
    IActorRef Unwatch(IActorRef subject);

    /// <summary>Replaces the current behaviour (the top of the behaviour stack) with <paramref name="receive"/>.</summary>
    void Become(Action<object> receive);

    /// <summary>Pushes <paramref name="receive"/> on the behaviour stack.</summary>
    void BecomeStacked(Action<object> receive);

    /// <summary>Pops the behaviour stack (back to <c>OnReceive</c> at the bottom).</summary>
    void Unbecome();

    /// <summary>
    /// Sends <see cref="ReceiveTimeout"/> to this actor when no user message arrives for <paramref name="timeout"/>;
    /// null turns it off. Implemented with a keyed timer (so <see cref="ITimerScheduler.CancelAll"/> also cancels it).
    /// </summary>
    void SetReceiveTimeout(TimeSpan? timeout);

    /// <summary>The receive timeout, or null.</summary>
    TimeSpan? ReceiveTimeout { get; }
}

/// <summary>The stash of an actor: set messages aside and put them back in front of the mailbox later.</summary>
public interface IStash
{
    /// <summary>Sets the message being processed (and its sender) aside.</summary>
    void Stash();

    /// <summary>Puts the oldest stashed message in front of the mailbox.</summary>
    void Unstash();

    /// <summary>Puts every stashed message in front of the mailbox, in stash order, before anything queued.</summary>
    void UnstashAll();

    /// <summary>Number of stashed messages.</summary>
    int Count { get; }
}

/// <summary>A user message with its sender, as returned by <see cref="ActorBase.DrainQueued"/>.</summary>
/// <param name="Message">The message.</param>
/// <param name="Sender">Its sender (dead letters when it had none).</param>
public readonly record struct Envelope(object Message, IActorRef Sender);
