using AkkaBroker.Protocol.Json;

namespace AkkaBroker.Client;

/// <summary>What a consume callback decided for a batch of messages (concurrent consumption).</summary>
public enum ConsumeResult
{
    /// <summary>Consumed; the offset may pass these messages.</summary>
    Success,

    /// <summary>Failed; redeliver later (through the group's retry topic with the next delay level).</summary>
    ReconsumeLater,
}

/// <summary>What an orderly consume callback decided.</summary>
public enum OrderlyConsumeResult
{
    /// <summary>Consumed; go on with the queue's next messages.</summary>
    Success,

    /// <summary>Failed; hold the queue and try the same messages again shortly (order is kept).</summary>
    SuspendCurrentQueueAMoment,
}

/// <summary>How a group's queues are divided among its members (RocketMQ's allocation strategies).</summary>
public enum AllocateStrategy
{
    /// <summary>Contiguous blocks of queues, sizes differing by at most one (the default).</summary>
    Average,

    /// <summary>Queue i to member i mod n.</summary>
    AverageByCircle,

    /// <summary>A hash ring of members with virtual nodes: few queues move when members come and go.</summary>
    ConsistentHash,
}

/// <summary>Push consumer settings (RocketMQ's DefaultMQPushConsumer defaults, reference §8.6).</summary>
public sealed class PushConsumerOptions : ClientOptions
{
    /// <summary>The consumer group.</summary>
    public string ConsumerGroup { get; init; } = "DEFAULT_CONSUMER";

    /// <summary>Clustering (each message to one member) or broadcasting (to every member).</summary>
    public MessageModel MessageModel { get; init; } = MessageModel.Clustering;

    /// <summary>Where a group starts on a queue it has no offset for.</summary>
    public ConsumeFromWhere ConsumeFromWhere { get; init; } = ConsumeFromWhere.ConsumeFromLastOffset;

    /// <summary>With <see cref="ConsumeFromWhere.ConsumeFromTimestamp"/>: start at messages stored from this time.</summary>
    public DateTimeOffset ConsumeTimestamp { get; init; } = DateTimeOffset.UtcNow.AddMinutes(-30);

    /// <summary>Messages asked for per pull.</summary>
    public int PullBatchSize { get; init; } = 32;

    /// <summary>Pulling of a queue pauses while this many of its messages wait to be consumed.</summary>
    public int PullThresholdForQueue { get; init; } = 1000;

    /// <summary>Pulling of a queue pauses while this many bytes of its messages wait to be consumed.</summary>
    public long PullThresholdSizeForQueue { get; init; } = 100L * 1024 * 1024;

    /// <summary>Concurrent consume callbacks at most (concurrent consumption).</summary>
    public int ConsumeThreadMax { get; init; } = 20;

    /// <summary>Messages per consume callback at most.</summary>
    public int ConsumeMessageBatchMaxSize { get; init; } = 1;

    /// <summary>Redeliveries before a message goes to the group's dead-letter topic.</summary>
    public int MaxReconsumeTimes { get; init; } = 16;

    /// <summary>How often the assignment is recomputed (also on NOTIFY_CONSUMER_IDS_CHANGED).</summary>
    public TimeSpan RebalanceInterval { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How often consume offsets are committed.</summary>
    public TimeSpan PersistConsumerOffsetInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often heartbeats go to every broker.</summary>
    public TimeSpan HeartbeatBrokerInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the broker may hold a pull that finds nothing (long polling).</summary>
    public TimeSpan BrokerSuspendMaxTime { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How queues are divided among the group's members.</summary>
    public AllocateStrategy AllocateStrategy { get; init; } = AllocateStrategy.Average;

    /// <summary>Broadcasting: the folder of the local offset file (default ~/.akkabroker_offsets).</summary>
    public string? LocalOffsetStoreDir { get; init; }
}
