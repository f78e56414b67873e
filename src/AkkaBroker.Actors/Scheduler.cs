namespace AkkaBroker.Actors;

/// <summary>A scheduled action that can be cancelled.</summary>
public interface ICancelable
{
    /// <summary>Cancels it; a tell already in flight may still arrive (keyed timers filter those out).</summary>
    void Cancel();

    /// <summary>Whether <see cref="Cancel"/> was called.</summary>
    bool IsCancellationRequested { get; }
}

/// <summary>Delivers messages later. The default implementation uses <see cref="Timer"/>; tests plug a virtual-time one.</summary>
public interface IScheduler
{
    /// <summary>The scheduler's notion of the current time.</summary>
    DateTimeOffset Now { get; }

    /// <summary>Tells <paramref name="message"/> to <paramref name="receiver"/> once after <paramref name="delay"/>.</summary>
    ICancelable ScheduleTellOnce(TimeSpan delay, IActorRef receiver, object message, IActorRef? sender);

    /// <summary>Tells <paramref name="message"/> after <paramref name="initialDelay"/>, then every <paramref name="interval"/> until cancelled.</summary>
    ICancelable ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender);
}

/// <summary>The default scheduler: one <see cref="Timer"/> per scheduled tell on the runtime's timer queue.</summary>
internal sealed class DefaultScheduler : IScheduler, IDisposable
{
    private volatile bool _disposed;

    public DateTimeOffset Now => DateTimeOffset.UtcNow;

    public ICancelable ScheduleTellOnce(TimeSpan delay, IActorRef receiver, object message, IActorRef? sender)
        => Schedule(delay, Timeout.InfiniteTimeSpan, receiver, message, sender);

    public ICancelable ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender)
    {
        if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), interval, "must be positive");
        return Schedule(initialDelay, interval, receiver, message, sender);
    }

    private ScheduledTell Schedule(TimeSpan delay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(message);
        var item = new ScheduledTell(this, receiver, message, sender, interval == Timeout.InfiniteTimeSpan);
        if (delay < TimeSpan.Zero) delay = TimeSpan.Zero;
        item.Start(delay, interval);
        return item;
    }

    public void Dispose() => _disposed = true;

    private sealed class ScheduledTell(DefaultScheduler owner, IActorRef receiver, object message, IActorRef? sender, bool once) : ICancelable
    {
        private Timer? _timer;
        private volatile bool _cancelled;

        public bool IsCancellationRequested => _cancelled;

        public void Start(TimeSpan delay, TimeSpan interval)
        {
            // The timer references this object as its state, and this object references the timer: the pair stays
            // rooted by the runtime's timer queue while scheduled.
            var timer = new Timer(static s => ((ScheduledTell)s!).Fire(), this, Timeout.Infinite, Timeout.Infinite);
            _timer = timer;
            timer.Change(delay, interval);
        }

        private void Fire()
        {
            if (_cancelled) return;
            if (owner._disposed) { Cancel(); return; }
            if (once) Cancel();
            receiver.Tell(message, sender);
        }

        public void Cancel()
        {
            _cancelled = true;
            _timer?.Dispose();
        }
    }
}
