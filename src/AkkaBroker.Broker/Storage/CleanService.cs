using AkkaBroker.Actors;
using AkkaBroker.Store;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Broker.Storage;

/// <summary>
/// Frees disk space (DESIGN.md §3): every <c>clean-resource-interval</c> it measures disk use; above
/// <c>disk-write-refuse-ratio</c> it tells the CommitLogWriter to refuse writes (a clear status, never a crash on a
/// full disk), and lifts that when space is back. At the <c>delete-when</c> hours, or at once when disk use passes
/// <c>disk-max-used-space-ratio</c>, it has the writer delete CommitLog segments older than <c>file-reserved-time</c>
/// (any age when the disk is that full), then has the Dispatcher drop ConsumeQueue and index files below the new
/// minimum. Deletion runs on the owners' threads; this actor only decides.
/// </summary>
public sealed class CleanService : ActorBase
{
    /// <summary>Check now (tests; the timer sends the same).</summary>
    public sealed class CheckNow
    {
        /// <summary>The one instance.</summary>
        public static readonly CheckNow Instance = new();

        private CheckNow()
        {
        }
    }

    private const int MaxDeletesPerCheck = 10;
    private readonly StoreSettings _settings;
    private readonly IActorRef _writer;
    private readonly IActorRef _dispatcher;
    private readonly Func<double> _diskUsedRatio;
    private readonly Func<DateTime> _now;
    private bool _refusing;

    /// <summary>Creates the service.</summary>
    /// <param name="settings">Ratios, hours and reserved time.</param>
    /// <param name="writer">The CommitLogWriter (deletes segments, refuses writes).</param>
    /// <param name="dispatcher">The Dispatcher (trims ConsumeQueues and index).</param>
    /// <param name="diskUsedRatio">Disk use of the store's file system, 0..1 (the CommitLog measures it).</param>
    /// <param name="now">Local time, for <c>delete-when</c>.</param>
    public CleanService(StoreSettings settings, IActorRef writer, IActorRef dispatcher, Func<double> diskUsedRatio, Func<DateTime>? now = null)
    {
        _settings = settings;
        _writer = writer;
        _dispatcher = dispatcher;
        _diskUsedRatio = diskUsedRatio;
        _now = now ?? (() => DateTime.Now);
    }

    /// <summary>Props for the service.</summary>
    public static Props Props(StoreSettings settings, IActorRef writer, IActorRef dispatcher, Func<double> diskUsedRatio, Func<DateTime>? now = null) =>
        Actors.Props.Create(() => new CleanService(settings, writer, dispatcher, diskUsedRatio, now));

    /// <inheritdoc />
    protected override void PreStart() => Context.Timers.StartPeriodicTimer("check", CheckNow.Instance, _settings.CleanResourceInterval);

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case CheckNow:
                Check();
                break;
            case CommitLogWriter.ExpiredDeleted deleted when deleted.Deleted > 0:
                Context.Log.LogInformation("Deleted {Count} expired CommitLog segment(s); the log now starts at {MinOffset}", deleted.Deleted, deleted.MinOffset);
                _dispatcher.Tell(new Dispatcher.CommitLogTrimmed(deleted.MinOffset));
                break;
            case CommitLogWriter.ExpiredDeleted:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Check()
    {
        double ratio;
        try
        {
            ratio = _diskUsedRatio();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Context.Log.LogWarning(e, "Cannot measure disk use of {Folder}", _settings.StorePathRootDir);
            return;
        }

        var refuse = ratio * 100 >= _settings.DiskWriteRefuseRatio;
        if (refuse != _refusing)
        {
            _refusing = refuse;
            _writer.Tell(new CommitLogWriter.DiskSpace(refuse, ratio));
        }

        var spaceLow = ratio * 100 >= _settings.DiskMaxUsedSpaceRatio;
        var timeToDelete = _settings.DeleteWhen.Contains(_now().Hour);
        if (!spaceLow && !timeToDelete) return;
        _writer.Tell(new CommitLogWriter.DeleteExpired(_settings.FileReservedTime, Force: spaceLow, MaxDeletesPerCheck));
    }
}
