using System.Diagnostics;
using AkkaBroker.Actors;
using AkkaBroker.Store;

using Microsoft.Extensions.Logging;

namespace AkkaBroker.Broker.Storage;

/// <summary>
/// Writes the CommitLog to the device, on its own thread because msync blocks (DESIGN.md §3).
/// ASYNC_FLUSH: when woken after writes (<see cref="StoreWakeup"/>; unless <c>flush-commit-log-timed</c>) and every
/// <c>flush-interval-commit-log</c>, if at least <c>flush-commit-log-least-pages</c> pages are dirty; everything
/// every <c>flush-commit-log-thorough-interval</c>.
/// SYNC_FLUSH: every request waiting in the mailbox is covered by one flush (group commit), then answered; one
/// answered later than <c>sync-flush-timeout</c> gets FLUSH_DISK_TIMEOUT (it is stored, but not in time).
/// After each flush the checkpoint records the store time of the last flushed record.
/// </summary>
public sealed class Flusher : ActorBase
{
    /// <summary>Asks for the counters; the reply is <see cref="Stats"/>.</summary>
    public sealed class GetStats
    {
        /// <summary>The one instance.</summary>
        public static readonly GetStats Instance = new();

        private GetStats()
        {
        }
    }

    /// <summary>Flush counters, for benchmarks and runtime info.</summary>
    /// <param name="Flushes">Flushes that wrote something.</param>
    /// <param name="SyncRequests">Requests answered after a sync flush.</param>
    public sealed record Stats(long Flushes, long SyncRequests);

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private const int MaxBatch = 65536;
    private readonly CommitLog _log;
    private readonly StoreCheckpoint _checkpoint;
    private readonly StoreSettings _settings;
    private readonly List<Envelope> _batch = new();
    private ThoroughClock _thorough;
    private ThoroughClock _checkpointClock = new(TimeSpan.FromSeconds(1));
    private bool _checkpointDirty;
    private bool _stopping;
    private long _flushes;
    private long _syncRequests;
    private string? _failure;

    /// <summary>Creates the flusher.</summary>
    public Flusher(CommitLog log, StoreCheckpoint checkpoint, StoreSettings settings)
    {
        _log = log;
        _checkpoint = checkpoint;
        _settings = settings;
        _thorough = new ThoroughClock(_settings.FlushCommitLogThoroughInterval);
    }

    /// <summary>Props: a dedicated thread, since flushing blocks.</summary>
    public static Props Props(CommitLog log, StoreCheckpoint checkpoint, StoreSettings settings) =>
        Actors.Props.Create(() => new Flusher(log, checkpoint, settings)).WithDedicatedThread();

    /// <inheritdoc />
    protected override void PreStart()
    {
        var interval = _settings.FlushDiskType == FlushDiskType.SyncFlush ? TimeSpan.FromMilliseconds(10) : _settings.FlushIntervalCommitLog;
        Context.Timers.StartPeriodicTimer("flush", Tick.Instance, interval);
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        // Whatever the writer appended before the node stopped reaches the disk, and so does the checkpoint.
        _stopping = true;
        FlushAll(0);
    }

    /// <inheritdoc />
    protected override void OnReceive(object message) => Handle(message, Sender);

    // Messages drained with a group commit are handled with their own sender, not the batch's first one.
    private void Handle(object message, IActorRef sender)
    {
        switch (message)
        {
            case IAwaitingFlush request:
                GroupCommit(request, sender);
                break;
            case StoreWakeup wakeup:
                wakeup.Take();
                FlushDue();
                break;
            case Tick:
                FlushDue();
                break;
            case GetStats:
                sender.Tell(new Stats(_flushes, _syncRequests));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    // A sync flush costs about the same for 20 records as for 60 (the device's fixed latency dominates), so the group
    // commit keeps collecting while requests still arrive: until none came for GatherQuiet, at most GatherMax. Without
    // this, 64 closed-loop appenders settle into two groups that alternate, each paying its own fsync: measured
    // 45 -> 62 messages per flush and 10-13% more sync-flushed messages/s; through the network it made no difference.
    private static readonly long GatherQuiet = Stopwatch.Frequency * 15 / 1_000_000;
    private static readonly long GatherMax = Stopwatch.Frequency * 100 / 1_000_000;

    // Drains what is queued now, then keeps draining while more arrives.
    private void GatherWhileArriving()
    {
        var start = Stopwatch.GetTimestamp();
        var last = start;
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            if (_batch.Count >= MaxBatch) return;
            if (DrainQueued(_batch, MaxBatch - _batch.Count) > 0) last = now;
            else if (now - last > GatherQuiet || now - start > GatherMax) return;
            Thread.SpinWait(20);
        }
    }

    private void GroupCommit(IAwaitingFlush first, IActorRef sender)
    {
        _batch.Clear();
        _batch.Add(new Envelope(first, sender));
        GatherWhileArriving();
        var flushed = FlushAll(0);
        var timeout = (long)_settings.SyncFlushTimeout.TotalMilliseconds;
        var now = Environment.TickCount64;
        var answers = CompletionBatch.Rent();
        foreach (var envelope in _batch)
        {
            if (envelope.Message is not IAwaitingFlush request)
            {
                Handle(envelope.Message, envelope.Sender);
                continue;
            }

            var late = _failure ?? (flushed < request.EndOffset || now - request.AcceptedAtTicks > timeout
                ? "the flush did not finish within sync-flush-timeout"
                : null);
            _syncRequests++;
            request.CompleteAfterFlush(late, answers);
        }

        answers.Post();
        _batch.Clear();
    }

    // Whatever is dirty on a thorough flush and under SYNC_FLUSH, otherwise only at least least-pages.
    private void FlushDue() =>
        FlushAll(_thorough.IsDue() || _settings.FlushDiskType == FlushDiskType.SyncFlush ? 0 : _settings.FlushCommitLogLeastPages);

    private long FlushAll(int leastPages)
    {
        var before = _log.FlushedOffset;
        // The store time is read before flushing, so the checkpoint never claims more than reached the disk.
        var storeTimestamp = _log.LastStoreTimestamp;
        try
        {
            var flushed = _log.Flush(leastPages);
            if (flushed > before)
            {
                _flushes++;
                if (storeTimestamp > 0) _checkpoint.PhysicMsgTimestamp = storeTimestamp;
                _checkpointDirty = true;
            }

            // The checkpoint file is synced at most once a second, not on every group commit (its msync cost a
            // quarter of each round): one that lags only makes crash recovery start scanning a little earlier.
            if (_checkpointDirty && (_stopping || _checkpointClock.IsDue()))
            {
                _checkpoint.Flush();
                _checkpointDirty = false;
            }

            return flushed;
        }
        catch (IOException e)
        {
            if (_failure is null) Context.Log.LogCritical(e, "CommitLog flush failed; acknowledged data may not be on the device");
            _failure = $"flush failed: {e.Message}";
            return before;
        }
    }
}
