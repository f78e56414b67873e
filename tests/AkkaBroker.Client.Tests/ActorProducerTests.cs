using AkkaBroker.Actors;
using AkkaBroker.Client.Actors;
using AkkaBroker.TestKit;

namespace AkkaBroker.Client.Tests;

/// <summary>The producer actor against a real node, driven by a TestProbe: tell and ask, failures as messages, graceful stop.</summary>
public sealed class ActorProducerTests : TestKit.TestKit
{
    private const string Topics = "akkabroker.broker.topics = [ { name = \"Events\", read-queue-nums = 4, write-queue-nums = 4 } ]";
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(20);

    private static ProducerOptions Options(EmbeddedNode node) => new() { NamesrvAddr = [node.NameServerAddress], ProducerGroup = "PG_ACTOR" };

    [Fact]
    public async Task A_told_send_is_answered_with_the_result_and_the_correlation()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Topics);
        var producer = Sys.ActorOf(ProducerActor.Props(Options(node)), "producer");
        var probe = CreateTestProbe();

        probe.Send(producer, new ProducerActor.Send(new Message("Events", "hello"), "req-1"));
        var ok = await probe.ExpectMsgAsync<SendSucceeded>(timeout: Long);

        Assert.Equal("req-1", ok.Correlation);
        Assert.Equal(SendStatus.SendOk, ok.Result.Status);
        Assert.Equal("Events", ok.Result.Queue.Topic);
        Assert.Equal(producer, probe.LastSender);

        probe.Send(producer, new ProducerActor.SendBatch([new Message("Events", "a"), new Message("Events", "b")], 7));
        var batch = await probe.ExpectMsgAsync<SendSucceeded>(timeout: Long);
        Assert.Equal(7, batch.Correlation);
        Assert.Equal(SendStatus.SendOk, batch.Result.Status);
    }

    [Fact]
    public async Task Ask_returns_the_result_and_a_failed_send_faults_with_its_cause()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Topics);
        var producer = Sys.ActorOf(ProducerActor.Props(Options(node)), "producer");

        var result = await producer.SendAsync(new Message("Events", "asked"), Long);
        Assert.Equal(SendStatus.SendOk, result.Status);

        var outcome = await producer.Ask<SendOutcome>(new ProducerActor.Send(new Message("Events", "asked too")), Long);
        Assert.IsType<SendSucceeded>(outcome);

        // An invalid topic fails before anything goes on the wire: a SendFailed, not a dead actor.
        await Assert.ThrowsAnyAsync<ArgumentException>(() => producer.SendAsync(new Message("bad topic!", "x"), Long));
        var probe = CreateTestProbe();
        probe.Send(producer, new ProducerActor.Send(new Message("Events", ReadOnlyMemory<byte>.Empty), "empty"));
        var failed = await probe.ExpectMsgAsync<SendFailed>(timeout: Long);
        Assert.Equal("empty", failed.Correlation);
        Assert.IsAssignableFrom<ArgumentException>(failed.Cause);

        // Still serving after the failures.
        Assert.Equal(SendStatus.SendOk, (await producer.SendAsync(new Message("Events", "after"), Long)).Status);
    }

    [Fact]
    public async Task Graceful_stop_answers_the_sends_in_flight_then_stops()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Topics);
        var producer = Sys.ActorOf(ProducerActor.Props(Options(node)), "producer");
        var probe = CreateTestProbe();
        probe.Watch(producer);

        for (var i = 0; i < 10; i++) probe.Send(producer, new ProducerActor.Send(new Message("Events", $"m{i}"), i));
        Assert.True(await producer.GracefulStop(Long, ProducerActor.Shutdown.Instance));

        var answered = new HashSet<object?>();
        for (var i = 0; i < 10; i++) answered.Add((await probe.ExpectMsgAsync<SendSucceeded>(timeout: Long)).Correlation);
        Assert.Equal(Enumerable.Range(0, 10).Cast<object?>().ToHashSet(), answered);
        await probe.ExpectTerminatedAsync(producer, Long);
    }

    [Fact]
    public async Task An_actor_over_a_shared_producer_leaves_it_running()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Topics);
        await using var shared = new Producer(Options(node));
        await shared.StartAsync();
        var producer = Sys.ActorOf(ProducerActor.Props(shared), "producer");

        Assert.Equal(SendStatus.SendOk, (await producer.SendAsync(new Message("Events", "via actor"), Long)).Status);
        Assert.True(await producer.GracefulStop(Long, ProducerActor.Shutdown.Instance));

        Assert.Equal(SendStatus.SendOk, (await shared.SendAsync(new Message("Events", "direct"))).Status);
    }
}
