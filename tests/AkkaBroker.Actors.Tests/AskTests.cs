namespace AkkaBroker.Actors.Tests;

public sealed class AskTests : TestKit.TestKit
{
    private sealed class Replier : ActorBase
    {
        protected override void OnReceive(object message)
        {
            switch (message)
            {
                case "fail": Sender.Tell(new Status.Failure(new ArgumentException("bad request"))); break;
                case "silent": break;
                case int n: Sender.Tell(n * 2); break;
                default: Sender.Tell(message); break;
            }
        }
    }

    [Fact]
    public async Task Ask_returns_the_reply()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Replier()));
        Assert.Equal(42, await actor.Ask<int>(21));
        Assert.Equal("x", await actor.Ask<string>("x"));
    }

    [Fact]
    public async Task Ask_times_out()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Replier()));
        await Assert.ThrowsAsync<AskTimeoutException>(() => actor.Ask<int>("silent", TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public async Task Ask_faults_with_the_cause_of_a_Status_Failure()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Replier()));
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => actor.Ask<int>("fail"));
        Assert.Equal("bad request", ex.Message);
    }

    [Fact]
    public async Task Ask_with_wrong_reply_type_faults_and_cancellation_cancels()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Replier()));
        await Assert.ThrowsAsync<InvalidCastException>(() => actor.Ask<int>("text"));
        using var cts = new CancellationTokenSource();
        var pending = actor.Ask<int>("silent", TimeSpan.FromSeconds(30), cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public async Task Ask_to_a_dead_actor_times_out()
    {
        var actor = Sys.ActorOf(Props.Create(() => new Replier()));
        Assert.True(await actor.GracefulStop(TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAsync<AskTimeoutException>(() => actor.Ask<int>(1, TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public async Task PipeTo_sends_result_or_failure()
    {
        await Task.FromResult(5).PipeTo(TestActor);
        ExpectMsg(5);
        await Task.FromException<int>(new InvalidOperationException("nope")).PipeTo(TestActor);
        Assert.Equal("nope", ExpectMsg<Status.Failure>().Cause.Message);
        await Task.CompletedTask.PipeTo(TestActor);
        ExpectMsg<Status.Success>();
        await Task.FromResult(2).PipeTo(TestActor, success: n => $"got {n}");
        ExpectMsg("got 2");
    }
}
