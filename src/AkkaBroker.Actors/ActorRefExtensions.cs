namespace AkkaBroker.Actors;

/// <summary><c>Ask</c>, <c>GracefulStop</c> and <c>Forward</c>.</summary>
public static class AskExtensions
{
    /// <summary>
    /// Sends <paramref name="message"/> with a temporary sender and returns the first reply. Faults with
    /// <see cref="AskTimeoutException"/> after <paramref name="timeout"/> (default:
    /// <see cref="ActorSystemSettings.DefaultAskTimeout"/>), with the cause when the reply is a
    /// <see cref="Status.Failure"/>, with <see cref="InvalidCastException"/> when the reply is not a <typeparamref name="T"/>,
    /// and is cancelled by <paramref name="cancellationToken"/>. Use at the edges, not between actors.
    /// </summary>
    public static Task<T> Ask<T>(this IActorRef actor, object message, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(message);
        if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<T>(cancellationToken);
        var system = (actor as IInternalActorRef)?.System;
        var wait = timeout ?? system?.Settings.DefaultAskTimeout ?? TimeSpan.FromSeconds(10);
        var promise = new AskPromise<T>(system, actor, wait, cancellationToken);
        promise.Start();
        actor.Tell(message, promise);
        return promise.Task;
    }

    /// <summary>
    /// Sends <paramref name="stopMessage"/> (default <see cref="PoisonPill"/>) and completes with true once the actor has
    /// stopped (children and PostStop included), or false if it did not stop within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<bool> GracefulStop(this IActorRef actor, TimeSpan timeout, object? stopMessage = null)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor is not LocalActorRef local) return true;
        var promise = new PromiseActorRef(local.System);
        local.Cell.SendSystem(new SysWatch(promise));
        actor.Tell(stopMessage ?? PoisonPill.Instance, ActorRefs.NoSender);
        try
        {
            await promise.Task.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            local.Cell.SendSystem(new SysUnwatch(promise));
            return false;
        }
    }

    /// <summary>Sends <paramref name="message"/> keeping the original sender of the message being processed (inside an actor only).</summary>
    public static void Forward(this IActorRef actor, object message)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var cell = ActorCell.Running ?? throw new InvalidOperationException("Forward may only be used inside an actor");
        actor.Tell(message, cell.Sender);
    }
}

/// <summary>Sends the outcome of a task to an actor.</summary>
public static class PipeToExtensions
{
    /// <summary>
    /// When <paramref name="task"/> completes, tells <paramref name="recipient"/> its result (mapped by
    /// <paramref name="success"/>) or <see cref="Status.Failure"/> with the exception (mapped by <paramref name="failure"/>).
    /// </summary>
    public static async Task PipeTo<T>(this Task<T> task, IActorRef recipient, IActorRef? sender = null,
        Func<T, object>? success = null, Func<Exception, object>? failure = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(recipient);
        object message;
        try
        {
            var result = await task.ConfigureAwait(false);
            message = success is not null ? success(result) : (object?)result ?? new Status.Success(null);
        }
        catch (Exception ex)
        {
            message = failure is not null ? failure(ex) : new Status.Failure(ex);
        }
        recipient.Tell(message, sender);
    }

    /// <summary>
    /// When <paramref name="task"/> completes, tells <paramref name="recipient"/> <paramref name="success"/>'s message
    /// (default <see cref="Status.Success"/> with no value) or <see cref="Status.Failure"/> (mapped by <paramref name="failure"/>).
    /// </summary>
    public static async Task PipeTo(this Task task, IActorRef recipient, IActorRef? sender = null,
        Func<object>? success = null, Func<Exception, object>? failure = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(recipient);
        object message;
        try
        {
            await task.ConfigureAwait(false);
            message = success is not null ? success() : new Status.Success(null);
        }
        catch (Exception ex)
        {
            message = failure is not null ? failure(ex) : new Status.Failure(ex);
        }
        recipient.Tell(message, sender);
    }
}
