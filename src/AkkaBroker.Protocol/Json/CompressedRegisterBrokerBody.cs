using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace AkkaBroker.Protocol.Json;

/// <summary>
/// The REGISTER_BROKER (103) body a broker sends with <c>compressed=true</c> (reference §6.1): one zlib stream
/// (deflate with the zlib header, what java.util.zip's Deflater writes) holding, all integers big-endian:
/// <code>
/// int n, n bytes   DataVersion JSON
/// int topicCount
/// topicCount x     int n, n bytes   "topicName readQueueNums writeQueueNums perm topicFilterType" (space-separated)
/// int n, n bytes   filterServerList JSON array
/// </code>
/// The topic line carries neither topicSysFlag nor order, so a compressed registration reports both as 0/false,
/// as it does to a Java name server. RocketMQ 5 appends a sixth field (attributes JSON); it is accepted and ignored.
/// </summary>
public static class CompressedRegisterBrokerBody
{
    // Bounds that a genuine body never reaches; they stop a corrupt or hostile stream from allocating gigabytes.
    private const int MaxPartLength = 16 * 1024 * 1024;
    private const int MaxTopics = 1_000_000;

    /// <summary>Encodes <paramref name="body"/> in the compressed layout, topics in the table's order.</summary>
    public static byte[] Encode(RegisterBrokerBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var wrapper = body.TopicConfigSerializeWrapper;
            WritePart(zlib, RemotingJson.Serialize(wrapper.DataVersion));
            WriteInt(zlib, wrapper.TopicConfigTable.Count);
            foreach (var (name, topic) in wrapper.TopicConfigTable)
            {
                var line = string.Join(' ',
                    topic.TopicName.Length > 0 ? topic.TopicName : name,
                    topic.ReadQueueNums.ToString(CultureInfo.InvariantCulture),
                    topic.WriteQueueNums.ToString(CultureInfo.InvariantCulture),
                    topic.Perm.ToString(CultureInfo.InvariantCulture),
                    FilterTypeName(topic.TopicFilterType));
                WritePart(zlib, Encoding.UTF8.GetBytes(line));
            }

            WritePart(zlib, RemotingJson.Serialize(body.FilterServerList));
        }

        return output.ToArray();
    }

    /// <summary>
    /// Decodes a compressed body. Never throws on bad input: returns false with <paramref name="error"/> saying what is
    /// wrong (not a zlib stream, truncated, a length out of range, a topic line that does not parse, bad JSON).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, out RegisterBrokerBody? body, out string? error)
    {
        body = null;
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(data.ToArray(), writable: false), CompressionMode.Decompress);
            if (!TryReadPart(zlib, "dataVersion", out var versionJson, out error)) return false;
            if (!RemotingJson.TryDeserialize<DataVersion>(versionJson, out var version, out error)) return false;

            if (!TryReadInt(zlib, "topic count", out var count, out error)) return false;
            if (count is < 0 or > MaxTopics)
            {
                error = $"bad compressed RegisterBrokerBody: topic count {count} out of range";
                return false;
            }

            var result = new RegisterBrokerBody();
            result.TopicConfigSerializeWrapper.DataVersion = version!;
            var table = result.TopicConfigSerializeWrapper.TopicConfigTable;
            for (var i = 0; i < count; i++)
            {
                if (!TryReadPart(zlib, "topic config", out var line, out error)) return false;
                if (!TryParseTopicLine(Encoding.UTF8.GetString(line), out var topic, out error)) return false;
                table[topic!.TopicName] = topic;
            }

            if (!TryReadPart(zlib, "filterServerList", out var filterJson, out error)) return false;
            if (!RemotingJson.TryDeserialize<List<string>>(filterJson, out var filters, out error)) return false;
            result.FilterServerList = filters!;
            body = result;
            return true;
        }
        catch (InvalidDataException e)
        {
            error = $"bad compressed RegisterBrokerBody: {e.Message}";
            return false;
        }
    }

    private static bool TryParseTopicLine(string line, out TopicConfig? topic, out string? error)
    {
        topic = null;
        var parts = line.Split(' ');
        if (parts.Length < 5 || parts[0].Length == 0
            || !int.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var read)
            || !int.TryParse(parts[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var write)
            || !int.TryParse(parts[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var perm)
            || !TryParseFilterType(parts[4], out var filterType))
        {
            error = $"bad compressed RegisterBrokerBody: topic config '{line}' does not parse";
            return false;
        }

        topic = new TopicConfig
        {
            TopicName = parts[0], ReadQueueNums = read, WriteQueueNums = write, Perm = perm, TopicFilterType = filterType,
            TopicSysFlag = 0, Order = false,
        };
        error = null;
        return true;
    }

    private static string FilterTypeName(TopicFilterType type) => type == TopicFilterType.MultiTag ? "MULTI_TAG" : "SINGLE_TAG";

    private static bool TryParseFilterType(string text, out TopicFilterType type)
    {
        type = text switch { "SINGLE_TAG" => TopicFilterType.SingleTag, "MULTI_TAG" => TopicFilterType.MultiTag, _ => (TopicFilterType)(-1) };
        return (int)type >= 0;
    }

    private static void WriteInt(Stream stream, int value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        stream.Write(bytes);
    }

    private static void WritePart(Stream stream, byte[] part)
    {
        WriteInt(stream, part.Length);
        stream.Write(part);
    }

    private static bool TryReadInt(Stream stream, string what, out int value, out string? error)
    {
        Span<byte> bytes = stackalloc byte[4];
        if (stream.ReadAtLeast(bytes, 4, throwOnEndOfStream: false) < 4)
        {
            value = 0;
            error = $"bad compressed RegisterBrokerBody: truncated before the {what}";
            return false;
        }

        value = BinaryPrimitives.ReadInt32BigEndian(bytes);
        error = null;
        return true;
    }

    private static bool TryReadPart(Stream stream, string what, out byte[] part, out string? error)
    {
        part = [];
        if (!TryReadInt(stream, what + " length", out var length, out error)) return false;
        if (length is < 0 or > MaxPartLength)
        {
            error = $"bad compressed RegisterBrokerBody: {what} length {length} out of range";
            return false;
        }

        part = new byte[length];
        if (stream.ReadAtLeast(part, length, throwOnEndOfStream: false) < length)
        {
            error = $"bad compressed RegisterBrokerBody: truncated inside the {what}";
            return false;
        }

        return true;
    }
}
