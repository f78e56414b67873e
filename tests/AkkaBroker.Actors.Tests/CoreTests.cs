using AkkaBroker.Actors;

namespace AkkaBroker.Actors.Tests;

public sealed class CoreTests : TestKit.TestKit
{
    [Fact]
    public void Tell_and_reply_reach_the_sender()
    {
        var echo = Sys.ActorOf(Props.Create(() => new EchoActor()), "echo");
        echo.Tell("hello", TestActor);
        ExpectMsg("hello");
        Assert.Equal(echo, LastSender);
        Assert.Equal($"akka://{Sys.Name}/user/echo", echo.Path.ToString());
    }

    // An actor that asks another actor and forwards the reply; it relies on the implicit sender of Tell.
    private sealed class AskingActor(IActorRef target, IActorRef report) : ActorBase
    {
        protected override void OnReceive(object message)
        {
            if (message is "go") target.Tell("ping"); // no sender given: the implicit sender is this actor
            else if (message is "ping") report.Tell(("reply", Sender.Equals(target)), ActorRefs.Nobody);
        }
    }

    [Fact]
    public void A_tell_from_inside_an_actor_carries_that_actor_as_sender_so_replies_return()
    {
        var echo = Sys.ActorOf(Props.Create(() => new EchoActor()), "echo2");
        var asker = Sys.ActorOf(Props.Create(() => new AskingActor(echo, TestActor)));

        asker.Tell("go");

        ExpectMsg(("reply", true));
    }

    [Fact]
    public void A_tell_from_outside_any_actor_has_no_sender()
    {
        var probe = CreateTestProbe();
        probe.Ref.Tell("outside");
        probe.ExpectMsg("outside");
        Assert.Equal(Sys.DeadLetters, probe.LastSender);
    }

    [Fact]
    public void Names_are_unique_among_siblings_and_validated()
    {
        Sys.ActorOf(Props.Create(() => new EchoActor()), "a");
        Assert.Throws<InvalidActorNameException>(() => Sys.ActorOf(Props.Create(() => new EchoActor()), "a"));
        Assert.Throws<InvalidActorNameException>(() => Sys.ActorOf(Props.Create(() => new EchoActor()), "$x"));
        Assert.Throws<InvalidActorNameException>(() => Sys.ActorOf(Props.Create(() => new EchoActor()), "a/b"));
        var anon = Sys.ActorOf(Props.Create(() => new EchoActor()));
        Assert.StartsWith("$", anon.Path.Name);
    }

    [Fact]
    public void Actor_cannot_be_constructed_with_new()
    {
        Assert.Throws<InvalidOperationException>(() => new EchoActor());
    }

    private sealed record Seq(int Sender, int N);

    private sealed class Recorder(IActorRef done, int expected) : ActorBase
    {
        private readonly Dictionary<int, int> _last = new();
        private int _count;
        private bool _ordered = true;

        protected override void OnReceive(object message)
        {
            var s = (Seq)message;
            var last = _last.GetValueOrDefault(s.Sender, -1);
            if (s.N != last + 1) _ordered = false;
            _last[s.Sender] = s.N;
            if (++_count == expected) done.Tell(_ordered);
        }
    }

    private sealed record Go(IActorRef Target, int Id, int Count);

    private sealed class Producer : ActorBase
    {
        protected override void OnReceive(object message)
        {
            var go = (Go)message;
            for (var i = 0; i < go.Count; i++) go.Target.Tell(new Seq(go.Id, i), Self);
        }
    }

    [Fact]
    public void Order_is_preserved_per_sender_with_many_concurrent_senders()
    {
        const int senders = 8, perSender = 20_000;
        var recorder = Sys.ActorOf(Props.Create(() => new Recorder(TestActor, senders * perSender)));
        // Half the senders are actors, half are plain threads.
        for (var s = 0; s < senders / 2; s++)
            Sys.ActorOf(Props.Create(() => new Producer())).Tell(new Go(recorder, s, perSender));
        var threads = Enumerable.Range(senders / 2, senders / 2).Select(id => new Thread(() =>
        {
            for (var i = 0; i < perSender; i++) recorder.Tell(new Seq(id, i));
        })).ToList();
        threads.ForEach(t => t.Start());
        Assert.True(ExpectMsg<bool>(timeout: TimeSpan.FromSeconds(20)));
        threads.ForEach(t => t.Join());
    }

    [Fact]
    public void Mailbox_grows_beyond_its_first_segment_and_keeps_order()
    {
        var gate = new ManualResetEventSlim();
        var actor = Sys.ActorOf(Props.Create(() => new GatedActor(gate, TestActor)));
        for (var i = 0; i < 5000; i++) actor.Tell(i);
        gate.Set();
        for (var i = 0; i < 5000; i++) Assert.Equal(i, ExpectMsg<int>());
    }

    private sealed class Switcher(IActorRef probe) : ActorBase
    {
        protected override void OnReceive(object message)
        {
            if (message is "angry") Context.Become(Angry);
            else if (message is "stacked") Context.BecomeStacked(Angry);
            else probe.Tell("normal:" + message);
        }

        private void Angry(object message)
        {
            if (message is "unbecome") Context.Unbecome();
            else probe.Tell("angry:" + message);
        }
    }

    [Fact]
    public void Become_and_unbecome_switch_behaviours()
    {
        var a = Sys.ActorOf(Props.Create(() => new Switcher(TestActor)));
        a.Tell("x");
        a.Tell("angry");
        a.Tell("y");
        a.Tell("unbecome");
        a.Tell("z");
        a.Tell("stacked");
        a.Tell("w");
        a.Tell("unbecome");
        a.Tell("v");
        ExpectMsg("normal:x");
        ExpectMsg("angry:y");
        ExpectMsg("normal:z");
        ExpectMsg("angry:w");
        ExpectMsg("normal:v");
    }

    [Fact]
    public void Unhandled_message_goes_to_dead_letters()
    {
        var probe = CreateTestProbe();
        Sys.SubscribeDeadLetters(probe.Ref);
        var parent = Sys.ActorOf(Props.Create(() => new SupervisorActor(SupervisorStrategy.DefaultStrategy, null, "p")));
        parent.Tell("what?", TestActor);
        var dl = probe.ExpectMsg<DeadLetter>();
        Assert.Equal("what?", dl.Message);
        Assert.Equal(parent, dl.Recipient);
        Assert.Equal(TestActor, dl.Sender);
    }

    [Fact]
    public void Children_are_listed_and_found_by_name()
    {
        var parent = Sys.ActorOf(Props.Create(() => new SupervisorActor(SupervisorStrategy.DefaultStrategy)), "parent");
        parent.Tell(new CreateChild(Props.Create(() => new EchoActor()), "kid"), TestActor);
        var kid = ExpectMsg<IActorRef>();
        Assert.Equal($"akka://{Sys.Name}/user/parent/kid", kid.Path.ToString());
        kid.Tell("hi", TestActor);
        ExpectMsg("hi");
    }

    private sealed class ForwardingActor(IActorRef target) : ActorBase
    {
        protected override void OnReceive(object message) => target.Forward(message);
    }

    [Fact]
    public void Forward_keeps_the_original_sender()
    {
        var echo = Sys.ActorOf(Props.Create(() => new EchoActor()));
        var fwd = Sys.ActorOf(Props.Create(() => new ForwardingActor(echo)));
        fwd.Tell("ping", TestActor);
        ExpectMsg("ping");
        Assert.Equal(echo, LastSender);
    }

    [Fact]
    public void Throughput_bounds_messages_per_mailbox_run()
    {
        var gate = new ManualResetEventSlim();
        var entered = new ManualResetEventSlim();
        var actor = Sys.ActorOf(Props.Create(() => new GatedActor(gate, TestActor, entered)).WithThroughput(5));
        actor.Tell(-1);
        Assert.True(entered.Wait(Dilated(TimeSpan.FromSeconds(5))));
        var runsBefore = ((LocalActorRef)actor).Cell.Runs;
        for (var i = 0; i < 100; i++) actor.Tell(i);
        gate.Set();
        ExpectMsg(-1);
        for (var i = 0; i < 100; i++) ExpectMsg(i);
        // 100 queued messages at 5 per run: the blocked run takes 4 more, then at least 20 runs for the rest.
        Assert.True(((LocalActorRef)actor).Cell.Runs - runsBefore >= 19, $"runs: {((LocalActorRef)actor).Cell.Runs - runsBefore}");
    }

    [Fact]
    public void Dedicated_thread_actor_runs_on_its_own_thread()
    {
        var actor = Sys.ActorOf(Props.Create(() => new ThreadReporter()).WithDedicatedThread(), "flusher");
        actor.Tell("which", TestActor);
        var (name, isPool) = ExpectMsg<(string?, bool)>();
        Assert.False(isPool);
        Assert.Equal("actor:" + actor.Path, name);
        actor.Tell("which", TestActor);
        Assert.Equal(name, ExpectMsg<(string?, bool)>().Item1);
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        actor.Tell("late"); // goes to dead letters through the thread pool, no hang
    }

    private sealed class ThreadReporter : ActorBase
    {
        protected override void OnReceive(object message)
            => Sender.Tell((Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread));
    }

    private sealed class Sink(CountdownEvent done) : ActorBase
    {
        protected override void OnReceive(object message) => done.Signal();
    }

    [Fact]
    public void Tell_of_a_preallocated_message_does_not_allocate_on_the_sending_thread()
    {
        var message = new object();
        var warm = new CountdownEvent(200_000);
        var done = warm;
        var sink = Sys.ActorOf(Props.Create(() => new Sink(done)));
        for (var i = 0; i < 200_000; i++) sink.Tell(message); // grows the ring to the backlog size once
        Assert.True(warm.Wait(Dilated(TimeSpan.FromSeconds(20))));
        warm.Reset(10_000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++) sink.Tell(message);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(warm.Wait(Dilated(TimeSpan.FromSeconds(20))));
        Assert.True(allocated < 1024, $"allocated {allocated} bytes for 10,000 Tells");
    }
}
