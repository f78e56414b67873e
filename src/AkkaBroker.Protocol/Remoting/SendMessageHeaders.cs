namespace AkkaBroker.Protocol.Remoting;

/// <summary>
/// Request header of SEND_MESSAGE (10, long names) and of SEND_MESSAGE_V2 (310) / SEND_BATCH_MESSAGE (320), which
/// carry the same fields under one-letter keys (reference §3.1):
/// <code>
/// a producerGroup | b topic | c defaultTopic | d defaultTopicQueueNums | e queueId | f sysFlag | g bornTimestamp
/// | h flag | i properties | j reconsumeTimes | k unitMode | l maxReconsumeTimes | m batch | n brokerName (V1 "bname")
/// </code>
/// a–h are required.
/// </summary>
/// <param name="ProducerGroup">Producer group.</param>
/// <param name="Topic">Topic.</param>
/// <param name="DefaultTopic">Template topic for auto-creation, normally TBW102.</param>
/// <param name="DefaultTopicQueueNums">Queue count when auto-creating.</param>
/// <param name="QueueId">Target queue; negative lets the broker pick one.</param>
/// <param name="SysFlag">Message sysFlag (reference §4.3).</param>
/// <param name="BornTimestamp">Client clock, ms since the epoch.</param>
/// <param name="Flag">User flag, stored verbatim.</param>
/// <param name="Properties">Properties string (reference §4.4); ali-ons leaves a trailing 0x02.</param>
/// <param name="ReconsumeTimes">Set on retry-topic sends.</param>
/// <param name="UnitMode">Unit mode; false when absent.</param>
/// <param name="MaxReconsumeTimes">Set on retry-topic sends.</param>
/// <param name="Batch">True for SEND_BATCH_MESSAGE.</param>
/// <param name="BrokerName">Target broker name (4.9.5+ clients only).</param>
public sealed record SendMessageRequestHeader(
    string ProducerGroup, string Topic, string DefaultTopic, int DefaultTopicQueueNums, int QueueId, int SysFlag,
    long BornTimestamp, int Flag, string? Properties = null, int? ReconsumeTimes = null, bool UnitMode = false,
    int? MaxReconsumeTimes = null, bool Batch = false, string? BrokerName = null) : IDirectHeader
{
    private static readonly string[] V1Keys =
    [
        "producerGroup", "topic", "defaultTopic", "defaultTopicQueueNums", "queueId", "sysFlag", "bornTimestamp", "flag",
        "properties", "reconsumeTimes", "unitMode", "maxReconsumeTimes", "batch", "bname",
    ];

    private static readonly string[] V2Keys = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n"];

    private static readonly string[] V2Labels = V2Keys.Select((k, i) => $"{V1Keys[i]} ({k})").ToArray();

    /// <summary>Whether <paramref name="code"/> uses the one-letter keys (SEND_MESSAGE_V2, SEND_BATCH_MESSAGE).</summary>
    public static bool UsesShortKeys(int code) => code is RequestCode.SendMessageV2 or RequestCode.SendBatchMessage;

    /// <summary>Reads the header of a send command, picking the key set from its code.</summary>
    public static SendMessageRequestHeader? FromCommand(RemotingCommand command, out string? error) =>
        FromExtFields(command.ExtFieldsView ?? RemotingCommand.NewExtFields(), UsesShortKeys(command.Code), out error);

    /// <summary>
    /// Reads the header from long (<paramref name="v2"/> false) or one-letter keys; null with an error naming the
    /// field (e.g. "queueId (e): 'x' is not an integer") when a required field is missing or does not parse.
    /// </summary>
    public static SendMessageRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, bool v2, out string? error)
    {
        var keys = v2 ? V2Keys : V1Keys;
        var labels = v2 ? V2Labels : V1Keys;
        var r = new ExtFieldsReader(fields);
        var header = new SendMessageRequestHeader(
            r.String(keys[0], labels[0]), r.String(keys[1], labels[1]), r.String(keys[2], labels[2]),
            r.Int(keys[3], labels[3]), r.Int(keys[4], labels[4]), r.Int(keys[5], labels[5]), r.Long(keys[6], labels[6]),
            r.Int(keys[7], labels[7]), r.OptionalString(keys[8]), r.OptionalInt(keys[9], labels[9]),
            r.OptionalBool(keys[10]) ?? false, r.OptionalInt(keys[11], labels[11]), r.OptionalBool(keys[12]) ?? false,
            r.OptionalString(keys[13]));
        return r.Finish(header, out error);
    }

    /// <summary>The header as extFields with long (<paramref name="v2"/> false) or one-letter keys; unitMode and batch always written, as Java does.</summary>
    public Dictionary<string, string> ToExtFields(bool v2) =>
        DictionarySink.Collect(this, v2 ? RequestCode.SendMessageV2 : RequestCode.SendMessage, V1Keys.Length);

    /// <summary>A send request of <paramref name="code"/> carrying this header (keys by the code) and <paramref name="body"/>.</summary>
    public RemotingCommand ToRequest(int code, ReadOnlyMemory<byte> body)
    {
        var request = RemotingCommand.CreateRequest(code, body: body);
        request.SetHeader(this);
        return request;
    }

    /// <inheritdoc />
    public void WriteFields<TSink>(ref TSink sink, int code) where TSink : IExtFieldsSink, allows ref struct
    {
        var k = UsesShortKeys(code) ? V2Keys : V1Keys;
        sink.Add(k[0], ProducerGroup);
        sink.Add(k[1], Topic);
        sink.Add(k[2], DefaultTopic);
        sink.Add(k[3], DefaultTopicQueueNums);
        sink.Add(k[4], QueueId);
        sink.Add(k[5], SysFlag);
        sink.Add(k[6], BornTimestamp);
        sink.Add(k[7], Flag);
        sink.Add(k[8], Properties);
        sink.Add(k[9], ReconsumeTimes);
        sink.Add(k[10], UnitMode);
        sink.Add(k[11], MaxReconsumeTimes);
        sink.Add(k[12], Batch);
        sink.Add(k[13], BrokerName);
    }
}

/// <summary>
/// Response header of the send codes (reference §3.1), plus the two extFields the Java broker adds to every send
/// response: MSG_REGION and TRACE_ON.
/// </summary>
/// <param name="MsgId">Offset msgId; for a batch, all ids joined by commas.</param>
/// <param name="QueueId">Queue the message went to.</param>
/// <param name="QueueOffset">ConsumeQueue index (of the first message, for a batch).</param>
/// <param name="TransactionId">Transaction id, when any.</param>
/// <param name="MsgRegion">Broker's regionId (Java's default "DefaultRegion").</param>
/// <param name="TraceOn">Broker's trace switch.</param>
public sealed record SendMessageResponseHeader(
    string MsgId, int QueueId, long QueueOffset, string? TransactionId = null, string? MsgRegion = "DefaultRegion", bool? TraceOn = true)
    : IExtFieldsHeader<SendMessageResponseHeader>, IDirectHeader
{
    /// <inheritdoc />
    public static SendMessageResponseHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new SendMessageResponseHeader(
            r.String("msgId"), r.Int("queueId"), r.Long("queueOffset"), r.OptionalString("transactionId"),
            r.OptionalString("MSG_REGION"), r.OptionalBool("TRACE_ON"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => DictionarySink.Collect(this, RequestCode.SendMessageV2);

    /// <inheritdoc />
    public void WriteFields<TSink>(ref TSink sink, int code) where TSink : IExtFieldsSink, allows ref struct
    {
        sink.Add("msgId", MsgId);
        sink.Add("queueId", QueueId);
        sink.Add("queueOffset", QueueOffset);
        sink.Add("transactionId", TransactionId);
        sink.Add("MSG_REGION", MsgRegion);
        sink.Add("TRACE_ON", TraceOn);
    }
}
