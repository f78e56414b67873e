using System.Collections.Concurrent;
using AkkaBroker.Actors;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Broker.Consumers;

/// <summary>A live member of a consumer group as its last heartbeat described it.</summary>
/// <param name="ClientId">The client's id (ip@instance).</param>
/// <param name="Connection">The connection its heartbeats arrive on; notifications go back on it.</param>
/// <param name="Data">The group data of its last heartbeat.</param>
/// <param name="Version">The client's protocol version.</param>
/// <param name="Language">The client's language.</param>
public sealed record ConsumerMember(string ClientId, RemotingConnection Connection, ConsumerData Data, int Version, LanguageCode Language);

/// <summary>
/// A consumer group as the request threads read it: published by the group's <see cref="Rebalance"/> actor after
/// every change, never mutated after publication.
/// </summary>
/// <param name="Group">The group.</param>
/// <param name="Members">Live members, ordered by client id.</param>
/// <param name="Subscriptions">Subscriptions by topic (the newest version of each).</param>
/// <param name="MessageModel">Clustering or broadcasting (from the newest heartbeat).</param>
/// <param name="ConsumeFromWhere">Where the group starts without offsets.</param>
/// <param name="ConsumeType">Pull or push.</param>
public sealed record ConsumerGroupInfo(
    string Group, IReadOnlyList<ConsumerMember> Members, IReadOnlyDictionary<string, SubscriptionData> Subscriptions,
    MessageModel MessageModel, ConsumeFromWhere ConsumeFromWhere, ConsumeType ConsumeType);

/// <summary>
/// The published state of every consumer group: read lock-free by request threads (consumer lists, a pull's
/// subscription, consume stats), written only by the groups' <see cref="Rebalance"/> actors.
/// </summary>
public sealed class ConsumerRegistry
{
    private readonly ConcurrentDictionary<string, ConsumerGroupInfo> _groups = new(StringComparer.Ordinal);

    /// <summary>The group's published state, or null when it has no live member.</summary>
    public ConsumerGroupInfo? Find(string group) => _groups.GetValueOrDefault(group);

    /// <summary>Every group with live members.</summary>
    public IEnumerable<ConsumerGroupInfo> All => _groups.Values;

    internal void Publish(ConsumerGroupInfo info) => _groups[info.Group] = info;

    internal void Remove(string group) => _groups.TryRemove(group, out _);
}

/// <summary>
/// Parent of the per-group <see cref="Rebalance"/> actors (DESIGN.md §3 ConsumerGroups): routes heartbeats,
/// unregistrations and lock requests to the group's actor, creating it on the first heartbeat.
/// </summary>
public sealed class ConsumerGroups : ActorBase
{
    /// <summary>The reply to a <see cref="Heartbeat"/>: the member is in the published group.</summary>
    public sealed record HeartbeatAck
    {
        /// <summary>The one instance.</summary>
        public static readonly HeartbeatAck Instance = new();
    }

    /// <summary>A heartbeat's consumer data for one group; answered with <see cref="HeartbeatAck"/> once published.</summary>
    public sealed record Heartbeat(string ClientId, RemotingConnection Connection, ConsumerData Data, int Version, LanguageCode Language);

    /// <summary>A client left the group (UNREGISTER_CLIENT); answered with <see cref="UnregisterAck"/> once the group without it is published.</summary>
    public sealed record Unregister(string ClientId, string Group);

    /// <summary>The reply to an <see cref="Unregister"/>.</summary>
    public sealed record UnregisterAck
    {
        /// <summary>The one instance.</summary>
        public static readonly UnregisterAck Instance = new();
    }

    /// <summary>Any message for the group's <see cref="Rebalance"/> actor (asks are answered by it).</summary>
    public sealed record ForGroup(string Group, object Message);

    private readonly Dictionary<string, IActorRef> _children = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, string> _groupOf = [];
    private readonly ConsumerRegistry _registry;
    private readonly ConsumerGroupSettings _settings;
    private int _next;

    private ConsumerGroups(ConsumerRegistry registry, ConsumerGroupSettings settings)
    {
        _registry = registry;
        _settings = settings;
    }

    /// <summary>Props for the parent publishing into <paramref name="registry"/>.</summary>
    public static Props Props(ConsumerRegistry registry, ConsumerGroupSettings settings) =>
        Actors.Props.Create(() => new ConsumerGroups(registry, settings));

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Heartbeat h:
                GetOrCreate(h.Data.GroupName).Forward(h);
                break;
            case Unregister u when _children.TryGetValue(u.Group, out var child):
                child.Forward(u);
                break;
            case Unregister:
                Sender.Tell(UnregisterAck.Instance); // no such group here: nothing to leave
                break;
            case ForGroup f:
                GetOrCreate(f.Group).Forward(f.Message);
                break;
            case Terminated t when _groupOf.Remove(t.ActorRef, out var group):
                if (_children.TryGetValue(group, out var current) && current.Equals(t.ActorRef)) _children.Remove(group);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private IActorRef GetOrCreate(string group)
    {
        if (_children.TryGetValue(group, out var child)) return child;
        // Group names may hold '%' and '|', so the child's name is a counter; the group is in its state.
        child = Context.ActorOf(Rebalance.Props(group, _registry, _settings), $"group-{++_next}");
        Context.Watch(child);
        _children[group] = child;
        _groupOf[child] = group;
        return child;
    }
}

/// <summary>Timing of consumer-group bookkeeping.</summary>
/// <param name="ChannelExpiredTimeout">A member without a heartbeat for this long is dropped (RocketMQ: 120 s).</param>
/// <param name="ScanInterval">How often members are checked for expiry and locks for lapse.</param>
/// <param name="LockMaxLiveTime">An orderly consumer's queue lock lapses after this long without renewal.</param>
/// <param name="Clock">The clock expiry is measured on.</param>
public sealed record ConsumerGroupSettings(TimeSpan ChannelExpiredTimeout, TimeSpan ScanInterval, TimeSpan LockMaxLiveTime, TimeProvider Clock)
{
    /// <summary>RocketMQ's timings with the system clock.</summary>
    public static ConsumerGroupSettings Default(TimeSpan lockMaxLiveTime) =>
        new(TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(10), lockMaxLiveTime, TimeProvider.System);
}
