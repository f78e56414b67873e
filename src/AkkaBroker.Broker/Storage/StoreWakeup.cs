using AkkaBroker.Actors;
using AkkaBroker.Store;

namespace AkkaBroker.Broker.Storage;

/// <summary>
/// Wakes a CommitLog service once 1 MiB of work waits for it, as RocketMQ wakes its flush service (unless
/// <c>flushCommitLogTimed</c>) and, with the transient pool, its commit service after puts: the work then follows
/// the writes in 1 MiB steps instead of half a second (flush) or 200 ms (commit) of them at once. At most one
/// wake-up waits in the mailbox, so a busy writer costs the service one message per step, not one per batch.
/// Shared by the service, which takes the wake-up, and whoever signals it.
/// </summary>
public sealed class StoreWakeup
{
    // Smaller steps cost more than they saved: at 70k msgs/s of 1 KiB, waking the flusher after every write batch
    // (each flush then from 16 KiB, RocketMQ's least pages) made 3,300 flushes/s and raised p50 from 180 to 300 us;
    // of 256 KiB, 1 MiB and 4 MiB, 1 MiB left the fewest sends over 1 ms.
    private const long WakeBytes = 1 << 20;

    private readonly IActorRef _service;
    private readonly CommitLog _log;
    private readonly Func<CommitLog, long> _backlog;
    private int _pending;

    private StoreWakeup(IActorRef service, CommitLog log, Func<CommitLog, long> backlog)
    {
        _service = service;
        _log = log;
        _backlog = backlog;
    }

    /// <summary>Wakes the ASYNC_FLUSH <paramref name="flusher"/> for bytes in <paramref name="log"/>'s file not yet flushed.</summary>
    public static StoreWakeup ForFlusher(IActorRef flusher, CommitLog log) => new(flusher, log, static l => l.ReadableOffset - l.FlushedOffset);

    /// <summary>Wakes the transient pool's <paramref name="committer"/> for bytes in the pool's buffers not yet committed to the file.</summary>
    public static StoreWakeup ForCommitter(IActorRef committer, CommitLog log) => new(committer, log, static l => l.MaxOffset - l.ReadableOffset);

    /// <summary>Tells the service to run once its backlog reaches 1 MiB, unless a wake-up already waits. Any thread.</summary>
    public void Signal()
    {
        if (_backlog(_log) >= WakeBytes && Interlocked.Exchange(ref _pending, 1) == 0) _service.Tell(this);
    }

    // The service takes the wake-up before it works, so writes made meanwhile signal again.
    internal void Take() => Volatile.Write(ref _pending, 0);
}
