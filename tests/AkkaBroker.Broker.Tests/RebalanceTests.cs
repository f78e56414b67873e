using System.IO.Pipelines;
using AkkaBroker.Actors;
using AkkaBroker.Broker.Consumers;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;

namespace AkkaBroker.Broker.Tests;

/// <summary>Consumer-group membership expiry and queue-lock lapse, on virtual time and a hand-moved clock.</summary>
public sealed class RebalanceTests() : TestKit.TestKit(useVirtualTime: true)
{
    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }

    private static RemotingConnection Connection() => new(new DuplexPipe(new Pipe().Reader, new Pipe().Writer), remoteAddress: "10.0.0.1:1");

    private static readonly TimeSpan Scan = TimeSpan.FromSeconds(10);

    private (IActorRef Groups, ConsumerRegistry Registry, ManualClock Clock) Start()
    {
        var clock = new ManualClock();
        var registry = new ConsumerRegistry();
        var groups = Sys.ActorOf(ConsumerGroups.Props(registry, new ConsumerGroupSettings(TimeSpan.FromSeconds(120), Scan, TimeSpan.FromSeconds(60), clock)));
        return (groups, registry, clock);
    }

    private static async Task HeartbeatAsync(IActorRef groups, string clientId, RemotingConnection connection) =>
        await groups.Ask<ConsumerGroups.HeartbeatAck>(new ConsumerGroups.Heartbeat(clientId, connection,
            new ConsumerData { GroupName = "G", SubscriptionDataSet = [new SubscriptionData { Topic = "T", SubString = "*" }] }, 401, LanguageCode.JAVA),
            TimeSpan.FromSeconds(5));

    // Fires the scan timer, then waits (in real time, bounded) for the actor to publish what it found.
    private async Task ScanUntilAsync(Func<bool> published)
    {
        VirtualTime.Advance(Scan);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!published() && DateTime.UtcNow < deadline) await Task.Delay(10);
    }

    [Fact]
    public async Task A_member_silent_for_over_120_s_is_dropped_while_one_that_keeps_beating_stays()
    {
        var (groups, registry, clock) = Start();
        await HeartbeatAsync(groups, "a", Connection());
        await HeartbeatAsync(groups, "b", Connection());
        Assert.Equal(["a", "b"], registry.Find("G")!.Members.Select(m => m.ClientId));

        clock.Advance(TimeSpan.FromSeconds(100));
        await HeartbeatAsync(groups, "a", Connection());
        clock.Advance(TimeSpan.FromSeconds(30));
        await ScanUntilAsync(() => registry.Find("G")?.Members.Count == 1);

        Assert.Equal(["a"], registry.Find("G")!.Members.Select(m => m.ClientId));
        clock.Advance(TimeSpan.FromSeconds(121));
        await ScanUntilAsync(() => registry.Find("G") is null);
        Assert.Null(registry.Find("G"));
    }

    [Fact]
    public async Task A_queue_lock_is_exclusive_until_it_lapses_after_60_s_without_renewal()
    {
        var (groups, _, clock) = Start();
        await HeartbeatAsync(groups, "a", Connection());
        var queue = new MessageQueue { Topic = "T", BrokerName = "broker-a", QueueId = 0 };

        var first = await groups.Ask<Rebalance.Locked>(new ConsumerGroups.ForGroup("G", new Rebalance.LockBatch("a", [queue])), TimeSpan.FromSeconds(5));
        var contended = await groups.Ask<Rebalance.Locked>(new ConsumerGroups.ForGroup("G", new Rebalance.LockBatch("b", [queue])), TimeSpan.FromSeconds(5));
        Assert.Equal([queue], first.Queues);
        Assert.Empty(contended.Queues);

        clock.Advance(TimeSpan.FromSeconds(61));
        var afterLapse = await groups.Ask<Rebalance.Locked>(new ConsumerGroups.ForGroup("G", new Rebalance.LockBatch("b", [queue])), TimeSpan.FromSeconds(5));
        Assert.Equal([queue], afterLapse.Queues);
    }
}
