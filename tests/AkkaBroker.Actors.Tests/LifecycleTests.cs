namespace AkkaBroker.Actors.Tests;

public sealed class LifecycleTests : TestKit.TestKit
{
    [Fact]
    public void Watch_delivers_Terminated_when_the_actor_stops()
    {
        var actor = Sys.ActorOf(Props.Create(() => new EchoActor()));
        Watch(actor);
        Sys.Stop(actor);
        var t = ExpectTerminated(actor);
        Assert.True(t.ExistenceConfirmed);
    }

    [Fact]
    public void Watching_an_already_dead_actor_delivers_Terminated_at_once()
    {
        var actor = Sys.ActorOf(Props.Create(() => new EchoActor()));
        var probe = CreateTestProbe();
        probe.Watch(actor);
        Sys.Stop(actor);
        probe.ExpectTerminated(actor);
        Watch(actor);
        var t = ExpectTerminated(actor);
        Assert.False(t.ExistenceConfirmed);
    }

    [Fact]
    public void Unwatch_suppresses_Terminated()
    {
        var actor = Sys.ActorOf(Props.Create(() => new EchoActor()));
        Watch(actor);
        Unwatch(actor);
        Sys.Stop(actor);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    private sealed class Watcher(IActorRef target) : ActorBase
    {
        protected override void PreStart() => Context.Watch(target);
        protected override void OnReceive(object message) => Unhandled(message);
    }

    [Fact]
    public void Unhandled_Terminated_is_a_death_pact()
    {
        var target = Sys.ActorOf(Props.Create(() => new EchoActor()));
        var watcher = Sys.ActorOf(Props.Create(() => new Watcher(target)));
        Watch(watcher);
        Sys.Stop(target);
        ExpectTerminated(watcher);
    }

    [Fact]
    public void PoisonPill_stops_after_the_messages_before_it_and_later_ones_are_dead_letters()
    {
        var probe = CreateTestProbe();
        Sys.SubscribeDeadLetters(probe.Ref);
        var actor = Sys.ActorOf(Props.Create(() => new ForwardActor(TestActor)));
        Watch(actor);
        actor.Tell(1);
        actor.Tell(2);
        actor.Tell(PoisonPill.Instance);
        actor.Tell(3);
        ExpectMsg(1);
        ExpectMsg(2);
        ExpectTerminated(actor);
        Assert.Equal(3, probe.FishForMessage(m => m is DeadLetter { Message: 3 }) is DeadLetter d ? d.Message : null);
        actor.Tell(4);
        probe.FishForMessage(m => m is DeadLetter { Message: 4 });
    }

    private sealed class Parent(IActorRef probe) : ActorBase
    {
        protected override void PreStart()
        {
            for (var i = 0; i < 3; i++)
            {
                var id = i;
                Context.ActorOf(Props.Create(() => new Kid(probe, id)), "kid" + id);
            }
        }

        protected override void PostStop() => probe.Tell("parent stopped");
        protected override void OnReceive(object message) { }
    }

    private sealed class Kid(IActorRef probe, int id) : ActorBase
    {
        protected override void PreStart()
        {
            Context.ActorOf(Props.Create(() => new GrandKid(probe, id)), "g");
        }

        protected override void PostStop() => probe.Tell("kid stopped " + id);
        protected override void OnReceive(object message) { }
    }

    private sealed class GrandKid(IActorRef probe, int id) : ActorBase
    {
        protected override void PostStop() => probe.Tell("grandkid stopped " + id);
        protected override void OnReceive(object message) { }
    }

    [Fact]
    public void Children_stop_before_the_parent_PostStop()
    {
        var parent = Sys.ActorOf(Props.Create(() => new Parent(TestActor)));
        AwaitAssert(() => Assert.Equal(3, ((LocalActorRef)parent).Cell.Children.Count));
        Sys.Stop(parent);
        var seen = new List<string>();
        for (var i = 0; i < 7; i++) seen.Add(ExpectMsg<string>());
        Assert.Equal("parent stopped", seen[^1]);
        for (var i = 0; i < 3; i++)
            Assert.True(seen.IndexOf("grandkid stopped " + i) < seen.IndexOf("kid stopped " + i));
    }

    [Fact]
    public async Task Terminate_stops_everything_and_completes()
    {
        var parent = Sys.ActorOf(Props.Create(() => new Parent(TestActor)));
        AwaitAssert(() => Assert.Equal(3, ((LocalActorRef)parent).Cell.Children.Count));
        await Sys.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(Sys.WhenTerminated.IsCompletedSuccessfully);
        Assert.True(((LocalActorRef)parent).Cell.IsTerminated);
    }

    [Fact]
    public async Task GracefulStop_completes_true_when_stopped()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Parent(TestActor)));
        Assert.True(await actor.GracefulStop(TimeSpan.FromSeconds(5)));
        Assert.True(((LocalActorRef)actor).Cell.IsTerminated);
        Assert.True(await actor.GracefulStop(TimeSpan.FromSeconds(5))); // already dead
    }

    [Fact]
    public async Task GracefulStop_returns_false_on_timeout()
    {
        var gate = new ManualResetEventSlim();
        var actor = Sys.ActorOf(Props.Create(() => new GatedActor(gate, TestActor)));
        actor.Tell("block");
        Assert.False(await actor.GracefulStop(TimeSpan.FromMilliseconds(100)));
        gate.Set();
    }

    [Fact]
    public void Bounded_mailbox_overflow_goes_to_dead_letters_without_blocking()
    {
        var probe = CreateTestProbe();
        Sys.SubscribeDeadLetters(probe.Ref);
        var gate = new ManualResetEventSlim();
        var entered = new ManualResetEventSlim();
        var actor = Sys.ActorOf(Props.Create(() => new GatedActor(gate, TestActor, entered)).WithBoundedMailbox(10));
        actor.Tell(0);
        Assert.True(entered.Wait(Dilated(TimeSpan.FromSeconds(5)))); // 0 is being processed (blocked), the queue is empty
        for (var i = 1; i <= 30; i++) actor.Tell(i);
        for (var i = 11; i <= 30; i++) Assert.Equal(i, probe.ExpectMsg<DeadLetter>().Message);
        gate.Set();
        for (var i = 0; i <= 10; i++) ExpectMsg(i);
        // Capacity is free again.
        actor.Tell(99);
        ExpectMsg(99);
    }

    [Fact]
    public void Dead_letters_are_published_with_recipient()
    {
        var probe = CreateTestProbe();
        Sys.SubscribeDeadLetters(probe.Ref);
        Sys.DeadLetters.Tell("direct", TestActor);
        var d = probe.ExpectMsg<DeadLetter>();
        Assert.Equal("direct", d.Message);
        Assert.Equal(TestActor, d.Sender);
        Sys.UnsubscribeDeadLetters(probe.Ref);
        Sys.DeadLetters.Tell("again");
        probe.ExpectNoMsg();
    }

    private sealed class TimeoutActor(IActorRef probe) : ActorBase
    {
        protected override void PreStart() => Context.SetReceiveTimeout(TimeSpan.FromSeconds(1));
        protected override void OnReceive(object message) => probe.Tell(message);
    }

    [Fact]
    public void Same_path_new_incarnation_is_a_different_ref()
    {
        var a = Sys.ActorOf(Props.Create(() => new EchoActor()), "same");
        Watch(a);
        Sys.Stop(a);
        ExpectTerminated(a);
        var b = Sys.ActorOf(Props.Create(() => new EchoActor()), "same");
        Assert.Equal(a.Path.ToString(), b.Path.ToString());
        Assert.NotEqual(a, b);
        Assert.NotEqual(a.Path, b.Path);
    }
}
