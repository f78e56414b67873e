using System.Diagnostics;

namespace AkkaBroker.Broker.Storage;

/// <summary>
/// The CommitLogWriter's working time, in <see cref="Stopwatch"/> ticks: the writer adds after each mailbox run,
/// anyone may read. Busy time over wall time says whether the writer is the bottleneck.
/// </summary>
public sealed class WriterLoad
{
    private long _busyTicks;

    /// <summary>Total working time so far, in <see cref="Stopwatch"/> ticks.</summary>
    public long BusyTicks => Volatile.Read(ref _busyTicks);

    /// <summary>Adds working time. The writer's thread only (one writer, so no interlocked add).</summary>
    internal void AddBusy(long stopwatchTicks) => Volatile.Write(ref _busyTicks, _busyTicks + stopwatchTicks);
}

/// <summary>
/// Decides, once per window, whether <see cref="AkkaBroker.Store.CommitLogPrefault.Auto"/> prefaults: it turns on when the
/// writer was busy for at least 80% of the window, and stays on until the append rate falls below 80% of the rate at which
/// the writer was saturated. It does not turn off on the writer's busy share: prefaulting takes most of the writer's
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
        if (!IsOn && busyShare >= SaturatedShare)
        {
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
