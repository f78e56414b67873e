namespace AkkaBroker.Actors;

/// <summary>
/// Keyed timers of one actor (<see cref="IActorContext.Timers"/>). Use only from inside the actor.
/// Starting a timer with a key already in use replaces the old one; a cancelled or replaced timer's tick that is
/// already queued is not delivered; every timer is cancelled when the actor stops or restarts. The tick is delivered
/// with no sender.
/// </summary>
public interface ITimerScheduler
{
    /// <summary>Delivers <paramref name="message"/> once after <paramref name="delay"/>.</summary>
    void StartSingleTimer(object key, object message, TimeSpan delay);

    /// <summary>Delivers <paramref name="message"/> every <paramref name="interval"/>, the first after one interval.</summary>
    void StartPeriodicTimer(object key, object message, TimeSpan interval);

    /// <summary>Delivers <paramref name="message"/> after <paramref name="initialDelay"/>, then every <paramref name="interval"/>.</summary>
    void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval);

    /// <summary>Whether the timer <paramref name="key"/> is active (a single timer is inactive once delivered).</summary>
    bool IsTimerActive(object key);

    /// <summary>Cancels timer <paramref name="key"/> if active.</summary>
    void Cancel(object key);

    /// <summary>Cancels every timer of the actor.</summary>
    void CancelAll();
}

internal sealed class TimerScheduler(ActorCell cell) : ITimerScheduler
{
    private readonly Dictionary<object, (TimerMessage Message, ICancelable Task)> _timers = new();

    public void StartSingleTimer(object key, object message, TimeSpan delay) => Start(key, message, delay, null);

    public void StartPeriodicTimer(object key, object message, TimeSpan interval) => Start(key, message, interval, interval);

    public void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval)
        => Start(key, message, initialDelay, interval);

    private void Start(object key, object message, TimeSpan delay, TimeSpan? interval)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(message);
        Cancel(key);
        var tick = new TimerMessage(key, message, interval is not null, this);
        var scheduler = cell.System.Scheduler;
        var task = interval is { } i
            ? scheduler.ScheduleTellRepeatedly(delay, i, cell.Self, tick, ActorRefs.NoSender)
            : scheduler.ScheduleTellOnce(delay, cell.Self, tick, ActorRefs.NoSender);
        _timers[key] = (tick, task);
    }

    public bool IsTimerActive(object key) => _timers.ContainsKey(key);

    public void Cancel(object key)
    {
        if (_timers.Remove(key, out var t)) t.Task.Cancel();
    }

    public void CancelAll()
    {
        foreach (var t in _timers.Values) t.Task.Cancel();
        _timers.Clear();
    }

    /// <summary>True when <paramref name="tick"/> is the current tick of its key (then a single timer is retired).</summary>
    public bool Accept(TimerMessage tick)
    {
        if (!_timers.TryGetValue(tick.Key, out var t) || !ReferenceEquals(t.Message, tick)) return false;
        if (!tick.Repeat) _timers.Remove(tick.Key);
        return true;
    }
}
