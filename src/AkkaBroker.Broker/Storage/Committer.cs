using AkkaBroker.Actors;
using AkkaBroker.Store;

namespace AkkaBroker.Broker.Storage;

/// <summary>
/// With the transient store pool, appends land in off-heap buffers; this actor copies them into the mapped file when
/// the writer wakes it (<see cref="StoreWakeup"/>, 1 MiB at a time) and every <c>commit-interval-commit-log</c> (at
/// least <c>commit-commit-log-least-pages</c> pages, everything every <c>commit-commit-log-thorough-interval</c>),
/// and then wakes the Dispatcher, since only committed data is readable.
/// </summary>
public sealed class Committer : ActorBase
{
    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }

    private readonly CommitLog _log;
    private readonly StoreSettings _settings;
    private readonly IActorRef _dispatcher;
    private readonly StoreWakeup? _flushWakeup;
    private ThoroughClock _thorough;

    /// <summary>Creates the committer; <paramref name="flushWakeup"/> (may be null) is signalled after each commit.</summary>
    public Committer(CommitLog log, StoreSettings settings, IActorRef dispatcher, StoreWakeup? flushWakeup)
    {
        _log = log;
        _settings = settings;
        _thorough = new ThoroughClock(_settings.CommitCommitLogThoroughInterval);
        _dispatcher = dispatcher;
        _flushWakeup = flushWakeup;
    }

    /// <summary>Props: a dedicated thread, since copying a segment's worth of data takes a while.</summary>
    public static Props Props(CommitLog log, StoreSettings settings, IActorRef dispatcher, StoreWakeup? flushWakeup) =>
        Actors.Props.Create(() => new Committer(log, settings, dispatcher, flushWakeup)).WithDedicatedThread();

    /// <inheritdoc />
    protected override void PreStart() => Context.Timers.StartPeriodicTimer("commit", Tick.Instance, _settings.CommitIntervalCommitLog);

    /// <inheritdoc />
    protected override void PostStop() => Commit(0);

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case StoreWakeup wakeup:
                wakeup.Take();
                break;
            case Tick:
                break;
            default:
                Unhandled(message);
                return;
        }

        var thorough = _thorough.IsDue();
        Commit(thorough ? 0 : _settings.CommitCommitLogLeastPages);
    }

    private void Commit(int leastPages)
    {
        var before = _log.ReadableOffset;
        if (_log.Commit(leastPages) <= before) return;
        _dispatcher.Tell(CommitLogWriter.Appended.Instance);
        _flushWakeup?.Signal();
    }
}
