namespace AkkaBroker.Protocol.Remoting;

// Client-facing headers of reference §3.3 other than offsets; field names are Java's, required fields are Java's not-null ones.

/// <summary>Request header of CONSUMER_SEND_MSG_BACK (36): send a consumed message to its retry topic or the DLQ.</summary>
/// <param name="Offset">CommitLog physical offset of the message.</param>
/// <param name="Group">Consumer group.</param>
/// <param name="DelayLevel">Delay level; 0 lets the broker use 3 + reconsume times.</param>
/// <param name="OriginMsgId">Message id of the original. Optional.</param>
/// <param name="OriginTopic">Topic of the original. Optional.</param>
/// <param name="UnitMode">Unit mode. False when absent.</param>
/// <param name="MaxReconsumeTimes">Client's retry limit. Optional.</param>
public sealed record ConsumerSendMsgBackRequestHeader(
    long Offset, string Group, int DelayLevel, string? OriginMsgId = null, string? OriginTopic = null,
    bool UnitMode = false, int? MaxReconsumeTimes = null)
    : IExtFieldsHeader<ConsumerSendMsgBackRequestHeader>
{
    /// <inheritdoc />
    public static ConsumerSendMsgBackRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new ConsumerSendMsgBackRequestHeader(r.Long("offset"), r.String("group"), r.Int("delayLevel"),
            r.OptionalString("originMsgId"), r.OptionalString("originTopic"), r.OptionalBool("unitMode") ?? false,
            r.OptionalInt("maxReconsumeTimes"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("offset", Offset).Add("group", Group).Add("delayLevel", DelayLevel).Add("originMsgId", OriginMsgId)
        .Add("originTopic", OriginTopic).Add("unitMode", UnitMode).Add("maxReconsumeTimes", MaxReconsumeTimes).Fields;
}

/// <summary>Request header of UNREGISTER_CLIENT (35).</summary>
/// <param name="ClientId">Client id (ip@instance).</param>
/// <param name="ProducerGroup">Producer group leaving. Optional.</param>
/// <param name="ConsumerGroup">Consumer group leaving. Optional.</param>
public sealed record UnregisterClientRequestHeader(
    string ClientId, string? ProducerGroup = null, string? ConsumerGroup = null)
    : IExtFieldsHeader<UnregisterClientRequestHeader>
{
    /// <inheritdoc />
    public static UnregisterClientRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new UnregisterClientRequestHeader(r.String("clientID"), r.OptionalString("producerGroup"),
            r.OptionalString("consumerGroup"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("clientID", ClientId).Add("producerGroup", ProducerGroup).Add("consumerGroup", ConsumerGroup).Fields;
}

/// <summary>Request header naming one consumer group: GET_CONSUMER_LIST_BY_GROUP (38), NOTIFY_CONSUMER_IDS_CHANGED (40), GET_CONSUMER_CONNECTION_LIST (203).</summary>
/// <param name="ConsumerGroup">Consumer group.</param>
public sealed record ConsumerGroupRequestHeader(
    string ConsumerGroup)
    : IExtFieldsHeader<ConsumerGroupRequestHeader>
{
    /// <inheritdoc />
    public static ConsumerGroupRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new ConsumerGroupRequestHeader(r.String("consumerGroup"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("consumerGroup", ConsumerGroup).Fields;
}

/// <summary>Request header of GET_CONSUME_STATS (208).</summary>
/// <param name="ConsumerGroup">Consumer group.</param>
/// <param name="Topic">Only this topic; all the group's topics when absent. Optional.</param>
public sealed record GetConsumeStatsRequestHeader(
    string ConsumerGroup, string? Topic = null)
    : IExtFieldsHeader<GetConsumeStatsRequestHeader>
{
    /// <inheritdoc />
    public static GetConsumeStatsRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new GetConsumeStatsRequestHeader(r.String("consumerGroup"), r.OptionalString("topic"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("consumerGroup", ConsumerGroup).Add("topic", Topic).Fields;
}

/// <summary>Request header of QUERY_MESSAGE (12): messages by key from the IndexFile.</summary>
/// <param name="Topic">Topic.</param>
/// <param name="Key">Message key (or UNIQ_KEY with extField _UNIQUE_KEY_QUERY=true).</param>
/// <param name="MaxNum">Most messages to return.</param>
/// <param name="BeginTimestamp">Earliest store time, ms.</param>
/// <param name="EndTimestamp">Latest store time, ms.</param>
public sealed record QueryMessageRequestHeader(
    string Topic, string Key, int MaxNum, long BeginTimestamp, long EndTimestamp)
    : IExtFieldsHeader<QueryMessageRequestHeader>
{
    /// <inheritdoc />
    public static QueryMessageRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new QueryMessageRequestHeader(r.String("topic"), r.String("key"), r.Int("maxNum"),
            r.Long("beginTimestamp"), r.Long("endTimestamp"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("topic", Topic).Add("key", Key).Add("maxNum", MaxNum).Add("beginTimestamp", BeginTimestamp)
        .Add("endTimestamp", EndTimestamp).Fields;
}

/// <summary>Response header of QUERY_MESSAGE (12).</summary>
/// <param name="IndexLastUpdateTimestamp">Index's last update time, ms.</param>
/// <param name="IndexLastUpdatePhyoffset">CommitLog offset the index has reached.</param>
public sealed record QueryMessageResponseHeader(
    long IndexLastUpdateTimestamp, long IndexLastUpdatePhyoffset)
    : IExtFieldsHeader<QueryMessageResponseHeader>
{
    /// <inheritdoc />
    public static QueryMessageResponseHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new QueryMessageResponseHeader(r.Long("indexLastUpdateTimestamp"),
            r.Long("indexLastUpdatePhyoffset"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("indexLastUpdateTimestamp", IndexLastUpdateTimestamp)
        .Add("indexLastUpdatePhyoffset", IndexLastUpdatePhyoffset).Fields;
}

/// <summary>Request header of VIEW_MESSAGE_BY_ID (33).</summary>
/// <param name="Offset">CommitLog physical offset of the message.</param>
public sealed record ViewMessageRequestHeader(
    long Offset)
    : IExtFieldsHeader<ViewMessageRequestHeader>
{
    /// <inheritdoc />
    public static ViewMessageRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new ViewMessageRequestHeader(r.Long("offset"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("offset", Offset).Fields;
}

/// <summary>Request header of END_TRANSACTION (37, oneway).</summary>
/// <param name="ProducerGroup">Producer group.</param>
/// <param name="TranStateTableOffset">Queue offset of the half message.</param>
/// <param name="CommitLogOffset">CommitLog offset of the half message.</param>
/// <param name="CommitOrRollback">0 none, 8 commit, 12 rollback.</param>
/// <param name="FromTransactionCheck">Whether this answers a check. False when absent.</param>
/// <param name="MsgId">Message id.</param>
/// <param name="TransactionId">Transaction id. Optional.</param>
public sealed record EndTransactionRequestHeader(
    string ProducerGroup, long TranStateTableOffset, long CommitLogOffset, int CommitOrRollback,
    bool FromTransactionCheck, string MsgId, string? TransactionId = null)
    : IExtFieldsHeader<EndTransactionRequestHeader>
{
    /// <inheritdoc />
    public static EndTransactionRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new EndTransactionRequestHeader(r.String("producerGroup"), r.Long("tranStateTableOffset"),
            r.Long("commitLogOffset"), r.Int("commitOrRollback"), r.OptionalBool("fromTransactionCheck") ?? false,
            r.String("msgId"), r.OptionalString("transactionId"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("producerGroup", ProducerGroup).Add("tranStateTableOffset", TranStateTableOffset)
        .Add("commitLogOffset", CommitLogOffset).Add("commitOrRollback", CommitOrRollback)
        .Add("fromTransactionCheck", FromTransactionCheck).Add("msgId", MsgId).Add("transactionId", TransactionId)
        .Fields;
}

/// <summary>Request header of CHECK_TRANSACTION_STATE (39, broker to producer).</summary>
/// <param name="TranStateTableOffset">Queue offset of the half message.</param>
/// <param name="CommitLogOffset">CommitLog offset of the half message.</param>
/// <param name="MsgId">Message id. Optional.</param>
/// <param name="TransactionId">Transaction id. Optional.</param>
/// <param name="OffsetMsgId">Offset message id. Optional.</param>
public sealed record CheckTransactionStateRequestHeader(
    long TranStateTableOffset, long CommitLogOffset, string? MsgId = null, string? TransactionId = null,
    string? OffsetMsgId = null)
    : IExtFieldsHeader<CheckTransactionStateRequestHeader>
{
    /// <inheritdoc />
    public static CheckTransactionStateRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new CheckTransactionStateRequestHeader(r.Long("tranStateTableOffset"), r.Long("commitLogOffset"),
            r.OptionalString("msgId"), r.OptionalString("transactionId"), r.OptionalString("offsetMsgId"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("tranStateTableOffset", TranStateTableOffset).Add("commitLogOffset", CommitLogOffset).Add("msgId", MsgId)
        .Add("transactionId", TransactionId).Add("offsetMsgId", OffsetMsgId).Fields;
}
