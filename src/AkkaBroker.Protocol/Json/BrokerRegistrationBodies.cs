using System.Text.Json.Serialization;

namespace AkkaBroker.Protocol.Json;

/// <summary>RocketMQ's <c>DataVersion</c>: bumped on every change so name servers and slaves notice it.</summary>
public sealed class DataVersion
{
    /// <summary>Changes so far (a Java AtomicLong, written as a number).</summary>
    public long Counter { get; set; }

    /// <summary>Time of the last change, ms since the epoch.</summary>
    public long Timestamp { get; set; }

    /// <summary>Records a change at <paramref name="nowMs"/>.</summary>
    public void Next(long nowMs)
    {
        Counter++;
        Timestamp = nowMs;
    }
}

/// <summary>How a topic's messages carry tags (RocketMQ's <c>TopicFilterType</c>).</summary>
[JsonConverter(typeof(RocketMqEnumConverter<TopicFilterType>))]
public enum TopicFilterType
{
    /// <summary>One tag per message.</summary>
    [JsonStringEnumMemberName("SINGLE_TAG")]
    SingleTag,

    /// <summary>Several tags per message.</summary>
    [JsonStringEnumMemberName("MULTI_TAG")]
    MultiTag,
}

/// <summary>One topic's configuration (RocketMQ's <c>TopicConfig</c>, reference §5.4), with Java's defaults.</summary>
public sealed class TopicConfig
{
    /// <summary>Whether the topic is ordered (Java's <c>isOrder()</c>).</summary>
    public bool Order { get; set; }

    /// <summary>Permission bits: 4 read, 2 write, 1 inherit (6 = read and write).</summary>
    public int Perm { get; set; } = 6;

    /// <summary>Queues consumers read.</summary>
    public int ReadQueueNums { get; set; } = 16;

    /// <summary>How messages carry tags.</summary>
    public TopicFilterType TopicFilterType { get; set; } = TopicFilterType.SingleTag;

    /// <summary>The topic's name.</summary>
    public string TopicName { get; set; } = "";

    /// <summary>System flag bits (unit mode).</summary>
    public int TopicSysFlag { get; set; }

    /// <summary>Queues producers write.</summary>
    public int WriteQueueNums { get; set; } = 16;
}

/// <summary>
/// Every topic of a broker with the table's version (RocketMQ's <c>TopicConfigSerializeWrapper</c>): the
/// GET_ALL_TOPIC_CONFIG (21) reply body (the compact form of topics.json) and part of the REGISTER_BROKER body.
/// </summary>
public sealed class TopicConfigSerializeWrapper
{
    /// <summary>Version of the table.</summary>
    public DataVersion DataVersion { get; set; } = new();

    /// <summary>Topics by name.</summary>
    public Dictionary<string, TopicConfig> TopicConfigTable { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// REGISTER_BROKER (103) request body when <c>compressed=false</c> (RocketMQ's <c>RegisterBrokerBody</c>). The
/// compressed form is a zlib stream of a different layout (reference §6.1), not JSON.
/// </summary>
public sealed class RegisterBrokerBody
{
    /// <summary>Filter server addresses of the broker (empty in 4.x deployments).</summary>
    public List<string> FilterServerList { get; set; } = [];

    /// <summary>The broker's topics.</summary>
    public TopicConfigSerializeWrapper TopicConfigSerializeWrapper { get; set; } = new();
}

/// <summary>
/// What a name server answers to REGISTER_BROKER (RocketMQ's <c>RegisterBrokerResult</c>). On the wire it is split:
/// <see cref="HaServerAddr"/> and <see cref="MasterAddr"/> go in the response's extFields and only
/// <see cref="KvTable"/> is the body, serialized on its own (see <see cref="KVTable"/>).
/// </summary>
public sealed class RegisterBrokerResult
{
    /// <summary>The master's HA address, for a slave to replicate from; absent for a master.</summary>
    public string? HaServerAddr { get; set; }

    /// <summary>The ORDER_TOPIC_CONFIG namespace, or absent.</summary>
    public KVTable? KvTable { get; set; }

    /// <summary>The master's address; absent when no master is registered.</summary>
    public string? MasterAddr { get; set; }
}
