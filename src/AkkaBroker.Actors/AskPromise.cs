namespace AkkaBroker.Actors;

/// <summary>
/// The temporary sender of an <c>Ask</c>: completes its task with the first reply (typed), a
/// <see cref="Status.Failure"/>'s cause, a timeout or a cancellation. No async state machine and no
/// <c>Task.WaitAsync</c>: one timer per ask, disposed as soon as the reply arrives.
/// </summary>
internal sealed class AskPromise<T> : TaskCompletionSource<T>, IInternalActorRef
{
    private static long s_next;
    private readonly ActorSystem? _system;
    private readonly IActorRef _target;
    private readonly TimeSpan _timeout;
    private Timer? _timer;
    private CancellationTokenRegistration _cancellation;
    private ActorPath? _path;

    public AskPromise(ActorSystem? system, IActorRef target, TimeSpan timeout, CancellationToken cancellationToken)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _system = system;
        _target = target;
        _timeout = timeout;
        if (timeout != Timeout.InfiniteTimeSpan)
            _timer = new Timer(static s => ((AskPromise<T>)s!).OnTimeout(), this, Timeout.Infinite, Timeout.Infinite);
        if (cancellationToken.CanBeCanceled)
            _cancellation = cancellationToken.Register(static (s, ct) => ((AskPromise<T>)s!).OnCancel(ct), this);
    }

    public void Start() => _timer?.Change(_timeout, Timeout.InfiniteTimeSpan);

    public ActorSystem? System => _system;

    public ActorPath Path => _path ??= new ActorPath(_system?.Name ?? "all-systems", null,
        "temp/$ask" + Interlocked.Increment(ref s_next).ToString(global::System.Globalization.CultureInfo.InvariantCulture), 0);

    public void Tell(object message, IActorRef? sender = null)
    {
        bool completed = message switch
        {
            T typed => TrySetResult(typed),
            Status.Failure failure => TrySetException(failure.Cause),
            _ => TrySetException(new InvalidCastException(
                $"Ask to {_target.Path} expected {typeof(T).Name} but the reply was {message.GetType().Name}")),
        };
        if (completed) Cleanup();
        else if (_system is not null && message is not Terminated) _system.DeadLetters.Tell(message, sender);
    }

    private void OnTimeout()
    {
        if (TrySetException(new AskTimeoutException($"Ask to {_target.Path} timed out after {_timeout}"))) Cleanup();
    }

    private void OnCancel(CancellationToken token)
    {
        if (TrySetCanceled(token)) Cleanup();
    }

    private void Cleanup()
    {
        _timer?.Dispose();
        _cancellation.Dispose();
    }

    public override string ToString() => Path.ToString();
}
