using AkkaBroker.Actors;

namespace AkkaBroker.TestKit;

/// <summary>
/// A scheduler whose clock moves only when a test calls <see cref="Advance"/>: due tells are delivered, in due order
/// (ties in scheduling order), on the calling thread. Plug it in with <see cref="ActorSystemSettings.SchedulerFactory"/>.
/// </summary>
public sealed class VirtualTimeScheduler : IScheduler
{
    private readonly object _lock = new();
    private readonly PriorityQueue<Item, (DateTimeOffset Due, long Seq)> _queue = new();
    private DateTimeOffset _now = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _seq;

    /// <summary>The virtual now.</summary>
    public DateTimeOffset Now
    {
        get { lock (_lock) return _now; }
    }

    /// <summary>Number of scheduled, not cancelled items.</summary>
    public int PendingCount
    {
        get { lock (_lock) return _queue.UnorderedItems.Count(i => !i.Element.IsCancellationRequested); }
    }

    /// <inheritdoc />
    public ICancelable ScheduleTellOnce(TimeSpan delay, IActorRef receiver, object message, IActorRef? sender)
        => Add(delay, null, receiver, message, sender);

    /// <inheritdoc />
    public ICancelable ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender)
    {
        if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval));
        return Add(initialDelay, interval, receiver, message, sender);
    }

    private Item Add(TimeSpan delay, TimeSpan? interval, IActorRef receiver, object message, IActorRef? sender)
    {
        var item = new Item(receiver, message, sender, interval);
        lock (_lock) _queue.Enqueue(item, (_now + (delay < TimeSpan.Zero ? TimeSpan.Zero : delay), _seq++));
        return item;
    }

    /// <summary>Moves the clock forward by <paramref name="by"/>, delivering everything that falls due.</summary>
    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (_lock) target = _now + by;
        AdvanceTo(target);
    }

    /// <summary>Moves the clock to <paramref name="target"/>, delivering everything that falls due.</summary>
    public void AdvanceTo(DateTimeOffset target)
    {
        while (true)
        {
            Item item;
            lock (_lock)
            {
                if (!_queue.TryPeek(out item!, out var key) || key.Due > target)
                {
                    if (target > _now) _now = target;
                    return;
                }
                _queue.Dequeue();
                if (item.IsCancellationRequested) continue;
                _now = key.Due;
                if (item.Interval is { } interval) _queue.Enqueue(item, (key.Due + interval, _seq++));
            }
            item.Receiver.Tell(item.Message, item.Sender);
        }
    }

    private sealed class Item(IActorRef receiver, object message, IActorRef? sender, TimeSpan? interval) : ICancelable
    {
        private volatile bool _cancelled;
        public IActorRef Receiver { get; } = receiver;
        public object Message { get; } = message;
        public IActorRef? Sender { get; } = sender;
        public TimeSpan? Interval { get; } = interval;
        public bool IsCancellationRequested => _cancelled;
        public void Cancel() => _cancelled = true;
    }
}
