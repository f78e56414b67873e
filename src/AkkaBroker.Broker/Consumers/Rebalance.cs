using AkkaBroker.Actors;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Broker.Consumers;

/// <summary>
/// One consumer group's membership and queue locks (DESIGN.md §3 Rebalance). Members come from heartbeats and go
/// on UNREGISTER_CLIENT, when their connection closes, or after two minutes without a heartbeat; every change is
/// published to the <see cref="ConsumerRegistry"/> and, when the member set changed, every member is told with
/// NOTIFY_CONSUMER_IDS_CHANGED so it rebalances now rather than at its next timer. Also computes server-side
/// assignments (average allocation) and owns the group's orderly-consumption queue locks: a lock belongs to a
/// group, so keeping it here makes lock and membership one consistent state.
/// </summary>
public sealed class Rebalance : ActorBase
{
    /// <summary>Asks for the average allocation of <paramref name="Queues"/> over the live members; the reply is an <see cref="Assignment"/>.</summary>
    public sealed record GetAssignment(string Topic, IReadOnlyList<MessageQueue> Queues);

    /// <summary>Queues per member client id.</summary>
    public sealed record Assignment(IReadOnlyDictionary<string, IReadOnlyList<MessageQueue>> ByClient);

    /// <summary>Locks the queues for <paramref name="ClientId"/> where free, expired or already its own; the reply is a <see cref="Locked"/>.</summary>
    public sealed record LockBatch(string ClientId, IReadOnlyList<MessageQueue> Queues);

    /// <summary>The queues the client holds after a <see cref="LockBatch"/>.</summary>
    public sealed record Locked(IReadOnlyList<MessageQueue> Queues);

    /// <summary>Releases the client's locks on the queues; the reply is <see cref="Locked"/> with the released ones.</summary>
    public sealed record UnlockBatch(string ClientId, IReadOnlyList<MessageQueue> Queues);

    private sealed record ConnectionClosed(string ClientId, RemotingConnection Connection);

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }

    private sealed class MemberState(ConsumerMember member, long lastSeen)
    {
        public ConsumerMember Member { get; set; } = member;
        public long LastSeen { get; set; } = lastSeen;
    }

    private readonly string _group;
    private readonly ConsumerRegistry _registry;
    private readonly ConsumerGroupSettings _settings;
    private readonly SortedDictionary<string, MemberState> _members = new(StringComparer.Ordinal);
    private readonly Dictionary<MessageQueue, (string ClientId, long LastRenewed)> _locks = [];

    private Rebalance(string group, ConsumerRegistry registry, ConsumerGroupSettings settings)
    {
        _group = group;
        _registry = registry;
        _settings = settings;
    }

    /// <summary>Props for the actor of <paramref name="group"/>.</summary>
    public static Props Props(string group, ConsumerRegistry registry, ConsumerGroupSettings settings) =>
        Actors.Props.Create(() => new Rebalance(group, registry, settings));

    /// <inheritdoc />
    protected override void PreStart() => Timers.StartPeriodicTimer("scan", Tick.Instance, _settings.ScanInterval);

    /// <inheritdoc />
    protected override void PostStop() => _registry.Remove(_group);

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ConsumerGroups.Heartbeat h:
                OnHeartbeat(h);
                Sender.Tell(ConsumerGroups.HeartbeatAck.Instance);
                break;
            case ConsumerGroups.Unregister u:
                if (_members.Remove(u.ClientId)) MembershipChanged($"{u.ClientId} unregistered");
                Sender.Tell(ConsumerGroups.UnregisterAck.Instance);
                break;
            case ConnectionClosed c:
                if (_members.TryGetValue(c.ClientId, out var state) && ReferenceEquals(state.Member.Connection, c.Connection))
                {
                    _members.Remove(c.ClientId);
                    MembershipChanged($"{c.ClientId}'s connection closed");
                }

                break;
            case Tick:
                Scan();
                break;
            case GetAssignment a:
                Sender.Tell(new Assignment(Allocate(a.Queues)));
                break;
            case LockBatch l:
                Sender.Tell(new Locked(TryLock(l.ClientId, l.Queues)));
                break;
            case UnlockBatch u:
                Sender.Tell(new Locked(Unlock(u.ClientId, u.Queues)));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void OnHeartbeat(ConsumerGroups.Heartbeat h)
    {
        var now = Now;
        var member = new ConsumerMember(h.ClientId, h.Connection, h.Data, h.Version, h.Language);
        if (_members.TryGetValue(h.ClientId, out var state))
        {
            var reconnected = !ReferenceEquals(state.Member.Connection, h.Connection);
            var resubscribed = !SameSubscriptions(state.Member.Data, h.Data);
            state.Member = member;
            state.LastSeen = now;
            if (reconnected) WatchConnection(member);
            if (reconnected || resubscribed) Publish();
            return;
        }

        _members[h.ClientId] = new MemberState(member, now);
        WatchConnection(member);
        MembershipChanged($"{h.ClientId} joined");
    }

    private void WatchConnection(ConsumerMember member)
    {
        var self = Self;
        var clientId = member.ClientId;
        var connection = member.Connection;
        connection.Closed.ContinueWith(_ => self.Tell(new ConnectionClosed(clientId, connection)), TaskScheduler.Default);
    }

    private void Scan()
    {
        var now = Now;
        var expiry = (long)_settings.ChannelExpiredTimeout.TotalMilliseconds;
        var expired = _members.Where(m => now - m.Value.LastSeen > expiry).Select(m => m.Key).ToList();
        foreach (var clientId in expired) _members.Remove(clientId);
        if (expired.Count > 0) MembershipChanged($"{string.Join(", ", expired)} sent no heartbeat for {_settings.ChannelExpiredTimeout.TotalSeconds:0} s");

        var lockLife = (long)_settings.LockMaxLiveTime.TotalMilliseconds;
        foreach (var queue in _locks.Where(l => now - l.Value.LastRenewed > lockLife).Select(l => l.Key).ToList()) _locks.Remove(queue);
        if (_members.Count == 0 && _locks.Count == 0) Context.Stop(Self);
    }

    private void MembershipChanged(string why)
    {
        Context.Log.LogInformation("Consumer group {Group}: {Why}; {Count} member(s)", _group, why, _members.Count);
        Publish();
        foreach (var state in _members.Values) Notify(state.Member.Connection);
    }

    private void Notify(RemotingConnection connection)
    {
        if (connection.IsClosed) return;
        var request = RemotingCommand.CreateRequest(RequestCode.NotifyConsumerIdsChanged, new ConsumerGroupRequestHeader(_group).ToExtFields());
        request.MarkOneway();
        // Best effort, like Java's oneway notify: a member that misses it rebalances on its own timer.
        _ = connection.InvokeOnewayAsync(request).AsTask().ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);
    }

    private void Publish()
    {
        if (_members.Count == 0)
        {
            _registry.Remove(_group);
            return;
        }

        var members = _members.Values.Select(s => s.Member).ToList();
        var newest = members.MaxBy(m => _members[m.ClientId].LastSeen)!.Data;
        var subscriptions = new Dictionary<string, SubscriptionData>(StringComparer.Ordinal);
        foreach (var m in members)
        {
            foreach (var sub in m.Data.SubscriptionDataSet)
            {
                if (!subscriptions.TryGetValue(sub.Topic, out var known) || known.SubVersion < sub.SubVersion) subscriptions[sub.Topic] = sub;
            }
        }

        _registry.Publish(new ConsumerGroupInfo(_group, members, subscriptions, newest.MessageModel, newest.ConsumeFromWhere, newest.ConsumeType));
    }

    private Dictionary<string, IReadOnlyList<MessageQueue>> Allocate(IReadOnlyList<MessageQueue> queues)
    {
        // RocketMQ's AllocateMessageQueueAveragely over queues and members both in sorted order.
        var sorted = queues.OrderBy(q => q.Topic, StringComparer.Ordinal).ThenBy(q => q.BrokerName, StringComparer.Ordinal).ThenBy(q => q.QueueId).ToList();
        var clients = _members.Keys.ToList();
        var result = new Dictionary<string, IReadOnlyList<MessageQueue>>(StringComparer.Ordinal);
        for (var index = 0; index < clients.Count; index++)
        {
            var mod = sorted.Count % clients.Count;
            var average = sorted.Count <= clients.Count ? 1 : (mod > 0 && index < mod ? sorted.Count / clients.Count + 1 : sorted.Count / clients.Count);
            var start = mod > 0 && index < mod ? index * average : index * average + mod;
            var range = Math.Min(average, sorted.Count - start);
            result[clients[index]] = range > 0 ? sorted.GetRange(start, range) : [];
        }

        return result;
    }

    private List<MessageQueue> TryLock(string clientId, IReadOnlyList<MessageQueue> queues)
    {
        var now = Now;
        var lockLife = (long)_settings.LockMaxLiveTime.TotalMilliseconds;
        var locked = new List<MessageQueue>();
        foreach (var queue in queues)
        {
            if (_locks.TryGetValue(queue, out var holder) && holder.ClientId != clientId && now - holder.LastRenewed <= lockLife) continue;
            _locks[queue] = (clientId, now);
            locked.Add(queue);
        }

        return locked;
    }

    private List<MessageQueue> Unlock(string clientId, IReadOnlyList<MessageQueue> queues)
    {
        var released = new List<MessageQueue>();
        foreach (var queue in queues)
        {
            if (_locks.TryGetValue(queue, out var holder) && holder.ClientId == clientId && _locks.Remove(queue)) released.Add(queue);
        }

        return released;
    }

    private static bool SameSubscriptions(ConsumerData a, ConsumerData b) =>
        a.MessageModel == b.MessageModel && a.SubscriptionDataSet.Count == b.SubscriptionDataSet.Count &&
        a.SubscriptionDataSet.All(x => b.SubscriptionDataSet.Any(y => y.Topic == x.Topic && y.SubString == x.SubString && y.SubVersion == x.SubVersion));

    private long Now => _settings.Clock.GetUtcNow().ToUnixTimeMilliseconds();
}
