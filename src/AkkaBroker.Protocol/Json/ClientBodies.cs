using System.Text.Json.Serialization;

namespace AkkaBroker.Protocol.Json;

/// <summary>How a consumer gets messages (RocketMQ's <c>ConsumeType</c>).</summary>
[JsonConverter(typeof(RocketMqEnumConverter<ConsumeType>))]
public enum ConsumeType
{
    /// <summary>Pull consumer.</summary>
    [JsonStringEnumMemberName("CONSUME_ACTIVELY")]
    ConsumeActively,

    /// <summary>Push consumer.</summary>
    [JsonStringEnumMemberName("CONSUME_PASSIVELY")]
    ConsumePassively,
}

/// <summary>How a group shares a topic's messages (RocketMQ's <c>MessageModel</c>).</summary>
[JsonConverter(typeof(RocketMqEnumConverter<MessageModel>))]
public enum MessageModel
{
    /// <summary>Every member gets every message.</summary>
    [JsonStringEnumMemberName("BROADCASTING")]
    Broadcasting,

    /// <summary>Each message goes to one member.</summary>
    [JsonStringEnumMemberName("CLUSTERING")]
    Clustering,
}

/// <summary>Where a group without a stored offset starts (RocketMQ's <c>ConsumeFromWhere</c>).</summary>
[JsonConverter(typeof(RocketMqEnumConverter<ConsumeFromWhere>))]
public enum ConsumeFromWhere
{
    /// <summary>From the queue's end.</summary>
    [JsonStringEnumMemberName("CONSUME_FROM_LAST_OFFSET")]
    ConsumeFromLastOffset,

    /// <summary>Deprecated; behaves as last offset.</summary>
    [JsonStringEnumMemberName("CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST")]
    ConsumeFromLastOffsetAndFromMinWhenBootFirst,

    /// <summary>Deprecated; behaves as last offset.</summary>
    [JsonStringEnumMemberName("CONSUME_FROM_MIN_OFFSET")]
    ConsumeFromMinOffset,

    /// <summary>Deprecated; behaves as last offset.</summary>
    [JsonStringEnumMemberName("CONSUME_FROM_MAX_OFFSET")]
    ConsumeFromMaxOffset,

    /// <summary>From the queue's start.</summary>
    [JsonStringEnumMemberName("CONSUME_FROM_FIRST_OFFSET")]
    ConsumeFromFirstOffset,

    /// <summary>From the first message stored at or after the consumer's timestamp.</summary>
    [JsonStringEnumMemberName("CONSUME_FROM_TIMESTAMP")]
    ConsumeFromTimestamp,
}

/// <summary>
/// One queue of a topic on one broker group (RocketMQ's <c>MessageQueue</c>). A record: it is a map key and a set
/// element, compared by value.
/// </summary>
public sealed record MessageQueue
{
    /// <summary>The broker group's name.</summary>
    public string BrokerName { get; init; } = "";

    /// <summary>The queue's id within the topic on that broker group.</summary>
    public int QueueId { get; init; }

    /// <summary>The topic.</summary>
    public string Topic { get; init; } = "";
}

/// <summary>HEART_BEAT (34) request body (RocketMQ's <c>HeartbeatData</c>, reference §6.1 and §9.3).</summary>
public sealed class HeartbeatData
{
    /// <summary>The client's id: <c>ip@instance</c> (Java) or <c>ip@pid</c> (ali-ons).</summary>
    [JsonPropertyName("clientID")]
    public string ClientId { get; set; } = "";

    /// <summary>The consumer groups this client belongs to (a Java Set, written as an array).</summary>
    public List<ConsumerData> ConsumerDataSet { get; set; } = [];

    /// <summary>The producer groups this client belongs to (a Java Set, written as an array).</summary>
    public List<ProducerData> ProducerDataSet { get; set; } = [];
}

/// <summary>A producer group named in a heartbeat.</summary>
public sealed class ProducerData
{
    /// <summary>The producer group.</summary>
    public string GroupName { get; set; } = "";
}

/// <summary>A consumer group named in a heartbeat, with its subscriptions (RocketMQ's <c>ConsumerData</c>).</summary>
public sealed class ConsumerData
{
    /// <summary>Where the group starts without a stored offset.</summary>
    public ConsumeFromWhere ConsumeFromWhere { get; set; } = ConsumeFromWhere.ConsumeFromLastOffset;

    /// <summary>Pull or push.</summary>
    public ConsumeType ConsumeType { get; set; } = ConsumeType.ConsumePassively;

    /// <summary>The consumer group.</summary>
    public string GroupName { get; set; } = "";

    /// <summary>Clustering or broadcasting.</summary>
    public MessageModel MessageModel { get; set; } = MessageModel.Clustering;

    /// <summary>The topics the group subscribes (a Java Set, written as an array).</summary>
    public List<SubscriptionData> SubscriptionDataSet { get; set; } = [];

    /// <summary>Unit mode (Java's <c>isUnitMode()</c>).</summary>
    public bool UnitMode { get; set; }
}

/// <summary>One topic subscription (RocketMQ's <c>SubscriptionData</c>).</summary>
public sealed class SubscriptionData
{
    /// <summary>The expression type when a client leaves it out (reference §6.1).</summary>
    public const string TagExpression = "TAG";

    /// <summary>Class filter mode (Java's <c>isClassFilterMode()</c>); the filter class source is never sent.</summary>
    public bool ClassFilterMode { get; set; }

    /// <summary>Java hash codes of <see cref="TagsSet"/> (a Java Set, written as an array).</summary>
    public List<int> CodeSet { get; set; } = [];

    /// <summary><c>TAG</c> or <c>SQL92</c>; absent from older clients and from ali-ons, meaning TAG.</summary>
    public string? ExpressionType { get; set; }

    /// <summary>The expression: <c>*</c>, <c>a || b</c>, or SQL92 text.</summary>
    public string SubString { get; set; } = "*";

    /// <summary>Version of the subscription, the client's clock in ms when it was made.</summary>
    public long SubVersion { get; set; }

    /// <summary>The tags of a TAG expression (a Java Set, written as an array).</summary>
    public List<string> TagsSet { get; set; } = [];

    /// <summary>The topic.</summary>
    public string Topic { get; set; } = "";
}

/// <summary>LOCK_BATCH_MQ (41) request body: the queues a consumer wants to own for orderly consumption.</summary>
public sealed class LockBatchRequestBody
{
    /// <summary>The asking client's id.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The consumer group.</summary>
    public string ConsumerGroup { get; set; } = "";

    /// <summary>The queues (a Java Set, written as an array).</summary>
    public List<MessageQueue> MqSet { get; set; } = [];
}

/// <summary>LOCK_BATCH_MQ (41) reply body: the requested queues the client now holds.</summary>
public sealed class LockBatchResponseBody
{
    /// <summary>The locked queues (a Java Set, written as an array).</summary>
    [JsonPropertyName("lockOKMQSet")]
    public List<MessageQueue> LockOkMqSet { get; set; } = [];
}

/// <summary>UNLOCK_BATCH_MQ (42) request body: queues a consumer releases (the reply has no body).</summary>
public sealed class UnlockBatchRequestBody
{
    /// <summary>The releasing client's id.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The consumer group.</summary>
    public string ConsumerGroup { get; set; } = "";

    /// <summary>The queues (a Java Set, written as an array).</summary>
    public List<MessageQueue> MqSet { get; set; } = [];
}

/// <summary>GET_CONSUMER_LIST_BY_GROUP (38) reply body: the client ids of a group's live members.</summary>
public sealed class GetConsumerListByGroupResponseBody
{
    /// <summary>The members' client ids.</summary>
    public List<string> ConsumerIdList { get; set; } = [];
}

/// <summary>QUERY_ASSIGNMENT (400) request body: which member asks for its share of which topic.</summary>
public sealed class QueryAssignmentRequestBody
{
    /// <summary>The topic.</summary>
    public string Topic { get; set; } = "";

    /// <summary>The consumer group.</summary>
    public string ConsumerGroup { get; set; } = "";

    /// <summary>The asking member's client id.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The allocation strategy the client would like (the broker may use its own).</summary>
    public string? StrategyName { get; set; }

    /// <summary>Clustering (a share) or broadcasting (every queue).</summary>
    public MessageModel MessageModel { get; set; } = MessageModel.Clustering;
}

/// <summary>One assigned queue of a QUERY_ASSIGNMENT reply.</summary>
public sealed class MessageQueueAssignment
{
    /// <summary>The queue.</summary>
    public MessageQueue MessageQueue { get; set; } = new();

    /// <summary>How the member reads it: PULL (or POP, which this broker does not offer).</summary>
    public string Mode { get; set; } = "PULL";

    /// <summary>Extra attributes (none today).</summary>
    public Dictionary<string, string>? Attachments { get; set; }
}

/// <summary>QUERY_ASSIGNMENT (400) reply body.</summary>
public sealed class QueryAssignmentResponseBody
{
    /// <summary>The queues assigned to the asking member (a Java Set, written as an array).</summary>
    public List<MessageQueueAssignment> MessageQueueAssignments { get; set; } = [];
}
