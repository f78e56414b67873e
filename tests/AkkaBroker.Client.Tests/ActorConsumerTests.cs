using AkkaBroker.Actors;
using AkkaBroker.Client.Actors;
using AkkaBroker.Protocol.Json;
using AkkaBroker.TestKit;

namespace AkkaBroker.Client.Tests;

/// <summary>
/// The consumer actor against a real node with a TestProbe as its target: an ack lets the group's committed offset
/// pass the message, a nack or a missing answer brings it back with a higher reconsume count, graceful stop commits
/// and leaves the group, and the consumer stops with its target.
/// </summary>
public sealed class ActorConsumerTests : TestKit.TestKit
{
    private const string Topics = "akkabroker.broker.topics = [ { name = \"Events\", read-queue-nums = 4, write-queue-nums = 4 } ]";
    private const string FastDelays = "akkabroker.store.message-delay-level = \"1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s 1s\"";
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
    private static readonly IReadOnlyList<ConsumerActor.Subscription> Events = [new("Events")];

    private static PushConsumerOptions Options(EmbeddedNode node, string group) => new()
    {
        NamesrvAddr = [node.NameServerAddress], ConsumerGroup = group, InstanceName = group,
        ConsumeFromWhere = ConsumeFromWhere.ConsumeFromFirstOffset, RebalanceInterval = TimeSpan.FromSeconds(1),
        PersistConsumerOffsetInterval = TimeSpan.FromMilliseconds(300), BrokerSuspendMaxTime = TimeSpan.FromSeconds(2),
    };

    private static async Task<SendResult> SendAsync(EmbeddedNode node, string body)
    {
        await using var producer = new Producer(new ProducerOptions { NamesrvAddr = [node.NameServerAddress], ProducerGroup = "PG" });
        await producer.StartAsync();
        return await producer.SendAsync(new Message("Events", body));
    }

    private static long Committed(EmbeddedNode node, string group, MessageQueueRef queue) =>
        node.Node.Broker!.Offsets.Query(group, queue.Topic, queue.QueueId);

    [Fact]
    public async Task An_ack_lets_the_committed_offset_pass_the_message()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Topics);
        var target = CreateTestProbe("target");
        var consumer = Sys.ActorOf(ConsumerActor.Props(Options(node, "CG_ACTOR_ACK"), Events, target.Ref), "consumer");

        var sent = await SendAsync(node, "first");
        var delivery = await target.ExpectMsgAsync<ConsumerActor.Deliver>(timeout: Long);
        Assert.Equal(consumer, target.LastSender);
        Assert.Equal(consumer, delivery.Consumer);
        var message = Assert.Single(delivery.Messages);
        Assert.Equal(("first", sent.MsgId, 0), (message.BodyText, message.MsgId, message.ReconsumeTimes));

        // Unanswered, the message holds the queue's offset back, however many commits go by.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.True(Committed(node, "CG_ACTOR_ACK", sent.Queue) <= sent.QueueOffset);
        var status = await consumer.Ask<ConsumerActor.ConsumerStatus>(ConsumerActor.GetStatus.Instance, Long);
        Assert.Equal(1, status.PendingDeliveries);

        target.Reply(new ConsumerActor.Ack(delivery.DeliveryId));
        await AwaitAssertAsync(() =>
        {
            Assert.Equal(sent.QueueOffset + 1, Committed(node, "CG_ACTOR_ACK", sent.Queue));
            return Task.CompletedTask;
        }, Long, TimeSpan.FromMilliseconds(100));

        // Acknowledged means consumed: no redelivery.
        await target.ExpectNoMsgAsync(TimeSpan.FromSeconds(2));
        Assert.True(await consumer.GracefulStop(Long, ConsumerActor.Shutdown.Instance));
    }

    [Fact]
    public async Task A_nack_or_no_answer_redelivers_with_a_higher_reconsume_count()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Topics, FastDelays);
        var target = CreateTestProbe("target");
        var consumer = Sys.ActorOf(ConsumerActor.Props(Options(node, "CG_ACTOR_NACK"), Events, target.Ref, ackTimeout: TimeSpan.FromSeconds(2)), "consumer");

        await SendAsync(node, "fragile");
        var first = await target.ExpectMsgAsync<ConsumerActor.Deliver>(timeout: Long);
        Assert.Equal(0, first.Messages[0].ReconsumeTimes);
        first.Reject();

        var second = await target.ExpectMsgAsync<ConsumerActor.Deliver>(timeout: Long);
        Assert.Equal(("fragile", "Events", 1), (second.Messages[0].BodyText, second.Messages[0].Topic, second.Messages[0].ReconsumeTimes));
        Assert.NotEqual(first.DeliveryId, second.DeliveryId);
        // No answer: after the ack time-out it counts as a nack.

        var third = await target.ExpectMsgAsync<ConsumerActor.Deliver>(timeout: Long);
        Assert.Equal(("fragile", 2), (third.Messages[0].BodyText, third.Messages[0].ReconsumeTimes));
        // A late answer to the expired delivery is ignored.
        target.Reply(new ConsumerActor.Ack(second.DeliveryId));
        third.Acknowledge();

        await target.ExpectNoMsgAsync(TimeSpan.FromSeconds(3));
        Assert.True(await consumer.GracefulStop(Long, ConsumerActor.Shutdown.Instance));
    }

    [Fact]
    public async Task Graceful_stop_waits_for_the_answer_commits_and_leaves_the_group()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Topics);
        var target = CreateTestProbe("target");
        var options = Options(node, "CG_ACTOR_STOP");
        var consumer = Sys.ActorOf(ConsumerActor.Props(options, Events, target.Ref), "consumer");
        var watcher = CreateTestProbe("watcher");
        watcher.Watch(consumer);

        var sent = await SendAsync(node, "last words");
        var delivery = await target.ExpectMsgAsync<ConsumerActor.Deliver>(timeout: Long);
        Assert.NotNull(node.Node.Broker!.Consumers.Find("CG_ACTOR_STOP"));

        var stopped = consumer.GracefulStop(Long, ConsumerActor.Shutdown.Instance);
        // The consumer still takes the answer of the delivery in flight while it stops.
        await Task.Delay(300);
        Assert.False(stopped.IsCompleted);
        delivery.Acknowledge();
        Assert.True(await stopped);
        await watcher.ExpectTerminatedAsync(consumer, Long);

        Assert.Equal(sent.QueueOffset + 1, Committed(node, "CG_ACTOR_STOP", sent.Queue));
        await AwaitAssertAsync(() =>
        {
            Assert.Null(node.Node.Broker!.Consumers.Find("CG_ACTOR_STOP"));
            return Task.CompletedTask;
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task The_consumer_stops_with_its_target_and_answers_status_once_started()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Topics);
        var target = Sys.ActorOf(Props.Create(() => new AckingTarget()), "target");
        var consumer = Sys.ActorOf(ConsumerActor.Props(Options(node, "CG_ACTOR_TARGET"), Events, target), "consumer");
        var watcher = CreateTestProbe("watcher");
        watcher.Watch(consumer);

        await AwaitAssertAsync(async () =>
        {
            var status = await consumer.Ask<ConsumerActor.ConsumerStatus>(ConsumerActor.GetStatus.Instance, Long);
            Assert.Equal(4, status.OwnedQueues.Count(q => q.Topic == "Events"));
            Assert.Contains("CG_ACTOR_TARGET", status.ClientId);
        }, Long, TimeSpan.FromMilliseconds(200));
        var sent = await SendAsync(node, "acked by an actor");
        await AwaitAssertAsync(() =>
        {
            Assert.Equal(sent.QueueOffset + 1, Committed(node, "CG_ACTOR_TARGET", sent.Queue));
            return Task.CompletedTask;
        }, Long, TimeSpan.FromMilliseconds(100));

        Sys.Stop(target);
        await watcher.ExpectTerminatedAsync(consumer, Long);
        await AwaitAssertAsync(() =>
        {
            Assert.Null(node.Node.Broker!.Consumers.Find("CG_ACTOR_TARGET"));
            return Task.CompletedTask;
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
    }

    private sealed class AckingTarget : ActorBase
    {
        protected override void OnReceive(object message)
        {
            if (message is ConsumerActor.Deliver d) Sender.Tell(new ConsumerActor.Ack(d.DeliveryId));
        }
    }
}
