using System.IO.Compression;
using System.Text;
using AkkaBroker.Protocol;

namespace AkkaBroker.Client;

/// <summary>A consumed message: the stored record's fields, body inflated, properties parsed.</summary>
public sealed class MessageExt
{
    /// <summary>The topic (for a retried message: its original topic).</summary>
    public required string Topic { get; init; }

    /// <summary>The body (inflated when the producer compressed it).</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>The properties.</summary>
    public required IReadOnlyDictionary<string, string> Properties { get; init; }

    /// <summary>The offset msgId (store host and CommitLog offset), as the send returned it.</summary>
    public required string MsgId { get; init; }

    /// <summary>The broker group it was pulled from.</summary>
    public required string BrokerName { get; init; }

    /// <summary>The queue it was pulled from.</summary>
    public required int QueueId { get; init; }

    /// <summary>Its offset in that queue.</summary>
    public required long QueueOffset { get; init; }

    /// <summary>Its CommitLog offset (what CONSUMER_SEND_MSG_BACK names).</summary>
    public required long CommitLogOffset { get; init; }

    /// <summary>User flag.</summary>
    public required int Flag { get; init; }

    /// <summary>Producer clock at send, ms since the epoch.</summary>
    public required long BornTimestamp { get; init; }

    /// <summary>Broker clock at store, ms since the epoch.</summary>
    public required long StoreTimestamp { get; init; }

    /// <summary>How often it has been redelivered after a failed consume.</summary>
    public required int ReconsumeTimes { get; init; }

    /// <summary>The topic it was pulled from (the retry topic for a retried message).</summary>
    public required string PulledTopic { get; init; }

    /// <summary>The tag, or null.</summary>
    public string? Tags => Properties.GetValueOrDefault(MessageProperties.Tags);

    /// <summary>The keys, or null.</summary>
    public string? Keys => Properties.GetValueOrDefault(MessageProperties.Keys);

    /// <summary>The body as UTF-8 text.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body.Span);

    /// <summary>Decodes concatenated stored records (a pull body); records that do not decode end the list.</summary>
    public static List<MessageExt> DecodeAll(ReadOnlySpan<byte> records, string brokerName)
    {
        var list = new List<MessageExt>();
        while (!records.IsEmpty && MessageRecord.TryRead(records, checkCrc: false, out var view) == RecordReadStatus.Ok)
        {
            var properties = MessageProperties.Parse(view.Properties);
            var pulledTopic = Encoding.UTF8.GetString(view.Topic);
            var body = (view.SysFlag & MessageSysFlag.Compressed) != 0 ? Inflate(view.Body) : view.Body.ToArray();
            // A retried message is delivered under its original topic (RETRY_TOPIC), as RocketMQ's client does.
            var topic = pulledTopic.StartsWith("%RETRY%", StringComparison.Ordinal) && properties.TryGetValue(MessageProperties.RetryTopic, out var original)
                ? original
                : pulledTopic;
            list.Add(new MessageExt
            {
                Topic = topic, PulledTopic = pulledTopic, Body = body, Properties = properties,
                MsgId = MessageId.CreateOffsetId(view.StoreHost, view.PhysicalOffset), BrokerName = brokerName, QueueId = view.QueueId,
                QueueOffset = view.QueueOffset, CommitLogOffset = view.PhysicalOffset, Flag = view.Flag, BornTimestamp = view.BornTimestamp,
                StoreTimestamp = view.StoreTimestamp, ReconsumeTimes = view.ReconsumeTimes,
            });
            records = records[view.TotalSize..];
        }

        return list;
    }

    private static byte[] Inflate(ReadOnlySpan<byte> compressed)
    {
        using var input = new MemoryStream(compressed.ToArray());
        using var zlib = new ZLibStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream(compressed.Length * 4);
        zlib.CopyTo(output);
        return output.ToArray();
    }
}
