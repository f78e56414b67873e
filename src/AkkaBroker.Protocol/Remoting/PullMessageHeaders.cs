namespace AkkaBroker.Protocol.Remoting;

/// <summary>Bits of <see cref="PullMessageRequestHeader.SysFlag"/> (reference §3.2).</summary>
public static class PullSysFlag
{
    /// <summary>Bit 0: commit <see cref="PullMessageRequestHeader.CommitOffset"/> for the group.</summary>
    public const int FlagCommitOffset = 1;

    /// <summary>Bit 1: the broker may hold the request (long polling).</summary>
    public const int FlagSuspend = 2;

    /// <summary>Bit 2: the subscription expression is in this header.</summary>
    public const int FlagSubscription = 4;

    /// <summary>Bit 3: class filter mode.</summary>
    public const int FlagClassFilter = 8;

    /// <summary>Bit 4: lite pull consumer (4.9.x).</summary>
    public const int FlagLitePull = 16;
}

/// <summary>Request header of PULL_MESSAGE (11), reference §3.2. Everything but subscription and expressionType is required.</summary>
/// <param name="ConsumerGroup">Consumer group.</param>
/// <param name="Topic">Topic.</param>
/// <param name="QueueId">Queue.</param>
/// <param name="QueueOffset">Logical (ConsumeQueue) index to start from.</param>
/// <param name="MaxMsgNums">Most messages to return; push consumers send 32.</param>
/// <param name="SysFlag"><see cref="PullSysFlag"/> bits.</param>
/// <param name="CommitOffset">Consumer offset to commit when <see cref="PullSysFlag.FlagCommitOffset"/> is set (ali-ons may send -1).</param>
/// <param name="SuspendTimeoutMillis">How long the broker may hold the request.</param>
/// <param name="Subscription">Tag expression or SQL92 text.</param>
/// <param name="SubVersion">Subscription version.</param>
/// <param name="ExpressionType">TAG (the default when absent) or SQL92.</param>
public sealed record PullMessageRequestHeader(
    string ConsumerGroup, string Topic, int QueueId, long QueueOffset, int MaxMsgNums, int SysFlag, long CommitOffset,
    long SuspendTimeoutMillis, string? Subscription, long SubVersion, string? ExpressionType = null)
    : IExtFieldsHeader<PullMessageRequestHeader>
{
    /// <summary>Whether the COMMIT_OFFSET bit is set.</summary>
    public bool HasCommitOffset => (SysFlag & PullSysFlag.FlagCommitOffset) != 0;

    /// <summary>Whether the SUSPEND bit is set (long polling allowed).</summary>
    public bool HasSuspend => (SysFlag & PullSysFlag.FlagSuspend) != 0;

    /// <summary>Whether the SUBSCRIPTION bit is set (use <see cref="Subscription"/> rather than the heartbeat's).</summary>
    public bool HasSubscription => (SysFlag & PullSysFlag.FlagSubscription) != 0;

    /// <summary>Whether the CLASS_FILTER bit is set.</summary>
    public bool HasClassFilter => (SysFlag & PullSysFlag.FlagClassFilter) != 0;

    /// <inheritdoc />
    public static PullMessageRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new PullMessageRequestHeader(
            r.String("consumerGroup"), r.String("topic"), r.Int("queueId"), r.Long("queueOffset"), r.Int("maxMsgNums"),
            r.Int("sysFlag"), r.Long("commitOffset"), r.Long("suspendTimeoutMillis"), r.OptionalString("subscription"),
            r.Long("subVersion"), r.OptionalString("expressionType"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("consumerGroup", ConsumerGroup).Add("topic", Topic).Add("queueId", QueueId).Add("queueOffset", QueueOffset)
        .Add("maxMsgNums", MaxMsgNums).Add("sysFlag", SysFlag).Add("commitOffset", CommitOffset)
        .Add("suspendTimeoutMillis", SuspendTimeoutMillis).Add("subscription", Subscription).Add("subVersion", SubVersion)
        .Add("expressionType", ExpressionType).Fields;
}

/// <summary>
/// Response header of PULL_MESSAGE (reference §3.2). All four fields are required: ali-ons crashes its pull loop
/// when minOffset or maxOffset is missing (reference §9.5).
/// </summary>
/// <param name="SuggestWhichBrokerId">0 for the master; the slave's id when the consumer lags too far.</param>
/// <param name="NextBeginOffset">Where the next pull should start.</param>
/// <param name="MinOffset">Smallest logical offset in the queue.</param>
/// <param name="MaxOffset">Logical offset one past the last entry.</param>
public sealed record PullMessageResponseHeader(long SuggestWhichBrokerId, long NextBeginOffset, long MinOffset, long MaxOffset)
    : IExtFieldsHeader<PullMessageResponseHeader>
{
    /// <inheritdoc />
    public static PullMessageResponseHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new PullMessageResponseHeader(
            r.Long("suggestWhichBrokerId"), r.Long("nextBeginOffset"), r.Long("minOffset"), r.Long("maxOffset"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("suggestWhichBrokerId", SuggestWhichBrokerId).Add("nextBeginOffset", NextBeginOffset)
        .Add("minOffset", MinOffset).Add("maxOffset", MaxOffset).Fields;
}
