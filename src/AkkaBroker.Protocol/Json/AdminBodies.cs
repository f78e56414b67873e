namespace AkkaBroker.Protocol.Json;

/// <summary>GET_CONSUME_STATS (208) reply body: a group's progress on each queue of a topic (RocketMQ's <c>ConsumeStats</c>).</summary>
public sealed class ConsumeStats
{
    /// <summary>Messages consumed per second by the group on this broker.</summary>
    public double ConsumeTps { get; set; }

    /// <summary>
    /// Offsets by queue. fastjson writes each key as a JSON object, <c>{{"brokerName":…,"queueId":0,"topic":…}:{…}}</c>,
    /// which is not strict JSON; it is written that way regardless of the bare-key setting, as Java's admin expects.
    /// </summary>
    public Dictionary<MessageQueue, OffsetWrapper> OffsetTable { get; set; } = [];
}

/// <summary>One queue's offsets in <see cref="ConsumeStats"/> (RocketMQ's <c>OffsetWrapper</c>).</summary>
public sealed class OffsetWrapper
{
    /// <summary>The queue's max offset on the broker.</summary>
    public long BrokerOffset { get; set; }

    /// <summary>The group's committed offset.</summary>
    public long ConsumerOffset { get; set; }

    /// <summary>Store time (ms) of the last consumed message, 0 when unknown.</summary>
    public long LastTimestamp { get; set; }
}

/// <summary>GET_CONSUMER_CONNECTION_LIST (203) reply body: a group's live connections and what they subscribe.</summary>
public sealed class ConsumerConnection
{
    /// <summary>The members' connections (a Java Set, written as an array).</summary>
    public List<Connection> ConnectionSet { get; set; } = [];

    /// <summary>Where the group starts without a stored offset; absent when unknown.</summary>
    public ConsumeFromWhere? ConsumeFromWhere { get; set; }

    /// <summary>Pull or push; absent when unknown.</summary>
    public ConsumeType? ConsumeType { get; set; }

    /// <summary>Clustering or broadcasting; absent when unknown.</summary>
    public MessageModel? MessageModel { get; set; }

    /// <summary>Subscriptions by topic.</summary>
    public Dictionary<string, SubscriptionData> SubscriptionTable { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One client connection (RocketMQ's <c>Connection</c>).</summary>
public sealed class Connection
{
    /// <summary>The client's address, <c>ip:port</c>.</summary>
    public string ClientAddr { get; set; } = "";

    /// <summary>The client's id.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>
    /// The client's LanguageCode name (JAVA, CPP, DOTNET, GO, …) as its request header said; kept as text so an
    /// unfamiliar language does not make the body unreadable.
    /// </summary>
    public string Language { get; set; } = "JAVA";

    /// <summary>The client's version number from its request header.</summary>
    public int Version { get; set; }
}
