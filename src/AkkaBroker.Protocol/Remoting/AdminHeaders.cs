namespace AkkaBroker.Protocol.Remoting;

// Topic, route, broker-registration and KV headers of reference §3.3; field names are Java's, required fields are Java's not-null ones.

/// <summary>Request header of UPDATE_AND_CREATE_TOPIC (17).</summary>
/// <param name="Topic">Topic.</param>
/// <param name="DefaultTopic">Template topic.</param>
/// <param name="ReadQueueNums">Read queue count.</param>
/// <param name="WriteQueueNums">Write queue count.</param>
/// <param name="Perm">Permission bits.</param>
/// <param name="TopicFilterType">SINGLE_TAG or MULTI_TAG.</param>
/// <param name="TopicSysFlag">Topic sysFlag. Optional.</param>
/// <param name="Order">Ordered topic. False when absent.</param>
public sealed record CreateTopicRequestHeader(
    string Topic, string DefaultTopic, int ReadQueueNums, int WriteQueueNums, int Perm, string TopicFilterType,
    int? TopicSysFlag = null, bool Order = false)
    : IExtFieldsHeader<CreateTopicRequestHeader>
{
    /// <inheritdoc />
    public static CreateTopicRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new CreateTopicRequestHeader(r.String("topic"), r.String("defaultTopic"), r.Int("readQueueNums"),
            r.Int("writeQueueNums"), r.Int("perm"), r.String("topicFilterType"), r.OptionalInt("topicSysFlag"),
            r.OptionalBool("order") ?? false);
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("topic", Topic).Add("defaultTopic", DefaultTopic).Add("readQueueNums", ReadQueueNums)
        .Add("writeQueueNums", WriteQueueNums).Add("perm", Perm).Add("topicFilterType", TopicFilterType)
        .Add("topicSysFlag", TopicSysFlag).Add("order", Order).Fields;
}

/// <summary>Request header of DELETE_TOPIC_IN_BROKER (215) and DELETE_TOPIC_IN_NAMESRV (216).</summary>
/// <param name="Topic">Topic.</param>
public sealed record DeleteTopicRequestHeader(
    string Topic)
    : IExtFieldsHeader<DeleteTopicRequestHeader>
{
    /// <inheritdoc />
    public static DeleteTopicRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new DeleteTopicRequestHeader(r.String("topic"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("topic", Topic).Fields;
}

/// <summary>Request header of GET_ROUTEINFO_BY_TOPIC (105).</summary>
/// <param name="Topic">Topic.</param>
/// <param name="AcceptStandardJsonOnly">Ask for quoted keys whatever the version (reference §6.2). Optional.</param>
public sealed record GetRouteInfoRequestHeader(
    string Topic, bool? AcceptStandardJsonOnly = null)
    : IExtFieldsHeader<GetRouteInfoRequestHeader>
{
    /// <inheritdoc />
    public static GetRouteInfoRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new GetRouteInfoRequestHeader(r.String("topic"), r.OptionalBool("acceptStandardJsonOnly"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("topic", Topic).Add("acceptStandardJsonOnly", AcceptStandardJsonOnly).Fields;
}

/// <summary>Request header of REGISTER_BROKER (103); the topic configs travel in the body.</summary>
/// <param name="BrokerName">Broker name.</param>
/// <param name="BrokerAddr">Broker address host:port.</param>
/// <param name="ClusterName">Cluster name.</param>
/// <param name="HaServerAddr">HA address host:port.</param>
/// <param name="BrokerId">0 for the master, above 0 for slaves.</param>
/// <param name="Compressed">Whether the body is compressed. False when absent.</param>
/// <param name="BodyCrc32">CRC32 of the body; 0 or absent skips the check. Optional.</param>
public sealed record RegisterBrokerRequestHeader(
    string BrokerName, string BrokerAddr, string ClusterName, string HaServerAddr, long BrokerId,
    bool Compressed = false, int? BodyCrc32 = null)
    : IExtFieldsHeader<RegisterBrokerRequestHeader>
{
    /// <inheritdoc />
    public static RegisterBrokerRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new RegisterBrokerRequestHeader(r.String("brokerName"), r.String("brokerAddr"),
            r.String("clusterName"), r.String("haServerAddr"), r.Long("brokerId"),
            r.OptionalBool("compressed") ?? false, r.OptionalInt("bodyCrc32"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("brokerName", BrokerName).Add("brokerAddr", BrokerAddr).Add("clusterName", ClusterName)
        .Add("haServerAddr", HaServerAddr).Add("brokerId", BrokerId).Add("compressed", Compressed)
        .Add("bodyCrc32", BodyCrc32).Fields;
}

/// <summary>Response header of REGISTER_BROKER (103).</summary>
/// <param name="HaServerAddr">The master's HA address. Optional.</param>
/// <param name="MasterAddr">The master's address. Optional.</param>
public sealed record RegisterBrokerResponseHeader(
    string? HaServerAddr = null, string? MasterAddr = null)
    : IExtFieldsHeader<RegisterBrokerResponseHeader>
{
    /// <inheritdoc />
    public static RegisterBrokerResponseHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new RegisterBrokerResponseHeader(r.OptionalString("haServerAddr"), r.OptionalString("masterAddr"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("haServerAddr", HaServerAddr).Add("masterAddr", MasterAddr).Fields;
}

/// <summary>Request header of UNREGISTER_BROKER (104).</summary>
/// <param name="BrokerName">Broker name.</param>
/// <param name="BrokerAddr">Broker address host:port.</param>
/// <param name="ClusterName">Cluster name.</param>
/// <param name="BrokerId">0 for the master, above 0 for slaves.</param>
public sealed record UnregisterBrokerRequestHeader(
    string BrokerName, string BrokerAddr, string ClusterName, long BrokerId)
    : IExtFieldsHeader<UnregisterBrokerRequestHeader>
{
    /// <inheritdoc />
    public static UnregisterBrokerRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new UnregisterBrokerRequestHeader(r.String("brokerName"), r.String("brokerAddr"),
            r.String("clusterName"), r.Long("brokerId"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("brokerName", BrokerName).Add("brokerAddr", BrokerAddr).Add("clusterName", ClusterName)
        .Add("brokerId", BrokerId).Fields;
}

/// <summary>Request header of QUERY_DATA_VERSION (322); the DataVersion travels in the body.</summary>
/// <param name="BrokerName">Broker name.</param>
/// <param name="BrokerAddr">Broker address host:port.</param>
/// <param name="ClusterName">Cluster name.</param>
/// <param name="BrokerId">0 for the master, above 0 for slaves.</param>
public sealed record QueryDataVersionRequestHeader(
    string BrokerName, string BrokerAddr, string ClusterName, long BrokerId)
    : IExtFieldsHeader<QueryDataVersionRequestHeader>
{
    /// <inheritdoc />
    public static QueryDataVersionRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new QueryDataVersionRequestHeader(r.String("brokerName"), r.String("brokerAddr"),
            r.String("clusterName"), r.Long("brokerId"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("brokerName", BrokerName).Add("brokerAddr", BrokerAddr).Add("clusterName", ClusterName)
        .Add("brokerId", BrokerId).Fields;
}

/// <summary>Response header of QUERY_DATA_VERSION (322).</summary>
/// <param name="Changed">Whether the name server's DataVersion differs. Optional.</param>
public sealed record QueryDataVersionResponseHeader(
    bool? Changed = null)
    : IExtFieldsHeader<QueryDataVersionResponseHeader>
{
    /// <inheritdoc />
    public static QueryDataVersionResponseHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new QueryDataVersionResponseHeader(r.OptionalBool("changed"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("changed", Changed).Fields;
}

/// <summary>Request header of GET_KV_CONFIG (101).</summary>
/// <param name="Namespace">KV namespace.</param>
/// <param name="Key">Key.</param>
public sealed record GetKvConfigRequestHeader(
    string Namespace, string Key)
    : IExtFieldsHeader<GetKvConfigRequestHeader>
{
    /// <inheritdoc />
    public static GetKvConfigRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new GetKvConfigRequestHeader(r.String("namespace"), r.String("key"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("namespace", Namespace).Add("key", Key).Fields;
}

/// <summary>Response header of GET_KV_CONFIG (101).</summary>
/// <param name="Value">The value. Optional.</param>
public sealed record GetKvConfigResponseHeader(
    string? Value = null)
    : IExtFieldsHeader<GetKvConfigResponseHeader>
{
    /// <inheritdoc />
    public static GetKvConfigResponseHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new GetKvConfigResponseHeader(r.OptionalString("value"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("value", Value).Fields;
}

/// <summary>Request header of DELETE_SUBSCRIPTIONGROUP (207).</summary>
/// <param name="GroupName">Consumer group.</param>
/// <param name="RemoveOffset">Also forget the group's consumer offsets (RocketMQ 4.9). False when absent.</param>
public sealed record DeleteSubscriptionGroupRequestHeader(
    string GroupName, bool RemoveOffset = false)
    : IExtFieldsHeader<DeleteSubscriptionGroupRequestHeader>
{
    /// <inheritdoc />
    public static DeleteSubscriptionGroupRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new DeleteSubscriptionGroupRequestHeader(r.String("groupName"), r.OptionalBool("removeOffset") ?? false);
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("groupName", GroupName).Add("removeOffset", RemoveOffset).Fields;
}
