namespace AkkaBroker.Broker.Storage;

/// <summary>
/// Says when a periodic flush or commit must write everything rather than only enough pages: the flusher, the
/// committer and the dispatcher each do a "thorough" pass at least every interval.
/// </summary>
internal struct ThoroughClock(TimeSpan interval)
{
    private long _lastTicks = Environment.TickCount64;

    /// <summary>True at most once per interval; the caller then writes everything.</summary>
    public bool IsDue()
    {
        var now = Environment.TickCount64;
        if (now - _lastTicks < interval.TotalMilliseconds) return false;
        _lastTicks = now;
        return true;
    }
}
