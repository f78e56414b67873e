using AkkaBroker.Actors;
using AkkaBroker.Broker.Consumers;
using AkkaBroker.Broker.Storage;
using AkkaBroker.Broker.Topics;
using AkkaBroker.Protocol;
using AkkaBroker.Protocol.Remoting;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Broker.Processing;

/// <summary>
/// What the request processors of one broker share: settings, the store, the topic and offset tables, the
/// published consumer groups and the actors that own the rest. Built once by the <see cref="BrokerGuardian"/>.
/// </summary>
public sealed class BrokerServices
{
    /// <summary>Creates the set.</summary>
    public BrokerServices(BrokerNodeSettings settings, MessageStore store, HostAndPort storeHost, TopicConfigManager topics,
        ConsumerOffsetManager offsets, ConsumerRegistry consumers, IActorRef consumerGroups, IActorRef queueRegion,
        IActorRef registrar, IActorRef scheduler, ILogger log)
    {
        Settings = settings;
        Store = store;
        StoreHost = storeHost;
        Topics = topics;
        Offsets = offsets;
        Consumers = consumers;
        ConsumerGroups = consumerGroups;
        QueueRegion = queueRegion;
        Registrar = registrar;
        Scheduler = scheduler;
        Log = log;
    }

    /// <summary>Broker and store settings.</summary>
    public BrokerNodeSettings Settings { get; }

    /// <summary>The broker's settings.</summary>
    public BrokerSettings Broker => Settings.Broker;

    /// <summary>The store.</summary>
    public MessageStore Store { get; }

    /// <summary>The address stored in every record and its offset msgId.</summary>
    public HostAndPort StoreHost { get; }

    /// <summary>The topic table.</summary>
    public TopicConfigManager Topics { get; }

    /// <summary>Consumer offsets.</summary>
    public ConsumerOffsetManager Offsets { get; }

    /// <summary>Consumer group configurations (subscriptionGroup.json); null where the builder supplies none.</summary>
    public SubscriptionGroupManager? SubscriptionGroups { get; init; }

    /// <summary>Messages pulled per group and topic, and their rate (consumeTps of GET_CONSUME_STATS).</summary>
    public ConsumeRates ConsumeRates { get; init; } = new();

    /// <summary>How long the store took to take producers' sends (GET_BROKER_RUNTIME_INFO).</summary>
    public PutStats PutStats { get; } = new();

    /// <summary>Messages put and got per second (putTps, getTransferedTps and the rest of GET_BROKER_RUNTIME_INFO).</summary>
    public TrafficRates TrafficRates { get; } = new();

    /// <summary>The consumer groups as published by their actors.</summary>
    public ConsumerRegistry Consumers { get; }

    /// <summary>The <see cref="Consumers.ConsumerGroups"/> actor.</summary>
    public IActorRef ConsumerGroups { get; }

    /// <summary>The <see cref="Polling.QueueRegion"/> actor (held pulls).</summary>
    public IActorRef QueueRegion { get; }

    /// <summary>The <see cref="Registration.NameServerRegistrar"/> actor.</summary>
    public IActorRef Registrar { get; }

    /// <summary>The delay-level <see cref="Delay.ScheduleService"/> actor.</summary>
    public IActorRef Scheduler { get; }

    /// <summary>The processors' log.</summary>
    public ILogger Log { get; }

    /// <summary>Whether this broker is a master (masters take writes and correct consumer offsets).</summary>
    public bool IsMaster => Broker.IsMaster;

    /// <summary>A response with <paramref name="code"/> and <paramref name="remark"/>.</summary>
    public static RemotingCommand Reply(RemotingCommand request, int code, string? remark = null) => RemotingCommand.CreateResponse(request, code, remark);
}
