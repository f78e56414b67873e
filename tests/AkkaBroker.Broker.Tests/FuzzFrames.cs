using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.Json;
using AkkaBroker.Protocol.Remoting;

namespace AkkaBroker.Broker.Tests;

/// <summary>What a fuzz request must get back.</summary>
public enum FuzzExpect
{
    /// <summary>A response that is not SUCCESS (a defect the server must refuse).</summary>
    Refused,

    /// <summary>REQUEST_CODE_NOT_SUPPORTED exactly (an unknown code on the broker).</summary>
    NotSupported,

    /// <summary>Some response, any code (odd but parseable values: the point is that it is answered).</summary>
    Answered,

    /// <summary>A response or none (unknown codes on the name server, which Java's leaves unanswered).</summary>
    Maybe,

    /// <summary>No response: a oneway request or a frame flagged as a response.</summary>
    Silent,
}

/// <summary>One generated well-framed request.</summary>
public sealed record FuzzRequest(byte[] Frame, int Code, SerializeType Type, FuzzExpect Expect, string What);

/// <summary>One generated stream-breaking input; <paramref name="ServerCloses"/>: the server must close without our FIN.</summary>
public sealed record FuzzStream(byte[] Bytes, bool ServerCloses, bool Abort, string What);

/// <summary>
/// Generates malformed remoting input from a seeded <see cref="Random"/>: well-framed requests with bad content
/// (unknown codes, missing or ill-typed header fields, bad bodies, odd values), JSON and ROCKETMQ-binary headers,
/// and stream-breaking input (bad lengths, bad headers, truncation, garbage).
/// </summary>
public sealed class FuzzFrames(int seed, bool broker)
{
    private enum Kind { Text, Raw, Bool, Null }

    private readonly record struct Value(Kind Kind, string Text)
    {
        public static Value S(string text) => new(Kind.Text, text);
        public static Value N(string raw) => new(Kind.Raw, raw);
        public static Value N(long number) => new(Kind.Raw, number.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    // code -> (required string fields, required numeric fields)
    private static readonly Dictionary<int, (string[] Strings, string[] Numbers)> BrokerCodes = new()
    {
        [RequestCode.SendMessage] = (["producerGroup", "topic", "defaultTopic"], ["defaultTopicQueueNums", "queueId", "sysFlag", "bornTimestamp", "flag"]),
        [RequestCode.SendMessageV2] = (["a", "b", "c"], ["d", "e", "f", "g", "h"]),
        [RequestCode.SendBatchMessage] = (["a", "b", "c"], ["d", "e", "f", "g", "h"]),
        [RequestCode.PullMessage] = (["consumerGroup", "topic"], ["queueId", "queueOffset", "maxMsgNums", "sysFlag", "commitOffset", "suspendTimeoutMillis", "subVersion"]),
        [RequestCode.QueryConsumerOffset] = (["consumerGroup", "topic"], ["queueId"]),
        [RequestCode.UpdateConsumerOffset] = (["consumerGroup", "topic"], ["queueId", "commitOffset"]),
        [RequestCode.SearchOffsetByTimestamp] = (["topic"], ["queueId", "timestamp"]),
        [RequestCode.GetMaxOffset] = (["topic"], ["queueId"]),
        [RequestCode.GetMinOffset] = (["topic"], ["queueId"]),
        [RequestCode.GetEarliestMsgStoretime] = (["topic"], ["queueId"]),
        [RequestCode.UnregisterClient] = (["clientID"], []),
        [RequestCode.ConsumerSendMsgBack] = (["group"], ["offset", "delayLevel"]),
        [RequestCode.GetConsumerListByGroup] = (["consumerGroup"], []),
    };

    private static readonly Dictionary<int, (string[] Strings, string[] Numbers)> NameServerCodes = new()
    {
        [RequestCode.PutKvConfig] = (["namespace", "key", "value"], []),
        [RequestCode.GetKvConfig] = (["namespace", "key"], []),
        [RequestCode.DeleteKvConfig] = (["namespace", "key"], []),
        [RequestCode.GetKvlistByNamespace] = (["namespace"], []),
        [RequestCode.GetTopicsByCluster] = (["cluster"], []),
        [RequestCode.GetRouteinfoByTopic] = (["topic"], []),
        [RequestCode.RegisterBroker] = (["brokerName", "brokerAddr", "clusterName", "haServerAddr"], ["brokerId"]),
    };

    private static readonly HashSet<int> KnownCodes = typeof(RequestCode).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(int)).Select(f => (int)f.GetRawConstantValue()!).ToHashSet();

    private static readonly string[] Topics = ["FuzzStore", "FuzzLive", "NoSuchTopic", "%RETRY%FuzzG", "%DLQ%FuzzG", "SCHEDULE_TOPIC_XXXX", "TBW102", "bad topic!", "", new('t', 300), "Fuzz\u00e9\u4e2d"];
    private static readonly string[] Groups = ["FuzzG", "CG", "bad group!", "", "%RETRY%FuzzG", new('g', 300)];
    private static readonly string[] RefusedSendTopics = ["bad topic!", "", new('t', 300), "TBW102", "SCHEDULE_TOPIC_XXXX", "a\u0001b"];
    private static readonly string[] Languages = ["JAVA", "CPP", "DOTNET", "NODE_JS", "", "java", "\u00ff\u4e2d", "RUST"];

    private static readonly Value[] BadNumbers =
    [
        Value.S("abc"), Value.S(""), Value.S("1.5"), Value.N("1.5"), Value.N("1e3"), Value.N("-0.0"), new(Kind.Bool, "true"), new(Kind.Bool, "false"),
        Value.S("0x10"), Value.N("99999999999999999999999"), Value.S("99999999999999999999999"), Value.S("12abc"), Value.S(" 1"),
        Value.S("+-1"), Value.S("\u0661"), Value.S("NaN"), Value.S("--5"), Value.S("1_000"), Value.S("\u221e"), Value.N("-1E-7"),
    ];

    private static readonly long[] OddLongs = [-1, 0, 1, 2, 5, 31, 1000, int.MaxValue, int.MinValue, long.MaxValue, long.MinValue, 1L << 40];
    private static readonly int[] OddInts = [-1, 0, 1, 2, 3, 1000, int.MaxValue, int.MinValue];

    private readonly Random _random = new(seed);

    /// <summary>The generator's random source (chunking, choices).</summary>
    public Random Random => _random;

    /// <summary>The next well-framed request with id <paramref name="opaque"/>.</summary>
    public FuzzRequest NextRequest(int opaque)
    {
        var binary = _random.Next(100) < 15;
        var roll = _random.Next(100);
        var codes = broker ? BrokerCodes : NameServerCodes;
        int code;
        FuzzExpect expect;
        string what;
        List<(string Key, Value Value)> fields;
        byte[] body = RandomBody();

        if (roll < 20 || (!broker && roll < 30))
        {
            code = UnknownCode(binary);
            fields = Noise(_random.Next(4));
            expect = broker ? FuzzExpect.NotSupported : FuzzExpect.Maybe;
            what = $"unknown code {code}";
        }
        else if (roll < 45)
        {
            code = Pick(codes.Keys.ToArray());
            fields = Complete(code);
            var (strings, numbers) = codes[code];
            var missing = Pick([.. strings, .. numbers]);
            fields.RemoveAll(f => f.Key == missing);
            expect = FuzzExpect.Refused;
            what = $"code {code} without {missing}";
        }
        else if (roll < 70 && codes.Values.Any(c => c.Numbers.Length > 0))
        {
            code = Pick(codes.Where(c => c.Value.Numbers.Length > 0).Select(c => c.Key).ToArray());
            fields = Complete(code);
            var field = Pick(codes[code].Numbers);
            var bad = Pick(BadNumbers);
            if (binary && bad.Kind == Kind.Bool) bad = Value.S("true");
            fields[fields.FindIndex(f => f.Key == field)] = (field, bad);
            expect = FuzzExpect.Refused;
            what = $"code {code} with {field}={bad.Text}";
        }
        else if (broker && roll < 80)
        {
            code = RequestCode.HeartBeat;
            fields = Noise(_random.Next(3));
            (body, expect, what) = HeartbeatBody();
        }
        else if (broker && roll < 85)
        {
            code = Pick([RequestCode.SendMessage, RequestCode.SendMessageV2, RequestCode.SendBatchMessage]);
            fields = Complete(code);
            var topicKey = code == RequestCode.SendMessage ? "topic" : "b";
            var queueKey = code == RequestCode.SendMessage ? "queueId" : "e";
            if (_random.Next(3) == 0)
            {
                Set(fields, topicKey, Value.S("FuzzStore"));
                Set(fields, queueKey, Value.N(Pick(new long[] { 2, 3, 9999, int.MaxValue })));
            }
            else
            {
                Set(fields, topicKey, Value.S(Pick(RefusedSendTopics)));
            }

            expect = FuzzExpect.Refused;
            what = $"send {code} to a refused topic or queue";
        }
        else if (broker)
        {
            code = Pick(codes.Keys.Where(c => c is not (RequestCode.SendMessage or RequestCode.SendMessageV2 or RequestCode.SendBatchMessage)).ToArray());
            fields = Odd(code);
            expect = FuzzExpect.Answered;
            what = $"code {code} with odd values";
        }
        else
        {
            code = Pick(codes.Keys.ToArray());
            fields = Complete(code);
            var missing = Pick(codes[code].Strings);
            fields.RemoveAll(f => f.Key == missing);
            expect = FuzzExpect.Refused;
            what = $"code {code} missing a string field";
        }

        fields.AddRange(Noise(_random.Next(3)));
        var flag = 0;
        if (_random.Next(100) < 3)
        {
            flag = _random.Next(2) == 0 ? RemotingCommand.OnewayFlagBit : RemotingCommand.ResponseFlagBit;
            expect = FuzzExpect.Silent;
        }

        var frame = binary ? BinaryFrame(code, opaque, flag, fields, body) : JsonFrame(code, opaque, flag, fields, body);
        return new FuzzRequest(frame, code, binary ? SerializeType.Rocketmq : SerializeType.Json, expect, what);
    }

    /// <summary>The next stream-breaking input.</summary>
    public FuzzStream NextStream(int maxFrameSize)
    {
        var kind = _random.Next(11);
        switch (kind)
        {
            case 0:
                return new FuzzStream(Bytes(_random.Next(1, 512)), false, false, "random bytes");
            case 1:
                return new FuzzStream(Prefix(_random.Next(maxFrameSize - 3, int.MaxValue), Pick(new[] { 0, 1 }), 100, Bytes(_random.Next(0, 64))), true, false, "declared length over max-frame-size");
            case 2:
                return new FuzzStream(Prefix(_random.Next(int.MinValue, 0), 0, 10, Bytes(_random.Next(0, 64))), true, false, "negative length");
            case 3:
                return new FuzzStream(Prefix(_random.Next(0, 4), 0, 0, Bytes(_random.Next(4, 64))), true, false, "length below 4");
            case 4:
            {
                var length = _random.Next(4, 2000);
                return new FuzzStream(Prefix(length, _random.Next(2), _random.Next(length - 3, 0xFFFFFF), Bytes(_random.Next(0, 64))), true, false, "header length over the frame");
            }
            case 5:
                return new FuzzStream(WellFramed(_random.Next(2, 256), Bytes(_random.Next(1, 100)), Bytes(_random.Next(0, 20))), true, false, "unknown serialize type");
            case 6:
            {
                var (header, what) = BadJsonHeader();
                return new FuzzStream(WellFramed(0, header, Bytes(_random.Next(0, 20))), true, false, what);
            }
            case 7:
                return new FuzzStream(WellFramed(1, BadBinaryHeader(), []), true, false, "inconsistent ROCKETMQ binary header");
            case 8:
                return new FuzzStream(WellFramed(1, Bytes(_random.Next(0, 200)), Bytes(_random.Next(0, 20))), false, false, "random ROCKETMQ binary header");
            case 9:
            {
                var valid = ValidFrame(_random.Next(2) == 1);
                return new FuzzStream(valid[.._random.Next(1, valid.Length)], false, _random.Next(4) == 0, "truncated frame");
            }
            default:
            {
                var prefix = Enumerable.Range(0, _random.Next(1, 4)).SelectMany(_ => ValidFrame(_random.Next(2) == 1)).ToArray();
                var (header, what) = BadJsonHeader();
                return new FuzzStream([.. prefix, .. WellFramed(0, header, [])], true, false, "valid frames then " + what);
            }
        }
    }

    /// <summary>A valid GET_MAX_OFFSET frame.</summary>
    public byte[] ValidFrame(bool binary)
    {
        var command = RemotingCommand.CreateRequest(RequestCode.GetMaxOffset, new TopicQueueRequestHeader("FuzzStore", 0).ToExtFields());
        command.Opaque = _random.Next();
        command.SerializeType = binary ? SerializeType.Rocketmq : SerializeType.Json;
        return RemotingCodec.EncodeToArray(command);
    }

    private List<(string Key, Value Value)> Complete(int code)
    {
        var (strings, numbers) = (broker ? BrokerCodes : NameServerCodes)[code];
        var fields = new List<(string Key, Value Value)>();
        foreach (var key in strings) fields.Add((key, Value.S(key.Contains("opic") || key == "b" || key == "c" ? Pick(Topics) : Pick(Groups))));
        foreach (var key in numbers) fields.Add((key, _random.Next(4) == 0 ? Value.S(Pick(OddInts).ToString(System.Globalization.CultureInfo.InvariantCulture)) : Value.N(Pick(OddInts))));
        return fields;
    }

    // Parseable headers with odd values; pulls never hold for long.
    private List<(string Key, Value Value)> Odd(int code)
    {
        var fields = Complete(code);
        for (var i = 0; i < fields.Count; i++)
        {
            var key = fields[i].Key;
            if (fields[i].Value.Kind == Kind.Raw) fields[i] = (key, Value.N(Pick(OddLongs)));
            // Mostly names that exist, so the odd numbers reach the store rather than the name checks.
            else if (key == "topic" && _random.Next(4) > 0) fields[i] = (key, Value.S(Pick(new[] { "FuzzStore", "FuzzLive", "%RETRY%FuzzG" })));
            else if (key is "consumerGroup" or "group" && _random.Next(4) > 0) fields[i] = (key, Value.S(Pick(new[] { "FuzzG", "CG" })));
        }

        if (code == RequestCode.PullMessage)
        {
            var sysFlag = _random.Next(16);
            Set(fields, "sysFlag", Value.N(sysFlag));
            Set(fields, "queueId", Value.N(Pick(new[] { 0, 1, 0, 1, -1, 2, int.MaxValue, int.MinValue })));
            Set(fields, "queueOffset", Value.N(Pick(new[] { 0, 1, 5, 29, 30, 31, -1, 1000, long.MaxValue, long.MinValue })));
            Set(fields, "maxMsgNums", Value.N(Pick(OddInts)));
            Set(fields, "suspendTimeoutMillis", Value.N(Pick(new long[] { -5, 0, 20, 100 })));
            if (_random.Next(2) == 0) fields.Add(("subscription", Value.S(Pick(new[] { "*", "a||b", "||", " ", "TagA", "", "\u0000" }))));
            if (_random.Next(4) == 0) fields.Add(("expressionType", Value.S(Pick(new[] { "TAG", "SQL92", "tag", "x" }))));
        }
        else if (code is RequestCode.QueryConsumerOffset or RequestCode.UpdateConsumerOffset or RequestCode.GetMaxOffset or RequestCode.GetMinOffset
                 or RequestCode.GetEarliestMsgStoretime or RequestCode.SearchOffsetByTimestamp)
        {
            Set(fields, "queueId", Value.N(Pick(OddInts)));
        }
        else if (code == RequestCode.ConsumerSendMsgBack)
        {
            Set(fields, "offset", Value.N(Pick(new[] { -1, 0, 1, _random.Next(0, 200_000), long.MaxValue, long.MinValue })));
            Set(fields, "delayLevel", Value.N(Pick(new long[] { -1, 0, 1, 3, 18, 19, 1000, int.MinValue, int.MaxValue })));
            if (_random.Next(2) == 0) fields.Add(("maxReconsumeTimes", Value.N(Pick(OddInts))));
        }

        return fields;
    }

    private (byte[] Body, FuzzExpect Expect, string What) HeartbeatBody()
    {
        switch (_random.Next(7))
        {
            case 0: return (Bytes(_random.Next(0, 300)), FuzzExpect.Refused, "heartbeat with a random body");
            case 1:
            {
                var json = ValidHeartbeat();
                return (json[.._random.Next(0, json.Length - 1)], FuzzExpect.Refused, "heartbeat with a truncated body");
            }
            case 2: return (Encoding.UTF8.GetBytes("{\"consumerDataSet\":[],\"producerDataSet\":[]}"), FuzzExpect.Refused, "heartbeat without clientID");
            case 3: return (Encoding.UTF8.GetBytes("{\"clientID\":\"\"}"), FuzzExpect.Refused, "heartbeat with an empty clientID");
            case 4:
                return (Encoding.UTF8.GetBytes($"{{\"clientID\":\"fz\",\"consumerDataSet\":[{{\"groupName\":{JsonSerializer.Serialize(Pick(new[] { "bad group!", "", new string('g', 300) }))}}}]}}"),
                    FuzzExpect.Refused, "heartbeat with an invalid group");
            case 5:
                return (Encoding.UTF8.GetBytes(Pick(new[] { "[]", "\"x\"", "{\"clientID\":5}", "{\"clientID\":\"c\",\"consumerDataSet\":{}}", "{\"clientID\":\"c\",\"consumerDataSet\":[{\"messageModel\":\"NOPE\",\"groupName\":\"FuzzG\"}]}", "null" })),
                    FuzzExpect.Answered, "heartbeat with a wrongly typed body");
            default: return (ValidHeartbeat(), FuzzExpect.Answered, "valid heartbeat");
        }
    }

    private byte[] ValidHeartbeat() => Encoding.UTF8.GetBytes(
        $"{{\"clientID\":\"fz-{_random.Next(3)}\",\"consumerDataSet\":[{{\"groupName\":\"{Pick(new[] { "FuzzG", "CG" })}\",\"consumeType\":\"CONSUME_PASSIVELY\"," +
        $"\"messageModel\":\"CLUSTERING\",\"consumeFromWhere\":\"CONSUME_FROM_LAST_OFFSET\",\"subscriptionDataSet\":[{{\"topic\":\"{Pick(new[] { "FuzzStore", "NoSuchTopic" })}\",\"subString\":\"*\",\"subVersion\":{_random.Next()}}}],\"unitMode\":false}}],\"producerDataSet\":[{{\"groupName\":\"PG\"}}]}}");

    private List<(string Key, Value Value)> Noise(int count)
    {
        var list = new List<(string Key, Value Value)>();
        for (var i = 0; i < count; i++)
        {
            var key = Pick(new[] { "x", "noise", "\u4e2d", "k" + _random.Next(100), "" });
            list.Add((key, _random.Next(4) switch
            {
                0 => Value.S(RandomText(_random.Next(0, 40))),
                1 => Value.N(_random.NextInt64(long.MinValue, long.MaxValue)),
                2 => new Value(Kind.Bool, _random.Next(2) == 0 ? "true" : "false"),
                _ => new Value(Kind.Null, ""),
            }));
        }

        return list;
    }

    private byte[] JsonFrame(int code, int opaque, int flag, List<(string Key, Value Value)> fields, byte[] body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartObject();
            writer.WriteNumber("code", code);
            switch (_random.Next(5))
            {
                case 0: writer.WriteString("language", Pick(Languages)); break;
                case 1: writer.WriteNumber("language", _random.Next(-5, 300)); break;
                case 2: writer.WriteNull("language"); break;
                default: writer.WriteString("language", "JAVA"); break;
            }

            writer.WriteNumber("version", _random.Next(3) == 0 ? _random.Next(int.MinValue, int.MaxValue) : 405);
            writer.WriteNumber("opaque", opaque);
            writer.WriteNumber("flag", flag);
            if (_random.Next(5) == 0) writer.WriteString("remark", RandomText(_random.Next(0, 50)));
            if (_random.Next(6) == 0)
            {
                writer.WritePropertyName("unknown" + _random.Next(5));
                writer.WriteRawValue(Pick(new[] { "{\"a\":[1,{\"b\":null}]}", "[[],[]]", "\"s\"", "12.5e3", "true" }), skipInputValidation: true);
            }

            writer.WriteStartObject("extFields");
            foreach (var (key, value) in fields)
            {
                writer.WritePropertyName(key);
                switch (value.Kind)
                {
                    case Kind.Text: writer.WriteStringValue(value.Text); break;
                    case Kind.Raw: writer.WriteRawValue(value.Text, skipInputValidation: true); break;
                    case Kind.Bool: writer.WriteBooleanValue(value.Text == "true"); break;
                    default: writer.WriteNullValue(); break;
                }
            }

            writer.WriteEndObject();
            if (_random.Next(10) == 0) writer.WriteString("serializeTypeCurrentRPC", "JSON");
            writer.WriteEndObject();
        }

        return WellFramed(0, buffer.WrittenSpan.ToArray(), body);
    }

    private static byte[] BinaryFrame(int code, int opaque, int flag, List<(string Key, Value Value)> fields, byte[] body)
    {
        var command = new RemotingCommand { Code = (short)code, Opaque = opaque, Flag = flag, Body = body, SerializeType = SerializeType.Rocketmq, ExtFields = RemotingCommand.NewExtFields() };
        foreach (var (key, value) in fields)
        {
            if (value.Kind != Kind.Null) command.ExtFields[key] = value.Text;
            else command.ExtFields.Remove(key);
        }

        return RemotingCodec.EncodeToArray(command);
    }

    private (byte[] Header, string What) BadJsonHeader()
    {
        var variants = new[]
        {
            "{\"code\":\"abc\",\"opaque\":1,\"flag\":0}", "{\"code\":1.5,\"opaque\":1}", "{\"code\":30,\"opaque\":9999999999}",
            "{\"code\":30,\"extFields\":[1,2]}", "{\"code\":30,\"extFields\":{\"topic\":{\"a\":1}}}", "{\"code\":30,\"language\":{}}",
            "[]", "{} trailing", "{\"code\":30", "", "null", "{\"remark\":5}", "{\"flag\":true}", "{\"code\":30,\"extFields\":\"x\"}",
            new string('[', 200) + new string(']', 200), "{\"code\":30,\"extFields\":{\"topic\":[\"FuzzStore\"]}}", "\"just a string\"",
        };
        var pick = _random.Next(variants.Length + 2);
        // 'x' first: random bytes after it can never make a JSON document.
        if (pick == variants.Length) return ([(byte)'x', .. Bytes(_random.Next(0, 200))], "random JSON header");
        if (pick == variants.Length + 1) return ([.. "{\"code\":30,\"remark\":\""u8, 0xC3, 0x28, (byte)'"', (byte)'}'], "invalid UTF-8 in a JSON header");
        return (Encoding.UTF8.GetBytes(variants[pick]), "invalid JSON header " + variants[pick][..Math.Min(20, variants[pick].Length)]);
    }

    private byte[] BadBinaryHeader()
    {
        var header = new byte[_random.Next(0, 60)];
        _random.NextBytes(header);
        if (header.Length >= 21)
        {
            // A plausible fixed part with an overrunning remark or ext length.
            BinaryPrimitives.WriteInt16BigEndian(header, RequestCode.GetMaxOffset);
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(13), _random.Next(2) == 0 ? -_random.Next(1, 1000) : header.Length + _random.Next(1, 1000));
        }

        return header;
    }

    private byte[] RandomBody() => _random.Next(4) switch
    {
        0 => [],
        1 => Bytes(_random.Next(1, 64)),
        2 => Encoding.UTF8.GetBytes("{\"clientID\":\"x\""),
        _ => [],
    };

    private int UnknownCode(bool binary)
    {
        while (true)
        {
            var code = _random.Next(4) switch
            {
                0 => _random.Next(-100, 1000),
                1 => Pick(new[] { 0, -1, short.MaxValue, short.MinValue, int.MaxValue, int.MinValue }),
                _ => _random.Next(-100_000, 100_000),
            };
            if (binary) code = (short)code;
            if (!KnownCodes.Contains(code)) return code;
        }
    }

    private static byte[] Prefix(int length, int type, int headerLength, byte[] rest)
    {
        var bytes = new byte[8 + rest.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, length);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), (type << 24) | (headerLength & 0xFFFFFF));
        rest.CopyTo(bytes, 8);
        return bytes;
    }

    private static byte[] WellFramed(int type, byte[] header, byte[] body) => Prefix(4 + header.Length + body.Length, type, header.Length, [.. header, .. body]);

    private static void Set(List<(string Key, Value Value)> fields, string key, Value value)
    {
        var index = fields.FindIndex(f => f.Key == key);
        if (index >= 0) fields[index] = (key, value);
        else fields.Add((key, value));
    }

    private byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private string RandomText(int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++) chars[i] = _random.Next(8) == 0 ? (char)_random.Next(0x80, 0xD7FF) : (char)_random.Next(0, 0x7F);
        return new string(chars);
    }

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];
}

/// <summary>A bare socket speaking remoting frames, for input no well-behaved client would send.</summary>
public sealed class RawConnection : IDisposable
{
    private readonly Socket _socket;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RawConnection(Socket socket) => _socket = socket;

    /// <summary>Connects to 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task<RawConnection> OpenAsync(int port)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync("127.0.0.1", port);
        return new RawConnection(socket);
    }

    /// <summary>Writes <paramref name="bytes"/> in random chunks (frames split anywhere); false when the server has closed.</summary>
    public async Task<bool> WriteAsync(ReadOnlyMemory<byte> bytes, Random random)
    {
        try
        {
            while (!bytes.IsEmpty)
            {
                var chunk = Math.Min(bytes.Length, random.Next(4) == 0 ? random.Next(1, 64) : random.Next(64, 16_384));
                await _socket.SendAsync(bytes[..chunk]);
                bytes = bytes[chunk..];
            }

            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Half-closes: the server sees end of stream.</summary>
    public void ShutdownSend()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>Resets the connection (no FIN).</summary>
    public void Abort()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    /// <summary>
    /// The next frame; null when the server closed the connection (or reset it). Throws <see cref="TimeoutException"/>
    /// when nothing complete arrives within <paramref name="within"/>, and on a frame the codec cannot read.
    /// </summary>
    public async Task<RemotingCommand?> ReadFrameAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        while (true)
        {
            if (_end > _start)
            {
                var sequence = new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
                var before = sequence.Length;
                var status = RemotingCodec.TryReadFrame(ref sequence, out var command, out var error);
                if (status == FrameReadStatus.Malformed) throw new InvalidDataException("the server sent a malformed frame: " + error);
                if (status == FrameReadStatus.Complete)
                {
                    _start += (int)(before - sequence.Length);
                    return command;
                }
            }

            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            int read;
            try
            {
                read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no complete frame within {within.TotalMilliseconds} ms");
            }
            catch (SocketException)
            {
                return null;
            }

            if (read == 0) return null;
            _end += read;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _socket.Dispose();
}
