namespace AkkaBroker.Protocol.Remoting;

// Offset headers of reference §3.3; field names are Java's, required fields are Java's not-null ones.

/// <summary>Request header of QUERY_CONSUMER_OFFSET (14).</summary>
/// <param name="ConsumerGroup">Consumer group.</param>
/// <param name="Topic">Topic.</param>
/// <param name="QueueId">Queue.</param>
public sealed record QueryConsumerOffsetRequestHeader(
    string ConsumerGroup, string Topic, int QueueId)
    : IExtFieldsHeader<QueryConsumerOffsetRequestHeader>
{
    /// <inheritdoc />
    public static QueryConsumerOffsetRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new QueryConsumerOffsetRequestHeader(r.String("consumerGroup"), r.String("topic"),
            r.Int("queueId"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("consumerGroup", ConsumerGroup).Add("topic", Topic).Add("queueId", QueueId).Fields;
}

/// <summary>Request header of UPDATE_CONSUMER_OFFSET (15); Java sends it oneway, ali-ons may commit -1.</summary>
/// <param name="ConsumerGroup">Consumer group.</param>
/// <param name="Topic">Topic.</param>
/// <param name="QueueId">Queue.</param>
/// <param name="CommitOffset">Offset to store.</param>
public sealed record UpdateConsumerOffsetRequestHeader(
    string ConsumerGroup, string Topic, int QueueId, long CommitOffset)
    : IExtFieldsHeader<UpdateConsumerOffsetRequestHeader>
{
    /// <inheritdoc />
    public static UpdateConsumerOffsetRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new UpdateConsumerOffsetRequestHeader(r.String("consumerGroup"), r.String("topic"),
            r.Int("queueId"), r.Long("commitOffset"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("consumerGroup", ConsumerGroup).Add("topic", Topic).Add("queueId", QueueId)
        .Add("commitOffset", CommitOffset).Fields;
}

/// <summary>Request header of GET_MAX_OFFSET (30), GET_MIN_OFFSET (31) and GET_EARLIEST_MSG_STORETIME (32): one queue of a topic.</summary>
/// <param name="Topic">Topic.</param>
/// <param name="QueueId">Queue.</param>
public sealed record TopicQueueRequestHeader(
    string Topic, int QueueId)
    : IExtFieldsHeader<TopicQueueRequestHeader>
{
    /// <inheritdoc />
    public static TopicQueueRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new TopicQueueRequestHeader(r.String("topic"), r.Int("queueId"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("topic", Topic).Add("queueId", QueueId).Fields;
}

/// <summary>Request header of SEARCH_OFFSET_BY_TIMESTAMP (29).</summary>
/// <param name="Topic">Topic.</param>
/// <param name="QueueId">Queue.</param>
/// <param name="Timestamp">Store time to search for, ms since the epoch.</param>
public sealed record SearchOffsetRequestHeader(
    string Topic, int QueueId, long Timestamp)
    : IExtFieldsHeader<SearchOffsetRequestHeader>
{
    /// <inheritdoc />
    public static SearchOffsetRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new SearchOffsetRequestHeader(r.String("topic"), r.Int("queueId"), r.Long("timestamp"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("topic", Topic).Add("queueId", QueueId).Add("timestamp", Timestamp).Fields;
}

/// <summary>Response header of QUERY_CONSUMER_OFFSET, GET_MAX_OFFSET, GET_MIN_OFFSET and SEARCH_OFFSET_BY_TIMESTAMP.</summary>
/// <param name="Offset">The logical offset.</param>
public sealed record OffsetResponseHeader(
    long Offset)
    : IExtFieldsHeader<OffsetResponseHeader>
{
    /// <inheritdoc />
    public static OffsetResponseHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new OffsetResponseHeader(r.Long("offset"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("offset", Offset).Fields;
}

/// <summary>Response header of GET_EARLIEST_MSG_STORETIME (32).</summary>
/// <param name="Timestamp">Store time of the queue's first message, ms since the epoch.</param>
public sealed record GetEarliestMsgStoretimeResponseHeader(
    long Timestamp)
    : IExtFieldsHeader<GetEarliestMsgStoretimeResponseHeader>
{
    /// <inheritdoc />
    public static GetEarliestMsgStoretimeResponseHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new GetEarliestMsgStoretimeResponseHeader(r.Long("timestamp"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("timestamp", Timestamp).Fields;
}
