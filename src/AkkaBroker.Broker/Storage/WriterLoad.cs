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
