using System.Text;

namespace AkkaBroker.Protocol;

/// <summary>
/// The properties string of a message (reference §4.4): entries <c>name 0x01 value 0x02</c>, UTF-8. Java 4.9.3+
/// drops the final 0x02 and older clients (and ali-ons) keep it; readers accept both and skip malformed segments.
/// </summary>
public static class MessageProperties
{
    /// <summary>Separates a name from its value.</summary>
    public const byte NameValueSeparator = 0x01;

    /// <summary>Separates entries.</summary>
    public const byte PropertySeparator = 0x02;

    /// <summary>One tag.</summary>
    public const string Tags = "TAGS";

    /// <summary>Space-separated keys (indexed).</summary>
    public const string Keys = "KEYS";

    /// <summary>"true"/"false": wait for flush/replication.</summary>
    public const string WaitStoreMsgOk = "WAIT";

    /// <summary>Delay level.</summary>
    public const string DelayLevel = "DELAY";

    /// <summary>Client-generated message id (indexed).</summary>
    public const string UniqueKey = "UNIQ_KEY";

    /// <summary>Original topic of a retry message.</summary>
    public const string RetryTopic = "RETRY_TOPIC";

    /// <summary>Original topic of a scheduled, half or retry message.</summary>
    public const string RealTopic = "REAL_TOPIC";

    /// <summary>Original queue of a scheduled, half or retry message.</summary>
    public const string RealQueueId = "REAL_QID";

    /// <summary>The first message's id on retry and DLQ copies.</summary>
    public const string OriginMessageId = "ORIGIN_MESSAGE_ID";

    /// <summary>Reconsume count of a retry copy.</summary>
    public const string ReconsumeTime = "RECONSUME_TIME";

    /// <summary>Reconsume limit chosen by the consumer.</summary>
    public const string MaxReconsumeTimes = "MAX_RECONSUME_TIMES";

    /// <summary>"true" marks a prepared transaction message.</summary>
    public const string TransactionPrepared = "TRAN_MSG";

    /// <summary>Producer group.</summary>
    public const string ProducerGroup = "PGROUP";

    /// <summary>Finds the value of <paramref name="name"/> (ASCII) without allocating; the first occurrence wins.</summary>
    public static bool TryGetValue(ReadOnlySpan<byte> properties, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        while (!properties.IsEmpty)
        {
            var end = properties.IndexOf(PropertySeparator);
            var entry = end < 0 ? properties : properties[..end];
            properties = end < 0 ? default : properties[(end + 1)..];
            var split = entry.IndexOf(NameValueSeparator);
            if (split > 0 && entry[..split].SequenceEqual(name))
            {
                value = entry[(split + 1)..];
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Parses every entry into a dictionary (allocates; for admin and client paths). Later duplicates win.</summary>
    public static Dictionary<string, string> Parse(ReadOnlySpan<byte> properties)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        while (!properties.IsEmpty)
        {
            var end = properties.IndexOf(PropertySeparator);
            var entry = end < 0 ? properties : properties[..end];
            properties = end < 0 ? default : properties[(end + 1)..];
            var split = entry.IndexOf(NameValueSeparator);
            if (entry.Length < 3 || split <= 0) continue; // RocketMQ's parser skips such segments too
            result[Encoding.UTF8.GetString(entry[..split])] = Encoding.UTF8.GetString(entry[(split + 1)..]);
        }

        return result;
    }

    /// <summary>Formats entries in the 4.9.3+ form (no trailing 0x02). Names and values must not contain 0x01 or 0x02.</summary>
    public static byte[] Format(IEnumerable<KeyValuePair<string, string>> properties) => Encoding.UTF8.GetBytes(FormatText(properties));

    /// <summary><see cref="Format"/> as a string, the form the send header carries.</summary>
    public static string FormatText(IEnumerable<KeyValuePair<string, string>> properties)
    {
        // One builder per thread: a producer's usual properties (UNIQ_KEY, KEYS, TAGS, WAIT) fit in it, so a send
        // allocates only the string.
        var text = t_formatText ??= new StringBuilder(256);
        text.Clear();
        foreach (var (name, value) in properties)
        {
            if (name.Length == 0 || ContainsSeparator(name) || ContainsSeparator(value))
                throw new ArgumentException($"property '{name}' is empty or contains a separator character", nameof(properties));
            if (text.Length > 0) text.Append((char)PropertySeparator);
            text.Append(name).Append((char)NameValueSeparator).Append(value);
        }

        var formatted = text.ToString();
        if (text.Capacity > 4096) t_formatText = null; // an unusually large set is not kept alive per thread
        return formatted;
    }

    [ThreadStatic]
    private static StringBuilder? t_formatText;

    private static bool ContainsSeparator(string s) => s.AsSpan().IndexOfAny((char)NameValueSeparator, (char)PropertySeparator) >= 0;
}
