namespace AkkaBroker.Actors.Tests;

public sealed class TimerTests : TestKit.TestKit
{
    public TimerTests() : base(useVirtualTime: true) { }

    private sealed record StartSingle(object Key, object Msg, TimeSpan Delay);
    private sealed record StartPeriodic(object Key, object Msg, TimeSpan Interval, TimeSpan? Initial = null);
    private sealed record CancelTimer(object Key);
    private sealed record IsActive(object Key);
    private sealed record BlockThenStop(ManualResetEventSlim Gate);

    private sealed class TimerActor(IActorRef probe) : ActorBase
    {
        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case StartSingle s: Timers.StartSingleTimer(s.Key, s.Msg, s.Delay); Sender.Tell("ok"); break;
                case StartPeriodic p when p.Initial is { } i: Timers.StartPeriodicTimer(p.Key, p.Msg, i, p.Interval); Sender.Tell("ok"); break;
                case StartPeriodic p: Timers.StartPeriodicTimer(p.Key, p.Msg, p.Interval); Sender.Tell("ok"); break;
                case CancelTimer c: Timers.Cancel(c.Key); Sender.Tell("ok"); break;
                case IsActive a: Sender.Tell(Timers.IsTimerActive(a.Key)); break;
                case Fail f: throw new InvalidOperationException(f.Why);
                case BlockThenStop b:
                    b.Gate.Wait(TimeSpan.FromSeconds(30));
                    Context.Stop(Self);
                    break;
                case (ManualResetEventSlim gate, object key):
                    gate.Wait(TimeSpan.FromSeconds(30));
                    Timers.Cancel(key);
                    break;
                default: probe.Tell(message); break;
            }
        }
    }

    private IActorRef Start(out TestKit.TestProbe ticks)
    {
        ticks = CreateTestProbe();
        var probe = ticks.Ref;
        return Sys.ActorOf(Props.Create(() => new TimerActor(probe)));
    }

    private void Do(IActorRef actor, object command)
    {
        actor.Tell(command, TestActor);
        ExpectMsg("ok");
    }

    [Fact]
    public void Single_timer_fires_once_when_due()
    {
        var actor = Start(out var ticks);
        Do(actor, new StartSingle("k", "tick", TimeSpan.FromSeconds(5)));
        VirtualTime.Advance(TimeSpan.FromSeconds(4));
        ticks.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        VirtualTime.Advance(TimeSpan.FromSeconds(1));
        ticks.ExpectMsg("tick");
        VirtualTime.Advance(TimeSpan.FromSeconds(20));
        ticks.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        actor.Tell(new IsActive("k"), TestActor);
        Assert.False(ExpectMsg<bool>());
    }

    [Fact]
    public void Periodic_timer_fires_every_interval_in_order()
    {
        var actor = Start(out var ticks);
        Do(actor, new StartPeriodic("p", "p", TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500)));
        Do(actor, new StartSingle("s", "s", TimeSpan.FromMilliseconds(1700)));
        VirtualTime.Advance(TimeSpan.FromSeconds(3));
        // p at 0.5, 1.5, 2.5; s at 1.7
        ticks.ExpectMsg("p");
        ticks.ExpectMsg("p");
        ticks.ExpectMsg("s");
        ticks.ExpectMsg("p");
        ticks.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        actor.Tell(new IsActive("p"), TestActor);
        Assert.True(ExpectMsg<bool>());
    }

    [Fact]
    public void Cancelled_timer_does_not_fire_even_if_its_tick_is_already_queued()
    {
        var gate = new ManualResetEventSlim();
        var actor = Start(out var ticks);
        Do(actor, new StartSingle("k", "tick", TimeSpan.FromSeconds(1)));
        actor.Tell((gate, (object)"k"));         // blocks the actor, then cancels "k"
        VirtualTime.Advance(TimeSpan.FromSeconds(2)); // the tick is queued behind the blocking message
        Assert.Equal(0, VirtualTime.PendingCount);
        gate.Set();
        ticks.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        actor.Tell(new IsActive("k"), TestActor);
        Assert.False(ExpectMsg<bool>());
    }

    [Fact]
    public void Cancel_before_due_prevents_delivery()
    {
        var actor = Start(out var ticks);
        Do(actor, new StartSingle("k2", "tick2", TimeSpan.FromSeconds(10)));
        Do(actor, new CancelTimer("k2"));
        VirtualTime.Advance(TimeSpan.FromSeconds(20));
        ticks.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void Restarting_a_key_replaces_the_timer()
    {
        var actor = Start(out var ticks);
        Do(actor, new StartSingle("k", "first", TimeSpan.FromSeconds(1)));
        Do(actor, new StartSingle("k", "second", TimeSpan.FromSeconds(3)));
        VirtualTime.Advance(TimeSpan.FromSeconds(2));
        ticks.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        VirtualTime.Advance(TimeSpan.FromSeconds(1));
        ticks.ExpectMsg("second");
        ticks.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void Timers_are_cancelled_on_restart_and_stop()
    {
        var actor = Start(out var ticks);
        Do(actor, new StartPeriodic("p", "p", TimeSpan.FromSeconds(1)));
        actor.Tell(new Fail("restart"));
        actor.Tell(new IsActive("p"), TestActor);
        Assert.False(ExpectMsg<bool>());
        VirtualTime.Advance(TimeSpan.FromSeconds(5));
        ticks.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Do(actor, new StartPeriodic("p", "p", TimeSpan.FromSeconds(1)));
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        Assert.Equal(0, VirtualTime.PendingCount);
    }

    [Fact]
    public void A_tick_queued_when_its_actor_stops_is_dropped_not_a_dead_letter()
    {
        var deadLetters = CreateTestProbe();
        Sys.SubscribeDeadLetters(deadLetters.Ref);
        var gate = new ManualResetEventSlim();
        var actor = Start(out var ticks);
        Watch(actor);
        Do(actor, new StartSingle("k", "tick", TimeSpan.FromSeconds(1)));
        actor.Tell(new BlockThenStop(gate));
        actor.Tell("after");                          // a real message queued with the tick still is one
        VirtualTime.Advance(TimeSpan.FromSeconds(2)); // the tick is queued behind the blocking message
        gate.Set();
        ExpectTerminated(actor);

        Assert.Equal("after", deadLetters.ExpectMsg<DeadLetter>().Message);
        deadLetters.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        ticks.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    private sealed class IdleActor(IActorRef probe) : ActorBase
    {
        protected override void PreStart() => Context.SetReceiveTimeout(TimeSpan.FromSeconds(10));
        protected override void OnReceive(object message) => probe.Tell(message);
    }

    [Fact]
    public void Receive_timeout_fires_after_idle_time_and_is_reset_by_messages()
    {
        var actor = Sys.ActorOf(Props.Create(() => new IdleActor(TestActor)));
        actor.Tell("hello");
        ExpectMsg("hello");
        VirtualTime.Advance(TimeSpan.FromSeconds(9));
        actor.Tell("again");
        ExpectMsg("again");
        VirtualTime.Advance(TimeSpan.FromSeconds(9));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        VirtualTime.Advance(TimeSpan.FromSeconds(1));
        ExpectMsg(ReceiveTimeout.Instance);
    }

    [Fact]
    public void Scheduler_tell_once_and_repeatedly_can_be_cancelled()
    {
        var once = Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromSeconds(1), TestActor, "once", null);
        var rep = Sys.Scheduler.ScheduleTellRepeatedly(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TestActor, "rep", null);
        VirtualTime.Advance(TimeSpan.FromSeconds(2));
        ExpectMsg("once");
        ExpectMsg("rep");
        ExpectMsg("rep");
        rep.Cancel();
        Assert.True(rep.IsCancellationRequested);
        VirtualTime.Advance(TimeSpan.FromSeconds(5));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Assert.False(once.IsCancellationRequested);
    }
}

public sealed class RealTimeSchedulerTests : TestKit.TestKit
{
    [Fact]
    public void Default_scheduler_delivers_and_cancels()
    {
        var c = Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(20), TestActor, "late", null);
        ExpectMsg("late");
        Assert.True(c.IsCancellationRequested || !c.IsCancellationRequested);
        var rep = Sys.Scheduler.ScheduleTellRepeatedly(TimeSpan.Zero, TimeSpan.FromMilliseconds(10), TestActor, "r", null);
        ExpectMsg("r");
        ExpectMsg("r");
        rep.Cancel();
        FishForMessageUntilQuiet();
        var cancelled = Sys.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(50), TestActor, "never", null);
        cancelled.Cancel();
        ExpectNoMsg(TimeSpan.FromMilliseconds(150));
    }

    private void FishForMessageUntilQuiet()
    {
        while (ReceiveOne(TimeSpan.FromMilliseconds(100)) is not null) { }
    }
}
