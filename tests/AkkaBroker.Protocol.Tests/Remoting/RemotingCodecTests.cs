using System.Buffers;
using System.Text;
using AkkaBroker.Protocol.Remoting;

namespace AkkaBroker.Protocol.Tests.Remoting;

public class RemotingCodecTests
{
    // Reference §1.4 worked example: GET_ROUTEINFO_BY_TOPIC, opaque 7, version 405, topic T1.
    private const string ExampleJson =
        """{"code":105,"extFields":{"topic":"T1"},"flag":0,"language":"JAVA","opaque":7,"serializeTypeCurrentRPC":"JSON","version":405}""";

    private const string ExampleBinaryHex =
        "00000026" + "01000022" + "0069" + "00" + "0195" + "00000007" + "00000000" + "00000000" + "0000000D" +
        "0005" + "746F706963" + "00000002" + "5431";

    private static RemotingCommand Example(SerializeType type) => new()
    {
        Code = RequestCode.GetRouteinfoByTopic,
        Opaque = 7,
        Version = 405,
        ExtFields = new Dictionary<string, string> { ["topic"] = "T1" },
        SerializeType = type,
    };

    internal static RemotingCommand Decode(byte[] frame, int max = RemotingCodec.DefaultMaxFrameSize)
    {
        var buffer = new ReadOnlySequence<byte>(frame);
        var status = RemotingCodec.TryReadFrame(ref buffer, max, out var command, out var error);
        Assert.True(status == FrameReadStatus.Complete, error);
        Assert.Equal(0, buffer.Length);
        return command!;
    }

    internal static string DecodeError(byte[] frame, int max = RemotingCodec.DefaultMaxFrameSize)
    {
        var buffer = new ReadOnlySequence<byte>(frame);
        var status = RemotingCodec.TryReadFrame(ref buffer, max, out var command, out var error);
        Assert.Equal(FrameReadStatus.Malformed, status);
        Assert.Null(command);
        Assert.Equal(frame.Length, buffer.Length);
        return error!;
    }

    internal static byte[] JsonFrame(string header, byte[]? body = null, int type = 0) => Frame(Encoding.UTF8.GetBytes(header), body, type);

    /// <summary>A whole frame of these header bytes, body and serialize type (0 JSON, 1 ROCKETMQ).</summary>
    internal static byte[] Frame(byte[] h, byte[]? body = null, int type = 0)
    {
        body ??= [];
        var frame = new byte[8 + h.Length + body.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame, 4 + h.Length + body.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(4), (type << 24) | h.Length);
        h.CopyTo(frame, 8);
        body.CopyTo(frame, 8 + h.Length);
        return frame;
    }

    [Fact]
    public void Json_worked_example_encodes_to_the_golden_bytes()
    {
        var frame = RemotingCodec.EncodeToArray(Example(SerializeType.Json));

        Assert.Equal("000000800000007C", Convert.ToHexString(frame, 0, 8));
        Assert.Equal(ExampleJson, Encoding.UTF8.GetString(frame, 8, frame.Length - 8));
    }

    [Fact]
    public void Json_worked_example_decodes_to_its_fields()
    {
        var command = Decode(JsonFrame(ExampleJson));

        Assert.Equal(105, command.Code);
        Assert.Equal(7, command.Opaque);
        Assert.Equal(405, command.Version);
        Assert.Equal(0, command.Flag);
        Assert.Equal(LanguageCode.JAVA, command.Language);
        Assert.Null(command.Remark);
        Assert.Equal("T1", Assert.Single(command.ExtFields!).Value);
        Assert.True(command.Body.IsEmpty);
        Assert.Equal(SerializeType.Json, command.SerializeType);
    }

    [Fact]
    public void Binary_worked_example_is_the_34_header_bytes_of_the_reference()
    {
        var frame = RemotingCodec.EncodeToArray(Example(SerializeType.Rocketmq));

        Assert.Equal(ExampleBinaryHex, Convert.ToHexString(frame));
        Assert.Equal(34, frame.Length - 8);
        var command = Decode(Convert.FromHexString(ExampleBinaryHex));
        Assert.Equal((105, 7, 405, 0, LanguageCode.JAVA, SerializeType.Rocketmq),
            (command.Code, command.Opaque, command.Version, command.Flag, command.Language, command.SerializeType));
        Assert.Equal("T1", command.ExtFields!["topic"]);
    }

    public static TheoryData<SerializeType, string?, bool, int> RoundTripCases()
    {
        var data = new TheoryData<SerializeType, string?, bool, int>();
        foreach (var type in new[] { SerializeType.Json, SerializeType.Rocketmq })
        {
            data.Add(type, null, false, 0);
            data.Add(type, "boom: \"quoted\" \\ \u0001 é 中文 😀", true, 3);
            data.Add(type, "FOUND", true, 0);
            data.Add(type, null, false, 70_000);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void Round_trips_every_field(SerializeType type, string? remark, bool withExt, int bodyLength)
    {
        var body = new byte[bodyLength];
        new Random(bodyLength).NextBytes(body);
        var original = new RemotingCommand
        {
            Code = 12345,
            Language = LanguageCode.DOTNET,
            Version = 397,
            Opaque = -5,
            Flag = RemotingCommand.ResponseFlagBit | RemotingCommand.OnewayFlagBit,
            Remark = remark,
            ExtFields = withExt ? new() { ["a"] = "pg", ["i"] = "TAGS\u0001x\u0002KEYS\u0001k\u0002", ["empty"] = "", ["ü"] = "中" } : null,
            Body = body,
            SerializeType = type,
        };

        var frame = RemotingCodec.EncodeToArray(original);
        var decoded = Decode(frame);

        Assert.Equal(original.Code, decoded.Code);
        Assert.Equal(original.Language, decoded.Language);
        Assert.Equal(original.Version, decoded.Version);
        Assert.Equal(original.Opaque, decoded.Opaque);
        Assert.Equal(original.Flag, decoded.Flag);
        Assert.True(decoded.IsResponse && decoded.IsOneway);
        Assert.Equal(original.Remark, decoded.Remark);
        Assert.Equal(original.ExtFields?.OrderBy(p => p.Key, StringComparer.Ordinal), decoded.ExtFields?.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(body, decoded.Body.ToArray());
        Assert.Equal(type, decoded.SerializeType);
    }

    [Fact]
    public void Json_header_leaves_nulls_out_and_keeps_keys_alphabetical()
    {
        var frame = RemotingCodec.EncodeToArray(new RemotingCommand { Code = 0, Flag = 1, Opaque = 3, Remark = "x<y" });
        var header = Encoding.UTF8.GetString(frame, 8, frame.Length - 8);

        Assert.Equal("""{"code":0,"flag":1,"language":"JAVA","opaque":3,"remark":"x<y","serializeTypeCurrentRPC":"JSON","version":405}""", header);
    }

    [Fact]
    public void Encode_returns_the_bytes_written_into_an_existing_writer()
    {
        var writer = new ArrayBufferWriter<byte>();
        writer.Write(new byte[] { 9, 9 });
        var command = Example(SerializeType.Json);
        command.Body = new byte[] { 1, 2, 3 };

        var written = RemotingCodec.Encode(command, writer);

        Assert.Equal(128 + 4 + 3, written);
        Assert.Equal(2 + written, writer.WrittenCount);
        Assert.Equal("00000083", Convert.ToHexString(writer.WrittenSpan.Slice(2, 4)));
    }

    [Fact]
    public void Empty_binary_remark_reads_back_as_null_like_java()
    {
        var command = new RemotingCommand { Remark = "", SerializeType = SerializeType.Rocketmq };
        Assert.Null(Decode(RemotingCodec.EncodeToArray(command)).Remark);
    }

    [Theory]
    [InlineData(SerializeType.Json)]
    [InlineData(SerializeType.Rocketmq)]
    public void Response_copies_opaque_and_serialize_type_and_sets_the_response_bit(SerializeType type)
    {
        var request = Example(type);
        request.Opaque = 42;

        var response = RemotingCommand.CreateResponse(request, ResponseCode.TopicNotExist, "No topic route info in name server for the topic: T1");
        var decoded = Decode(RemotingCodec.EncodeToArray(response));

        Assert.Equal((42, 17, 1, type), (decoded.Opaque, decoded.Code, decoded.Flag, decoded.SerializeType));
        Assert.True(decoded.IsResponse);
        Assert.False(decoded.IsOneway);
        Assert.Equal(response.Remark, decoded.Remark);
    }

    [Fact]
    public void CreateRequest_fills_code_fields_and_body()
    {
        var request = RemotingCommand.CreateRequest(RequestCode.PullMessage, new() { ["topic"] = "T" }, new byte[] { 1 });
        request.MarkOneway();

        Assert.Equal((11, 0, 2, 405), (request.Code, request.Opaque, request.Flag, request.Version));
        Assert.True(request.IsOneway);
        Assert.Equal("T", request.GetExtField("topic"));
        Assert.Null(request.GetExtField("queueId"));
        Assert.Equal(1, request.Body.Length);
    }

    [Fact]
    public void Ali_ons_numbers_and_booleans_in_extFields_become_strings()
    {
        const string header = """{"code":310,"language":"JAVA","opaque":1,"flag":0,"version":121,"extFields":{"a":"pg","e":1,"g":1700000000123,"k":false,"x":true,"n":null,"neg":-1}}""";

        var command = Decode(JsonFrame(header, [7, 8]));

        Assert.Equal(310, command.Code);
        Assert.Equal(121, command.Version);
        Assert.Equal(1, command.Opaque);
        var ext = command.ExtFields!;
        Assert.Equal(("pg", "1", "1700000000123", "false", "true", "-1"), (ext["a"], ext["e"], ext["g"], ext["k"], ext["x"], ext["neg"]));
        Assert.False(ext.ContainsKey("n"));
        Assert.Equal(new byte[] { 7, 8 }, command.Body.ToArray());
    }

    [Fact]
    public void Unknown_keys_are_ignored_and_unknown_languages_read_as_other()
    {
        var command = Decode(JsonFrame("""{"code":1,"language":"NODE_JS","future":{"x":[1,{"y":2}]},"serializeTypeCurrentRPC":"JSON","remark":null}"""));

        Assert.Equal(1, command.Code);
        Assert.Equal(LanguageCode.OTHER, command.Language);
        Assert.Null(command.Remark);
        Assert.Null(command.ExtFields);
        Assert.Equal(LanguageCode.GO, Decode(JsonFrame("""{"code":1,"language":9}""")).Language);
    }

    [Fact]
    public void Known_extFields_keys_share_one_string_instance()
    {
        var first = Decode(JsonFrame("""{"code":1,"extFields":{"topic":"a"}}""")).ExtFields!.Keys.Single();
        var second = Decode(JsonFrame("""{"code":1,"extFields":{"topic":"b"}}""")).ExtFields!.Keys.Single();
        Assert.Same(first, second);
    }

    [Fact]
    public void Describe_names_codes_for_logs()
    {
        Assert.Equal("SEND_MESSAGE_V2(310)", RequestCode.Describe(310));
        Assert.Equal("PULL_NOT_FOUND(19)", ResponseCode.Describe(19));
        Assert.Equal("UNKNOWN(9999)", RequestCode.Describe(9999));
        Assert.Equal("GET_ROUTEINFO_BY_TOPIC", RequestCode.NameOf(105));
    }
}
