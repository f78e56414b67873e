using System.Text.Json.Serialization;

namespace AkkaBroker.Protocol.Json;

/// <summary>
/// GET_ROUTEINFO_BY_TOPIC (105) reply body: which brokers serve a topic and how many queues each has (reference §6.1).
/// </summary>
public sealed class TopicRouteData
{
    /// <summary>Broker groups serving the topic, with their addresses by broker id.</summary>
    public List<BrokerData> BrokerDatas { get; set; } = [];

    /// <summary>Filter servers by broker address (empty in 4.x deployments, but always written).</summary>
    public Dictionary<string, List<string>> FilterServerTable { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The ORDER_TOPIC_CONFIG value (<c>brokerName:queueNums;…</c>) when the name server keeps one; absent otherwise.
    /// A non-empty value switches clients to order-topic queue lists.
    /// </summary>
    public string? OrderTopicConf { get; set; }

    /// <summary>Queue counts and permissions per broker group (from the masters' registrations).</summary>
    public List<QueueData> QueueDatas { get; set; } = [];
}

/// <summary>One broker group's queues for a topic (RocketMQ's <c>QueueData</c>).</summary>
public sealed class QueueData
{
    /// <summary>The broker group's name.</summary>
    public string BrokerName { get; set; } = "";

    /// <summary>Permission bits: 4 read, 2 write, 1 inherit, 8 priority (6 = read and write).</summary>
    public int Perm { get; set; } = 6;

    /// <summary>Queues consumers read.</summary>
    public int ReadQueueNums { get; set; }

    /// <summary>Topic system flag bits.</summary>
    public int TopicSysFlag { get; set; }

    /// <summary>Queues producers write.</summary>
    public int WriteQueueNums { get; set; }

    // 4.0-4.8.0 spelled the flag topicSynFlag; accept it from old brokers, never write it.
    [JsonInclude]
    [JsonPropertyName("topicSynFlag")]
    private int? LegacyTopicSynFlag
    {
        get => null;
        set
        {
            if (value is { } flag) TopicSysFlag = flag;
        }
    }
}

/// <summary>One broker group: its cluster, name and the address of each member (RocketMQ's <c>BrokerData</c>).</summary>
public sealed class BrokerData
{
    /// <summary>Addresses (<c>ip:port</c>) by broker id; id 0 is the master. fastjson writes these keys bare.</summary>
    public Dictionary<long, string> BrokerAddrs { get; set; } = [];

    /// <summary>The broker group's name.</summary>
    public string BrokerName { get; set; } = "";

    /// <summary>The cluster the group belongs to.</summary>
    public string Cluster { get; set; } = "";
}

/// <summary>GET_BROKER_CLUSTER_INFO (106) reply body (RocketMQ's <c>ClusterInfo</c>).</summary>
public sealed class ClusterInfo
{
    /// <summary>Every broker group by name.</summary>
    public Dictionary<string, BrokerData> BrokerAddrTable { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Broker group names by cluster name (a Java Set, written as an array).</summary>
    public Dictionary<string, List<string>> ClusterAddrTable { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Topic names: the reply body of GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206), GET_TOPICS_BY_CLUSTER (224), the
/// system-topic lists (304/305) and GET_TOPIC_NAME_LIST (23) (RocketMQ's <c>TopicList</c>).
/// </summary>
public sealed class TopicList
{
    /// <summary>The answering broker's address, only in the system-topic lists; absent otherwise.</summary>
    public string? BrokerAddr { get; set; }

    /// <summary>The topic names (a Java Set, written as an array).</summary>
    [JsonPropertyName("topicList")]
    public List<string> Topics { get; set; } = [];
}

/// <summary>
/// Key/value pairs (RocketMQ's <c>KVTable</c>): the REGISTER_BROKER reply body (namespace ORDER_TOPIC_CONFIG) and the
/// GET_KVLIST_BY_NAMESPACE (219) reply body.
/// </summary>
public sealed class KVTable
{
    /// <summary>The pairs.</summary>
    public Dictionary<string, string> Table { get; set; } = new(StringComparer.Ordinal);
}
