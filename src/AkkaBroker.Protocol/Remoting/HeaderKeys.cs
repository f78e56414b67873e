using System.Text;
using System.Text.Json;

namespace AkkaBroker.Protocol.Remoting;

/// <summary>
/// The extFields keys of the headers this project knows, so decoding a header hands out one shared string per key
/// instead of allocating one per key per frame.
/// </summary>
internal static class HeaderKeys
{
    private const int MaxKnownKeyLength = 32;

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n",
        "producerGroup", "consumerGroup", "topic", "defaultTopic", "defaultTopicQueueNums", "queueId", "sysFlag",
        "bornTimestamp", "flag", "properties", "reconsumeTimes", "unitMode", "maxReconsumeTimes", "batch", "bname",
        "msgId", "queueOffset", "transactionId", "MSG_REGION", "TRACE_ON", "maxMsgNums", "commitOffset",
        "suspendTimeoutMillis", "subscription", "subVersion", "expressionType", "suggestWhichBrokerId",
        "nextBeginOffset", "minOffset", "maxOffset", "offset", "timestamp", "group", "delayLevel", "originMsgId",
        "originTopic", "clientID", "key", "maxNum", "beginTimestamp", "endTimestamp", "_UNIQUE_KEY_QUERY",
        "indexLastUpdateTimestamp", "indexLastUpdatePhyoffset", "tranStateTableOffset", "commitLogOffset",
        "commitOrRollback", "fromTransactionCheck", "offsetMsgId", "readQueueNums", "writeQueueNums", "perm",
        "topicFilterType", "topicSysFlag", "order", "acceptStandardJsonOnly", "brokerName", "brokerAddr",
        "clusterName", "haServerAddr", "brokerId", "compressed", "bodyCrc32", "masterAddr", "changed", "namespace",
        "value", "isForce",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> Lookup = Known.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The current property name: the shared instance when known, a new string otherwise.</summary>
    public static string Read(ref Utf8JsonReader reader)
    {
        var rawLength = reader.ValueSpan.Length; // readers here always run over one contiguous span
        if (rawLength <= MaxKnownKeyLength)
        {
            Span<char> chars = stackalloc char[MaxKnownKeyLength];
            var written = reader.CopyString(chars); // UTF-16 never needs more chars than the UTF-8 had bytes
            if (Lookup.TryGetValue(chars[..written], out var known)) return known;
            return new string(chars[..written]);
        }

        return reader.GetString()!;
    }

    /// <summary>A UTF-8 key as a string: the shared instance when known.</summary>
    public static string Intern(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length <= MaxKnownKeyLength)
        {
            Span<char> chars = stackalloc char[MaxKnownKeyLength];
            var written = Encoding.UTF8.GetChars(utf8, chars);
            if (Lookup.TryGetValue(chars[..written], out var known)) return known;
        }

        return Encoding.UTF8.GetString(utf8);
    }
}
