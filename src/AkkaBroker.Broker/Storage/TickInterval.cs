using AkkaBroker.Actors;

namespace AkkaBroker.Broker.Storage;

/// <summary>
/// The interval of a store actor's periodic tick, which follows its load (often while there is work, seldom while
/// idle). The timer is restarted only when the interval changes: restarting it on every tick would push each tick back.
/// </summary>
internal struct TickInterval
{
    private TimeSpan _current;

    /// <summary>Makes the timer under <paramref name="key"/> tell <paramref name="tick"/> every <paramref name="interval"/>.</summary>
    public void Set(ITimerScheduler timers, object key, object tick, TimeSpan interval)
    {
        if (interval == _current) return;
        _current = interval;
        timers.StartPeriodicTimer(key, tick, interval);
    }
}
