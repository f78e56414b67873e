using System.Collections.Concurrent;
using AkkaBroker.Actors;
using AkkaBroker.Broker.Storage;
using AkkaBroker.Store;
using AkkaBroker.Store.Config;

namespace AkkaBroker.Broker.Tests;

/// <summary>
/// The store's periodic actors on an idle CommitLog: every timer tick wakes threads, which on a VM costs tens of
/// microseconds each (and about a millisecond of spinning CPU), so an idle broker should hardly be woken by them.
/// Counted on real time with a scheduler that counts what it delivers.
/// </summary>
public sealed class StoreActorTickTests : TestKit.TestKit
{
    private static readonly CountingScheduler Counter = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("akkabroker-ticks-").FullName;
    private readonly CommitLog _log;

    public StoreActorTickTests()
        : base(ActorSystemSettings.Default with { SchedulerFactory = static _ => Counter })
    {
        var config = Hosting.NodeConfig.Load(null, [$"akkabroker.store.store-path-root-dir = \"{_dir}\"", "akkabroker.store.mapped-file-size-commit-log = 8m"]);
        _log = new CommitLog(StoreSettings.Create(config));
        using var checkpoint = StoreCheckpoint.Open(_dir);
        _log.Recover(false, checkpoint, checkCrc: true);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _log.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task An_idle_cache_trimmer_looks_every_500_ms_not_every_100()
    {
        var trimmer = Sys.ActorOf(CacheTrimmer.Props(_log, 1 << 20, CommitLogCacheTrim.Always));

        await Task.Delay(2200);

        // Two looks at 100 ms (the first finds everything "new"), then one every 500 ms: about 6; at 100 ms it was 22.
        Assert.InRange(Counter.TellsTo(trimmer), 1, 9);
    }

    [Fact]
    public async Task An_auto_prefaulter_that_is_off_looks_every_250_ms_not_every_10()
    {
        var prefaulter = Sys.ActorOf(Prefaulter.Props(_log, 1 << 20, CommitLogPrefault.Auto, new WriterLoad()));

        await Task.Delay(2200);

        // Every 250 ms while the gate is off (it only closes 1 s windows then): about 8; at 10 ms it was 220.
        Assert.InRange(Counter.TellsTo(prefaulter), 1, 12);
    }

    /// <summary>Timer-based, like the default scheduler, counting the tells it delivers per receiver.</summary>
    private sealed class CountingScheduler : IScheduler
    {
        private readonly ConcurrentDictionary<ActorPath, int> _tells = new();

        public DateTimeOffset Now => DateTimeOffset.UtcNow;

        public int TellsTo(IActorRef actor) => _tells.GetValueOrDefault(actor.Path);

        public ICancelable ScheduleTellOnce(TimeSpan delay, IActorRef receiver, object message, IActorRef? sender) =>
            new Scheduled(this, delay, Timeout.InfiniteTimeSpan, receiver, message, sender, once: true);

        public ICancelable ScheduleTellRepeatedly(TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender) =>
            new Scheduled(this, initialDelay, interval, receiver, message, sender, once: false);

        private sealed class Scheduled : ICancelable
        {
            private readonly Timer _timer;
            private volatile bool _cancelled;

            public Scheduled(CountingScheduler owner, TimeSpan delay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender, bool once)
            {
                _timer = new Timer(_ =>
                {
                    if (_cancelled) return;
                    if (once) Cancel();
                    owner._tells.AddOrUpdate(receiver.Path, 1, (_, n) => n + 1);
                    receiver.Tell(message, sender);
                });
                _timer.Change(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, interval);
            }

            public bool IsCancellationRequested => _cancelled;

            public void Cancel()
            {
                _cancelled = true;
                _timer.Dispose();
            }
        }
    }
}
