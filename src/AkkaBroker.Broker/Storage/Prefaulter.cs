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
/// saturated (<see cref="PrefaultGate"/>). While prefaulting it checks every 10 ms, so even at 400 MB/s the writer moves
/// 4 MB between checks, well inside a window of tens of MB; while <see cref="CommitLogPrefault.Auto"/> is off it only
/// needs to close the gate's windows, and checks every 250 ms (at 10 ms an idle broker woke 100 times a second for
/// it, each wake-up a thread hop or two on a VM that charges tens of microseconds for one). The gate looks at 1 s
/// windows: in 100 ms ones, a single write that stalled inside the host made a lightly loaded writer look saturated
/// and turned prefaulting on at 65k msgs/s.
/// Windows are timed by the clock (<see cref="LoadWindow"/>): one prefault call can block for seconds, and the ticks
/// queued meanwhile arrive together.
/// </summary>
public sealed class Prefaulter : ActorBase
{
    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private const string TimerKey = "prefault";
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan GateInterval = TimeSpan.FromMilliseconds(250);
    private static readonly long WindowTicks = Stopwatch.Frequency;
    private readonly CommitLog _log;
    private readonly long _ahead;
    private readonly CommitLogPrefault _mode;
    private readonly WriterLoad? _load;
    private PrefaultGate _gate;
    private LoadWindow _window;
    private TickInterval _tick;

    /// <summary>Creates the prefaulter for <paramref name="log"/>, up to <paramref name="ahead"/> bytes past its end.</summary>
    /// <param name="log">The CommitLog.</param>
    /// <param name="ahead">How far ahead to prefault (capped at the segment's end).</param>
    /// <param name="mode"><see cref="CommitLogPrefault.Auto"/> or <see cref="CommitLogPrefault.Always"/>.</param>
    /// <param name="load">The writer's working time; required for <see cref="CommitLogPrefault.Auto"/>, unused otherwise.</param>
    public Prefaulter(CommitLog log, long ahead, CommitLogPrefault mode, WriterLoad? load)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ahead);
        if (mode == CommitLogPrefault.Off) throw new ArgumentOutOfRangeException(nameof(mode), "an Off prefaulter has nothing to do");
        if (mode == CommitLogPrefault.Auto) ArgumentNullException.ThrowIfNull(load);
        _log = log;
        _ahead = ahead;
        _mode = mode;
        _load = load;
        _window = new LoadWindow(Stopwatch.GetTimestamp(), load?.BusyTicks ?? 0, log.ReadableOffset);
    }

    /// <summary>Props: a dedicated thread, since bringing in megabytes of pages takes milliseconds.</summary>
    public static Props Props(CommitLog log, long ahead, CommitLogPrefault mode, WriterLoad? load) =>
        Actors.Props.Create(() => new Prefaulter(log, ahead, mode, load)).WithDedicatedThread();

    /// <inheritdoc />
    protected override void PreStart() => _tick.Set(Context.Timers, TimerKey, Tick.Instance, _mode == CommitLogPrefault.Always ? Interval : GateInterval);

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        if (message is not Tick)
        {
            Unhandled(message);
            return;
        }

        var on = IsOn();
        _tick.Set(Context.Timers, TimerKey, Tick.Instance, on ? Interval : GateInterval);
        if (!on || _log.PrefaultAhead(_ahead) >= 0) return;
        Context.Timers.Cancel(TimerKey);
        Context.Log.LogWarning("commit-log-prefault is {Mode} but the kernel refused to prefault pages (MADV_POPULATE_READ needs Linux 5.14 or later); prefaulting is off until restart", _mode);
    }

    private bool IsOn()
    {
        if (_mode == CommitLogPrefault.Always) return true;
        if (!_window.TryClose(Stopwatch.GetTimestamp(), _load!.BusyTicks, _log.ReadableOffset, WindowTicks, out var busyShare, out var bytesPerSecond))
            return _gate.IsOn;
        var wasOn = _gate.IsOn;
        var on = _gate.Update(busyShare, bytesPerSecond);
        if (on != wasOn) Context.Log.LogDebug("CommitLog prefaulting {State} at {Rate:F0} MB/s", on ? "on" : "off", bytesPerSecond / 1e6);
        return on;
    }
}

/// <summary>
/// Cuts the writer's running totals (working time, CommitLog end) into windows of at least a given length on the
/// clock, and gives each window's busy share and append rate. A window closes on elapsed time, never on a count of
/// calls: after a prefault call that blocked for seconds, the timer ticks queued behind it arrive at once, and counting
/// them as time made windows of a few microseconds with nothing appended, which read as "load gone" and turned the gate off.
/// </summary>
internal struct LoadWindow
{
    private long _start;
    private long _busy;
    private long _offset;

    /// <summary>Opens the first window at <paramref name="now"/> (<see cref="Stopwatch"/> ticks) with the totals then.</summary>
    public LoadWindow(long now, long busyTicks, long offset) => (_start, _busy, _offset) = (now, busyTicks, offset);

    /// <summary>
    /// Closes the window and opens the next when at least <paramref name="length"/> ticks have passed since it opened;
    /// otherwise returns false and leaves it open.
    /// </summary>
    public bool TryClose(long now, long busyTicks, long offset, long length, out double busyShare, out double bytesPerSecond)
    {
        var elapsed = now - _start;
        if (elapsed < length || elapsed <= 0)
        {
            busyShare = bytesPerSecond = 0;
            return false;
        }

        busyShare = (double)(busyTicks - _busy) / elapsed;
        bytesPerSecond = (offset - _offset) / ((double)elapsed / Stopwatch.Frequency);
        (_start, _busy, _offset) = (now, busyTicks, offset);
        return true;
    }
}

/// <summary>
/// Decides, once per window, whether <see cref="CommitLogPrefault.Auto"/> prefaults: it turns on when the
/// writer was busy for at least 80% of the window, and stays on until the append rate falls below 80% of the rate at which
/// the writer was last saturated. It does not turn off on the writer's busy share: prefaulting takes most of the writer's
/// work away (busy 97% became 17% at a higher rate, measured), so that share would turn it off as soon as it helped.
/// </summary>
internal struct PrefaultGate
{
    public const double SaturatedShare = 0.8;
    public const double KeepRateShare = 0.8;
    private double _saturatedRate;

    /// <summary>Whether prefaulting is on.</summary>
    public bool IsOn { get; private set; }

    /// <summary>Takes one window's busy share (0..1) and append rate (bytes/s); returns whether prefaulting is on.</summary>
    public bool Update(double busyShare, double bytesPerSecond)
    {
        if (busyShare >= SaturatedShare)
        {
            // Saturated even while on: the ceiling itself fell (the host handing out new memory more slowly, say), so the rate
            // now reached is the reference; measuring against the old one turned prefaulting off while it was needed.
            IsOn = true;
            _saturatedRate = bytesPerSecond;
        }
        else if (IsOn && bytesPerSecond < KeepRateShare * _saturatedRate)
        {
            IsOn = false;
        }

        return IsOn;
    }
}
