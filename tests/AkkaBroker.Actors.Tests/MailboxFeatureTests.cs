namespace AkkaBroker.Actors.Tests;

public sealed class MailboxFeatureTests : TestKit.TestKit
{
    private sealed class Stasher(IActorRef probe) : ActorBase
    {
        private bool _open;

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case "open":
                    _open = true;
                    Stash.UnstashAll();
                    break;
                case "unstash-one":
                    Stash.Unstash();
                    break;
                case "close":
                    _open = false;
                    break;
                case "fail":
                    throw new InvalidOperationException("restart me");
                default:
                    if (_open) probe.Tell(message, Sender);
                    else Stash.Stash();
                    break;
            }
        }
    }

    [Fact]
    public void Unstashed_messages_come_in_stash_order_before_newly_queued_ones()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Stasher(TestActor)));
        actor.Tell(1, TestActor);
        actor.Tell(2);
        actor.Tell(3);
        actor.Tell("open");
        actor.Tell(4);
        ExpectMsg(1);
        Assert.Equal(TestActor, LastSender);
        ExpectMsg(2);
        ExpectMsg(3);
        ExpectMsg(4);
    }

    [Fact]
    public void Unstash_takes_the_oldest_first()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Stasher(TestActor)));
        actor.Tell("a");
        actor.Tell("b");
        actor.Tell("unstash-one"); // 'a' (the oldest) goes back in front, is processed while closed: stash is now [b, a]
        actor.Tell("open");        // unstashes [b, a] in order
        ExpectMsg("b");
        ExpectMsg("a");
    }

    [Fact]
    public void Stash_survives_a_restart()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Stasher(TestActor)));
        actor.Tell("x");
        actor.Tell("fail");
        actor.Tell("open");
        ExpectMsg("x");
    }

    private sealed record Add(int N);

    private sealed class Batcher(IActorRef probe, ManualResetEventSlim gate) : ActorBase
    {
        private readonly List<Envelope> _batch = new();

        protected override void OnReceive(object message)
        {
            if (message is "block")
            {
                gate.Wait(TimeSpan.FromSeconds(30));
                return;
            }
            _batch.Clear();
            _batch.Add(new Envelope(message, Sender));
            DrainQueued(_batch);
            probe.Tell(_batch.Select(e => e.Message).ToArray());
        }
    }

    [Fact]
    public void DrainQueued_takes_everything_queued_in_order_in_one_batch()
    {
        var gate = new ManualResetEventSlim();
        var actor = Sys.ActorOf(Props.Create(() => new Batcher(TestActor, gate)));
        actor.Tell("block");
        for (var i = 0; i < 1000; i++) actor.Tell(new Add(i));
        gate.Set();
        var all = new List<object>();
        var batches = 0;
        while (all.Count < 1000)
        {
            all.AddRange(ExpectMsg<object[]>());
            batches++;
        }
        Assert.Equal(1, batches);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (object)new Add(i)), all);
    }

    [Fact]
    public void DrainQueued_stops_at_PoisonPill_and_respects_max()
    {
        var gate = new ManualResetEventSlim();
        var actor = Sys.ActorOf(Props.Create(() => new Batcher(TestActor, gate)));
        actor.Tell("block");
        for (var i = 0; i < 5; i++) actor.Tell(i);
        actor.Tell(PoisonPill.Instance);
        actor.Tell(99);
        Watch(actor);
        gate.Set();
        Assert.Equal(new object[] { 0, 1, 2, 3, 4 }, ExpectMsg<object[]>());
        ExpectTerminated(actor);
    }

    private sealed record Work(int Id, TaskCompletionSource Release);

    private sealed class AsyncActor(IActorRef probe) : ActorBase
    {
        private int _inFlight;

        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case Work w:
                    RunTask(async () =>
                    {
                        _inFlight++;
                        probe.Tell($"start {w.Id} in-flight {_inFlight}");
                        await w.Release.Task;
                        await Task.Yield();
                        probe.Tell($"end {w.Id} sender-ok {Sender.Equals(probe)} self-ok {Self.Path.Name == "async"}");
                        _inFlight--;
                    });
                    break;
                case "throw-async":
                    RunTask(async () =>
                    {
                        await Task.Yield();
                        throw new InvalidOperationException("async failure");
                    });
                    break;
                default:
                    probe.Tell(message);
                    break;
            }
        }

        protected override void PostRestart(Exception reason) => probe.Tell("restarted: " + reason.Message);
    }

    [Fact]
    public void RunTask_suspends_the_mailbox_until_the_task_completes()
    {
        var actor = Sys.ActorOf(Props.Create(() => new AsyncActor(TestActor)), "async");
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        actor.Tell(new Work(1, first), TestActor);
        actor.Tell(new Work(2, second), TestActor);
        actor.Tell("after");
        ExpectMsg("start 1 in-flight 1");
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        first.SetResult();
        ExpectMsg("end 1 sender-ok True self-ok True");
        ExpectMsg("start 2 in-flight 1");
        second.SetResult();
        ExpectMsg("end 2 sender-ok True self-ok True");
        ExpectMsg("after");
    }

    [Fact]
    public void RunTask_failure_goes_to_supervision()
    {
        var actor = Sys.ActorOf(Props.Create(() => new AsyncActor(TestActor)), "async");
        actor.Tell("throw-async");
        actor.Tell("next");
        ExpectMsg("restarted: async failure");
        ExpectMsg("next");
    }
}
