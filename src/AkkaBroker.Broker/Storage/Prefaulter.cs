using System.Diagnostics;
using AkkaBroker.Actors;
using AkkaBroker.Store;

using Microsoft.Extensions.Logging;

namespace AkkaBroker.Broker.Storage;

/// <summary>
/// Keeps the CommitLog's next pages in the page cache a little ahead of the writer (<see cref="CommitLog.PrefaultAhead"/>),
/// so the writer copies into memory that is already there. Where new memory is slow to hand out (a VM whose host
/// backs guest pages lazily), that allocation is what bounds batched sends, and here it runs beside the writer
/// instead of inside its write call. But bringing pages in ahead, in bulk, can stall a core for milliseconds, which
/// light traffic pays for in latency; so <see cref="CommitLogPrefault.Auto"/> prefaults only while the writer is
/// saturated (<see cref="PrefaultGate"/>). It checks every 10 ms, so even at 400 MB/s the writer moves 4 MB between
/// checks, well inside a window of tens of MB. The gate looks at 1 s windows: in 100 ms ones, a single write that
/// stalled inside the host made a lightly loaded writer look saturated and turned prefaulting on at 65k msgs/s.
/// </summary>
public sealed class Prefaulter : ActorBase
{
    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private const string TimerKey = "prefault";
    private const int TicksPerWindow = 100;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);
    private readonly CommitLog _log;
    private readonly long _ahead;
    private readonly CommitLogPrefault _mode;
    private readonly WriterLoad _load;
    private PrefaultGate _gate;
    private int _ticks;
    private long _windowStart = Stopwatch.GetTimestamp();
    private long _windowBusy;
    private long _windowOffset;

    /// <summary>Creates the prefaulter for <paramref name="log"/>, up to <paramref name="ahead"/> bytes past its end.</summary>
    /// <param name="log">The CommitLog.</param>
    /// <param name="ahead">How far ahead to prefault (capped at the segment's end).</param>
    /// <param name="mode"><see cref="CommitLogPrefault.Auto"/> or <see cref="CommitLogPrefault.Always"/>.</param>
    /// <param name="load">The writer's working time, for <see cref="CommitLogPrefault.Auto"/>.</param>
    public Prefaulter(CommitLog log, long ahead, CommitLogPrefault mode, WriterLoad load)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ahead);
        if (mode == CommitLogPrefault.Off) throw new ArgumentOutOfRangeException(nameof(mode), "an Off prefaulter has nothing to do");
        _log = log;
        _ahead = ahead;
        _mode = mode;
        _load = load;
        _windowBusy = load.BusyTicks;
        _windowOffset = log.ReadableOffset;
    }

    /// <summary>Props: a dedicated thread, since bringing in megabytes of pages takes milliseconds.</summary>
    public static Props Props(CommitLog log, long ahead, CommitLogPrefault mode, WriterLoad load) =>
        Actors.Props.Create(() => new Prefaulter(log, ahead, mode, load)).WithDedicatedThread();

    /// <inheritdoc />
    protected override void PreStart() => Context.Timers.StartPeriodicTimer(TimerKey, Tick.Instance, Interval);

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        if (message is not Tick)
        {
            Unhandled(message);
            return;
        }

        if (!IsOn() || _log.PrefaultAhead(_ahead) >= 0) return;
        Context.Timers.Cancel(TimerKey);
        Context.Log.LogWarning("commit-log-prefault is {Mode} but the kernel refused to prefault pages (MADV_POPULATE_READ needs Linux 5.14 or later); prefaulting is off until restart", _mode);
    }

    private bool IsOn()
    {
        if (_mode == CommitLogPrefault.Always) return true;
        if (++_ticks < TicksPerWindow) return _gate.IsOn;
        _ticks = 0;
        var now = Stopwatch.GetTimestamp();
        var busy = _load.BusyTicks;
        var offset = _log.ReadableOffset;
        var seconds = (double)(now - _windowStart) / Stopwatch.Frequency;
        var wasOn = _gate.IsOn;
        var on = _gate.Update((double)(busy - _windowBusy) / (now - _windowStart), (offset - _windowOffset) / seconds);
        if (on != wasOn) Context.Log.LogDebug("CommitLog prefaulting {State} at {Rate:F0} MB/s", on ? "on" : "off", (offset - _windowOffset) / seconds / 1e6);
        (_windowStart, _windowBusy, _windowOffset) = (now, busy, offset);
        return on;
    }
}
