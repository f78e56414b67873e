using AkkaBroker.Actors;
using AkkaBroker.Store;

using Microsoft.Extensions.Logging;

namespace AkkaBroker.Broker.Storage;

/// <summary>
/// Keeps the CommitLog's page cache to a window behind its flushed end (<c>commit-log-cache-trim</c>): every 100 ms it
/// drops the flushed bytes that have fallen out of the window; once a tick finds nothing newly flushed and nothing
/// newly dropped, it looks every 500 ms (the async flush interval: nothing newer can be dropped sooner) until
/// something is, since an idle broker was woken ten times a second for it. On a VM whose host takes back the memory
/// the guest frees (free page reporting), every page the cache takes from free memory costs a fault inside the host;
/// there the page cache of a growing log is what bounds batched sends (the kernel's page zeroing took 38% of both
/// cores at 270 MB/s, measured), while pages dropped here are taken again at once and stay with the guest. Data the
/// reader treats as in memory is kept to the same window (see <c>MessageReader</c>).
/// </summary>
public sealed class CacheTrimmer : ActorBase
{
    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private const string TimerKey = "trim";
    private const long MaxStep = 1L << 30;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan IdleInterval = TimeSpan.FromMilliseconds(500);
    private readonly CommitLog _log;
    private readonly long _window;
    private readonly long _step;
    private readonly CommitLogCacheTrim _mode;
    private TickInterval _tick;
    private long _lastFlushed = -1;
    private long _lastTrimmed = -1;

    /// <summary>Creates the trimmer for <paramref name="log"/>, keeping <paramref name="window"/> bytes behind its flushed end.</summary>
    /// <param name="log">The CommitLog.</param>
    /// <param name="window">Bytes kept in the page cache behind the flushed end.</param>
    /// <param name="mode">The configured mode (for the start-up log line).</param>
    public CacheTrimmer(CommitLog log, long window, CommitLogCacheTrim mode)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        _log = log;
        _window = window;
        _mode = mode;
        // Pages go in steps of at least 16 MiB (a 64th of the default window): dropping 64 MiB took 18 ms of a core (3 ms in
        // madvise, 15 ms in fadvise, measured with perf trace), a stretch that light traffic would feel. A call goes at most
        // 1 GiB, so the cache a restart finds (a whole old log, say) is trimmed over several ticks.
        _step = Math.Clamp(window / 64, 1L << 20, 16L << 20);
    }

    /// <summary>Props: a dedicated thread, since dropping a large range of pages takes milliseconds.</summary>
    public static Props Props(CommitLog log, long window, CommitLogCacheTrim mode) =>
        Actors.Props.Create(() => new CacheTrimmer(log, window, mode)).WithDedicatedThread();

    /// <inheritdoc />
    protected override void PreStart()
    {
        Context.Log.LogInformation("CommitLog page cache kept to {Window} MiB behind the flushed end (commit-log-cache-trim = {Mode}{Why})",
            _window >> 20, _mode.ToString().ToUpperInvariant(), _mode == CommitLogCacheTrim.Auto ? ": this VM hands free memory back to its host" : "");
        _tick.Set(Context.Timers, TimerKey, Tick.Instance, Interval);
    }

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        if (message is not Tick)
        {
            Unhandled(message);
            return;
        }

        var flushed = _log.FlushedOffset;
        var trimmed = _log.TrimCacheBelow(flushed - _window, _step, MaxStep);
        if (trimmed >= 0)
        {
            _tick.Set(Context.Timers, TimerKey, Tick.Instance, flushed != _lastFlushed || trimmed != _lastTrimmed ? Interval : IdleInterval);
            (_lastFlushed, _lastTrimmed) = (flushed, trimmed);
            return;
        }

        Context.Timers.Cancel(TimerKey);
        Context.Log.LogWarning("commit-log-cache-trim is on but the OS refused to drop pages from the page cache; trimming is off until restart");
    }
}
