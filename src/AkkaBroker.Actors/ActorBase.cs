using Microsoft.Extensions.Logging;

namespace AkkaBroker.Actors;

/// <summary>
/// Base class of actors (Akka's UntypedActor): one <see cref="OnReceive"/> method, usually a <c>switch</c> over sealed
/// record messages. The runtime calls the handler and the hooks for one message at a time, never concurrently.
/// Create actors only through <see cref="Props"/> and <c>ActorOf</c>.
/// </summary>
public abstract class ActorBase
{
    private readonly ActorCell _cell;

    /// <summary>Binds the new instance to the cell that is creating it.</summary>
    protected ActorBase()
    {
        _cell = ActorCell.Creating
            ?? throw new InvalidOperationException($"Actor {GetType().Name} must be created by the runtime through Props and ActorOf, not with new");
        ReceiveDelegate = OnReceive;
    }

    internal Action<object> ReceiveDelegate { get; }

    /// <summary>This actor's ref.</summary>
    protected IActorRef Self => _cell.Self;

    /// <summary>Sender of the message being processed (dead letters when none). Stays valid across awaits in <see cref="RunTask"/>.</summary>
    protected IActorRef Sender => _cell.Sender;

    /// <summary>This actor's context.</summary>
    protected IActorContext Context => _cell;

    /// <summary>This actor's keyed timers (same as <c>Context.Timers</c>).</summary>
    protected ITimerScheduler Timers => _cell.Timers;

    /// <summary>This actor's stash.</summary>
    protected IStash Stash => _cell.StashAccess;

    /// <summary>Logger of this actor.</summary>
    protected ILogger Log => _cell.Log;

    /// <summary>Handles one message.</summary>
    protected abstract void OnReceive(object message);

    /// <summary>
    /// Called for messages the actor does not handle. Default: an unhandled <see cref="Terminated"/> throws
    /// <see cref="DeathPactException"/>; anything else goes to dead letters (and is logged at debug level).
    /// </summary>
    protected virtual void Unhandled(object message)
    {
        if (message is Terminated t) throw new DeathPactException(t.ActorRef);
        _cell.Log.LogDebug("Unhandled message {MessageType} from {Sender} in {Actor}", message.GetType().Name, Sender.Path, Self.Path);
        _cell.System.DeadLetters.Tell(new DeadLetter(message, Sender, Self));
    }

    /// <summary>Called after the actor is created, before its first message.</summary>
    protected virtual void PreStart() { }

    /// <summary>Called once after the actor and all its children have stopped.</summary>
    protected virtual void PostStop() { }

    /// <summary>Called on the failed instance before a restart. Default: stop all children, then <see cref="PostStop"/>.</summary>
    protected virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.Children) Context.Stop(child);
        PostStop();
    }

    /// <summary>Called on the new instance after a restart. Default: <see cref="PreStart"/>.</summary>
    protected virtual void PostRestart(Exception reason) => PreStart();

    /// <summary>
    /// The strategy applied to this actor's children. Default: the props' strategy if set
    /// (<see cref="Props.WithSupervisorStrategy"/>), else <see cref="Actors.SupervisorStrategy.DefaultStrategy"/>.
    /// </summary>
    protected virtual SupervisorStrategy SupervisorStrategy()
        => _cell.Props.SupervisorStrategy ?? Actors.SupervisorStrategy.DefaultStrategy;

    /// <summary>
    /// Runs asynchronous work as part of the current message (Akka's ReceiveAsync): the mailbox is suspended (no user
    /// message is processed) until the task completes; continuations after <c>await</c> run inside the actor, one at a
    /// time, with <see cref="Self"/> and <see cref="Sender"/> still valid (unless the code uses
    /// <c>ConfigureAwait(false)</c>). If the task fails, the exception goes to supervision like a thrown one.
    /// </summary>
    protected void RunTask(Func<Task> action) => _cell.RunTask(action);

    /// <summary>
    /// Takes user messages that are queued right now, in arrival order, up to <paramref name="max"/>, appending them
    /// (with their senders) to <paramref name="into"/>; returns how many. Meant for group commit: on its first message
    /// an actor drains the rest and handles everything as one batch. Semantics: only user messages are taken, messages
    /// put back by the stash come first, and draining stops before the first runtime-handled message
    /// (<see cref="PoisonPill"/>, <see cref="Kill"/>, timer ticks) so those keep their place in the order. System
    /// messages (stop, watch, supervision) are not drained: they still take priority before the next message handler
    /// runs. Drained messages do not count towards the throughput of the run. Call only from inside the handler.
    /// </summary>
    protected int DrainQueued(List<Envelope> into, int max = int.MaxValue) => _cell.DrainQueued(into, max);

    internal void InvokePreStart() => PreStart();
    internal void InvokePostStop() => PostStop();
    internal void InvokePreRestart(Exception reason, object? message) => PreRestart(reason, message);
    internal void InvokePostRestart(Exception reason) => PostRestart(reason);
    internal SupervisorStrategy InvokeSupervisorStrategy() => SupervisorStrategy();
}
