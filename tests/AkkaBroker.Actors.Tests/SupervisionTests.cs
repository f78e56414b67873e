namespace AkkaBroker.Actors.Tests;

public sealed class SupervisionTests : TestKit.TestKit
{
    private IActorRef Child(SupervisorStrategy strategy, out IActorRef parent, string childName = "child")
    {
        parent = Sys.ActorOf(Props.Create(() => new SupervisorActor(strategy, TestActor, "parent")));
        ExpectMsg(new Lifecycle("PreStart", "parent"));
        parent.Tell(new CreateChild(Props.Create(() => new StatefulActor(TestActor, childName)), childName), TestActor);
        var child = ExpectMsg<IActorRef>(m => true);
        ExpectMsg(new Lifecycle("PreStart", childName));
        return child;
    }

    private int StateOf(IActorRef actor)
    {
        actor.Tell(new GetState(), TestActor);
        return ExpectMsg<int>();
    }

    [Fact]
    public void Resume_keeps_state()
    {
        var child = Child(new OneForOneStrategy(_ => Directive.Resume), out _);
        child.Tell("a");
        child.Tell("b");
        child.Tell(new Fail("boom"));
        child.Tell("c");
        Assert.Equal(3, StateOf(child));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void Restart_resets_state_and_calls_hooks_with_the_failed_message()
    {
        var child = Child(new OneForOneStrategy(_ => Directive.Restart), out _);
        child.Tell("a");
        child.Tell("b");
        child.Tell(new Fail("boom"));
        ExpectMsg(new Lifecycle("PreRestart:boom:Fail { Why = boom }", "child"));
        ExpectMsg(new Lifecycle("PostStop", "child"));      // default PreRestart -> PostStop
        ExpectMsg(new Lifecycle("PostRestart:boom", "child"));
        ExpectMsg(new Lifecycle("PreStart", "child"));      // default PostRestart -> PreStart
        Assert.Equal(0, StateOf(child));
        child.Tell("x");
        Assert.Equal(1, StateOf(child));
    }

    [Fact]
    public void Stop_directive_stops_the_child()
    {
        var child = Child(new OneForOneStrategy(_ => Directive.Stop), out _);
        Watch(child);
        child.Tell(new Fail("boom"));
        ExpectMsg(new Lifecycle("PostStop", "child"));
        ExpectTerminated(child);
    }

    [Fact]
    public void Escalate_fails_the_parent_which_its_supervisor_handles()
    {
        var probe = CreateTestProbe();
        var grand = Sys.ActorOf(Props.Create(() => new SupervisorActor(new OneForOneStrategy(_ => Directive.Restart), probe.Ref, "grand")));
        probe.ExpectMsg(new Lifecycle("PreStart", "grand"));
        grand.Tell(new CreateChild(Props.Create(() => new SupervisorActor(new OneForOneStrategy(_ => Directive.Escalate), probe.Ref, "parent")), "parent"), probe.Ref);
        var parent = probe.ExpectMsg<IActorRef>();
        probe.ExpectMsg(new Lifecycle("PreStart", "parent"));
        parent.Tell(new CreateChild(Props.Create(() => new StatefulActor(probe.Ref, "child")), "child"), probe.Ref);
        var child = probe.ExpectMsg<IActorRef>();
        probe.ExpectMsg(new Lifecycle("PreStart", "child"));

        child.Tell(new Fail("deep"));
        // The parent is restarted by grand: its default PreRestart stops the child (asynchronously) and calls
        // PostStop; the new instance starts only after the child has stopped.
        var events = new List<Lifecycle>();
        for (var i = 0; i < 3; i++) events.Add(probe.ExpectMsg<Lifecycle>());
        // The two PostStops come from different actors (no order between them); the restart comes last.
        Assert.Contains(new Lifecycle("PostStop", "parent"), events.Take(2));
        Assert.Contains(new Lifecycle("PostStop", "child"), events.Take(2));
        Assert.Equal(new Lifecycle("PreStart", "parent"), events[2]);
        probe.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void Escalation_reaching_the_user_guardian_stops_the_top_level_actor_only()
    {
        var parent = Sys.ActorOf(Props.Create(() => new SupervisorActor(new OneForOneStrategy(_ => Directive.Escalate), TestActor, "top")), "top");
        ExpectMsg(new Lifecycle("PreStart", "top"));
        parent.Tell(new CreateChild(Props.Create(() => new StatefulActor(TestActor, "child")), "child"), TestActor);
        var child = ExpectMsg<IActorRef>();
        ExpectMsg(new Lifecycle("PreStart", "child"));
        Watch(parent);
        child.Tell(new Fail("up"));
        ExpectMsg(new Lifecycle("PostStop", "child"));
        ExpectMsg(new Lifecycle("PostStop", "top"));
        ExpectTerminated(parent);
        // The system is fine.
        var echo = Sys.ActorOf(Props.Create(() => new EchoActor()));
        echo.Tell("alive", TestActor);
        ExpectMsg("alive");
    }

    [Fact]
    public void Top_level_actor_is_restarted_by_the_guardian_by_default()
    {
        var actor = Sys.ActorOf(Props.Create(() => new StatefulActor(TestActor, "top")));
        ExpectMsg(new Lifecycle("PreStart", "top"));
        actor.Tell("a");
        actor.Tell(new Fail("oops"));
        ExpectMsg<Lifecycle>(l => l.Event.StartsWith("PreRestart:oops", StringComparison.Ordinal));
        ExpectMsg(new Lifecycle("PostStop", "top"));
        ExpectMsg(new Lifecycle("PostRestart:oops", "top"));
        ExpectMsg(new Lifecycle("PreStart", "top"));
        Assert.Equal(0, StateOf(actor));
    }

    [Fact]
    public void Exceeding_max_retries_within_the_window_stops_the_child()
    {
        var child = Child(new OneForOneStrategy(2, TimeSpan.FromMinutes(1), _ => Directive.Restart), out _);
        Watch(child);
        for (var i = 0; i < 3; i++) child.Tell(new Fail("f" + i));
        var terminated = FishForMessage(m => m is Terminated);
        Assert.Equal(child, ((Terminated)terminated).ActorRef);
    }

    [Fact]
    public void Restarts_outside_the_window_are_not_counted()
    {
        var child = Child(new OneForOneStrategy(1, TimeSpan.FromMilliseconds(1), _ => Directive.Restart), out _);
        for (var i = 0; i < 3; i++)
        {
            Thread.Sleep(5);
            child.Tell(new Fail("f" + i));
            FishForMessage(m => m is Lifecycle { Event: "PreStart" });
        }
        Assert.Equal(0, StateOf(child));
    }

    private sealed class FailingStart(IActorRef probe) : ActorBase
    {
        protected override void PreStart() => throw new InvalidOperationException("no start");
        protected override void PostStop() => probe.Tell("stopped");
        protected override void OnReceive(object message) { }
    }

    [Fact]
    public void Failure_in_PreStart_stops_the_actor_by_default()
    {
        var actor = Sys.ActorOf(Props.Create(() => new FailingStart(TestActor)));
        Watch(actor);
        ExpectTerminated(actor);
    }

    [Fact]
    public void Kill_stops_the_actor_under_default_supervision()
    {
        var actor = Sys.ActorOf(Props.Create(() => new StatefulActor(TestActor, "k")));
        ExpectMsg(new Lifecycle("PreStart", "k"));
        Watch(actor);
        actor.Tell(Kill.Instance);
        ExpectMsg(new Lifecycle("PostStop", "k"));
        ExpectTerminated(actor);
    }

    [Fact]
    public void Props_strategy_is_used_for_children()
    {
        var parent = Sys.ActorOf(Props.Create(() => new PlainParent())
            .WithSupervisorStrategy(new OneForOneStrategy(_ => Directive.Resume)));
        parent.Tell(Props.Create(() => new StatefulActor(TestActor, "c")), TestActor);
        var child = ExpectMsg<IActorRef>();
        ExpectMsg(new Lifecycle("PreStart", "c"));
        child.Tell("a");
        child.Tell(new Fail("x"));
        Assert.Equal(1, StateOf(child));
    }

    private sealed class PlainParent : ActorBase
    {
        protected override void OnReceive(object message) => Sender.Tell(Context.ActorOf((Props)message));
    }

    private sealed class Thrower : ActorBase
    {
        protected override void OnReceive(object message) => throw new StackOverflowException("fake, but not caught specially");
    }

    [Fact]
    public void Exceptions_in_actors_never_crash_the_host()
    {
        var throwers = Enumerable.Range(0, 10).Select(_ => Sys.ActorOf(Props.Create(() => new Thrower()))).ToList();
        for (var i = 0; i < 100; i++) throwers[i % 10].Tell(i);
        var echo = Sys.ActorOf(Props.Create(() => new EchoActor()));
        echo.Tell("still here", TestActor);
        ExpectMsg("still here");
    }
}
