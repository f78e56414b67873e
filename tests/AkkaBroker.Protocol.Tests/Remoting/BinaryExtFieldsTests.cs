using System.Buffers.Binary;
using System.Text;
using AkkaBroker.Protocol.Remoting;

namespace AkkaBroker.Protocol.Tests.Remoting;

/// <summary>
/// extFields of a ROCKETMQ binary frame stay wire bytes until a dictionary is asked for: typed headers must read the
/// same values, errors and repeated keys from them as from the dictionary.
/// </summary>
public class BinaryExtFieldsTests
{
    private static readonly SendMessageRequestHeader Send = new("pg", "TopicA", "TBW102", 4, 3, 2, 1_733_000_000_123L, 7,
        "KEYS\u0001k1\u0002UNIQ_KEY\u0001AC11\u0002", 1, false, 16, false, "broker-a");

    private static RemotingCommand DecodeBinary(RemotingCommand command)
    {
        command.SerializeType = SerializeType.Rocketmq;
        return RemotingCodecTests.Decode(RemotingCodec.EncodeToArray(command));
    }

    // A binary frame of the given code whose extFields are these entries, in this order (repeats allowed).
    private static byte[] BinaryFrame(int code, params (string Key, string Value)[] entries)
    {
        var ext = new List<byte>();
        foreach (var (key, value) in entries)
        {
            var k = Encoding.UTF8.GetBytes(key);
            var v = Encoding.UTF8.GetBytes(value);
            var lengths = new byte[6];
            BinaryPrimitives.WriteInt16BigEndian(lengths, (short)k.Length);
            BinaryPrimitives.WriteInt32BigEndian(lengths.AsSpan(2), v.Length);
            ext.AddRange(lengths[..2]);
            ext.AddRange(k);
            ext.AddRange(lengths[2..]);
            ext.AddRange(v);
        }

        var h = new byte[21 + ext.Count];
        BinaryPrimitives.WriteInt16BigEndian(h, (short)code);
        BinaryPrimitives.WriteInt16BigEndian(h.AsSpan(3), 405);
        BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(17), ext.Count);
        ext.CopyTo(h, 21);
        return RemotingCodecTests.Frame(h, type: 1);
    }

    [Fact]
    public void A_send_header_reads_back_from_binary_entries_as_from_its_dictionary()
    {
        var decoded = DecodeBinary(RemotingCommand.CreateRequest(RequestCode.SendMessageV2, Send.ToExtFields(v2: true)));

        Assert.Equal(Send, SendMessageRequestHeader.FromCommand(decoded, out var error));
        Assert.Null(error);
        Assert.Equal("TopicA", decoded.GetExtField("b"));
        Assert.Null(decoded.GetExtField("topic"));
        Assert.Equal(Send.ToExtFields(v2: true), decoded.ExtFields);
    }

    [Fact]
    public void A_send_response_header_reads_back_from_binary_entries()
    {
        var request = new RemotingCommand { Code = RequestCode.SendMessageV2, SerializeType = SerializeType.Rocketmq };
        var response = RemotingCommand.CreateResponse(request, ResponseCode.Success);
        var sent = new SendMessageResponseHeader("0A00000100002A9F0000000000001000", 5, 9_000_000_000L, TraceOn: false);
        response.WriteHeader(sent);

        var header = DecodeBinary(response).ReadHeader<SendMessageResponseHeader>(out var error);

        Assert.Null(error);
        Assert.Equal(sent, header);
    }

    [Fact]
    public void A_repeated_key_reads_as_its_last_value_both_ways()
    {
        var decoded = RemotingCodecTests.Decode(BinaryFrame(RequestCode.SendMessageV2,
            ("a", "pg"), ("b", "First"), ("c", "TBW102"), ("d", "4"), ("e", "1"), ("f", "0"), ("g", "1"), ("h", "0"),
            ("e", "6"), ("b", "Second")));

        var header = SendMessageRequestHeader.FromCommand(decoded, out _)!;

        Assert.Equal(("Second", 6), (header.Topic, header.QueueId));
        Assert.Equal(("Second", "6", 8), (decoded.ExtFields!["b"], decoded.ExtFields["e"], decoded.ExtFields.Count));
    }

    [Theory]
    [InlineData("e", "x", "queueId (e): 'x' is not an integer")]
    [InlineData("e", "2147483648", "queueId (e): '2147483648' is not an integer")]
    [InlineData("e", " 1", "queueId (e): ' 1' is not an integer")]
    [InlineData("g", "1.5", "bornTimestamp (g): '1.5' is not a long integer")]
    [InlineData("h", "", "flag (h): '' is not an integer")]
    public void A_bad_number_fails_with_the_dictionarys_error(string key, string value, string expected)
    {
        var fields = Send.ToExtFields(v2: true);
        fields[key] = value;
        var command = RemotingCommand.CreateRequest(RequestCode.SendMessageV2, fields);

        Assert.Null(SendMessageRequestHeader.FromCommand(command, out var fromDictionary));
        Assert.Null(SendMessageRequestHeader.FromCommand(DecodeBinary(command), out var fromBytes));
        Assert.Equal(expected, fromDictionary);
        Assert.Equal(expected, fromBytes);
    }

    [Fact]
    public void Signs_and_booleans_parse_as_java_does()
    {
        var fields = Send.ToExtFields(v2: true);
        (fields["e"], fields["g"], fields["k"], fields["m"]) = ("+2", "-5", "TRUE", "yes");

        var header = SendMessageRequestHeader.FromCommand(DecodeBinary(RemotingCommand.CreateRequest(RequestCode.SendMessageV2, fields)), out _)!;

        Assert.Equal((2, -5L, true, false), (header.QueueId, header.BornTimestamp, header.UnitMode, header.Batch));
    }

    [Fact]
    public void A_missing_required_field_is_named()
    {
        var fields = Send.ToExtFields(v2: true);
        fields.Remove("d");

        Assert.Null(SendMessageRequestHeader.FromCommand(DecodeBinary(RemotingCommand.CreateRequest(RequestCode.SendMessageV2, fields)), out var error));
        Assert.Equal("missing required field defaultTopicQueueNums (d)", error);
    }

    [Fact]
    public void Changing_the_fields_of_a_decoded_command_works_on_its_dictionary()
    {
        var decoded = DecodeBinary(RemotingCommand.CreateRequest(RequestCode.SendMessageV2, Send.ToExtFields(v2: true)));
        decoded.SetExtField("b", "Changed");
        Assert.Equal("Changed", SendMessageRequestHeader.FromCommand(decoded, out _)!.Topic);

        decoded.ExtFields = new Dictionary<string, string> { ["only"] = "one" };
        Assert.Equal("one", decoded.GetExtField("only"));
        Assert.Null(decoded.GetExtField("a"));
        Assert.Equal("one", RemotingCodecTests.Decode(RemotingCodec.EncodeToArray(decoded)).ExtFields!["only"]);
    }
}

/// <summary>A header written straight into a frame must give the very bytes its dictionary gave.</summary>
public class DirectHeaderTests
{
    private static readonly SendMessageRequestHeader Send = new("pg", "Tópico", "TBW102", 4, -1, 2, 1_733_000_000_123L, -7,
        "KEYS\u0001k1\u0002", null, true, 16, false, null);

    private static byte[] Encode(RemotingCommand command, SerializeType type)
    {
        command.SerializeType = type;
        return RemotingCodec.EncodeToArray(command);
    }

    [Theory]
    [InlineData(RequestCode.SendMessageV2, SerializeType.Rocketmq)]
    [InlineData(RequestCode.SendMessage, SerializeType.Rocketmq)]
    [InlineData(RequestCode.SendBatchMessage, SerializeType.Rocketmq)]
    [InlineData(RequestCode.SendMessageV2, SerializeType.Json)]
    public void A_send_request_encodes_as_from_its_dictionary(int code, SerializeType type)
    {
        var direct = Encode(Send.ToRequest(code, new byte[] { 1, 2, 3 }), type);
        var viaDictionary = Encode(RemotingCommand.CreateRequest(code, Send.ToExtFields(SendMessageRequestHeader.UsesShortKeys(code)), new byte[] { 1, 2, 3 }), type);

        Assert.Equal(Convert.ToHexString(viaDictionary), Convert.ToHexString(direct));
        Assert.Equal(Send, SendMessageRequestHeader.FromCommand(RemotingCodecTests.Decode(direct), out _));
    }

    [Theory]
    [InlineData(SerializeType.Rocketmq)]
    [InlineData(SerializeType.Json)]
    public void A_send_response_encodes_as_from_its_dictionary(SerializeType type)
    {
        var header = new SendMessageResponseHeader("0A00000100002A9F0000000000001000,0A00000100002A9F0000000000001400", 7, long.MaxValue, "tx", null, false);
        var request = new RemotingCommand { Code = RequestCode.SendMessageV2, Opaque = 9 };
        var direct = RemotingCommand.CreateResponse(request, ResponseCode.Success);
        direct.WriteHeader(header);
        var viaDictionary = RemotingCommand.CreateResponse(request, ResponseCode.Success);
        viaDictionary.ExtFields = header.ToExtFields();

        Assert.Equal(Convert.ToHexString(Encode(viaDictionary, type)), Convert.ToHexString(Encode(direct, type)));
    }

    [Fact]
    public void Changing_the_fields_after_setting_a_header_changes_what_is_sent()
    {
        var request = Send.ToRequest(RequestCode.SendMessageV2, new byte[1]);
        Assert.Equal("Tópico", request.GetExtField("b"));
        request.SetExtField("b", "Other");
        request.SetExtField("extra", "1");

        var decoded = RemotingCodecTests.Decode(Encode(request, SerializeType.Rocketmq));

        Assert.Equal(("Other", "1"), (decoded.GetExtField("b"), decoded.GetExtField("extra")));
    }

    [Fact]
    public void Writing_a_header_over_existing_fields_keeps_them()
    {
        var response = new RemotingCommand();
        response.SetExtField("kept", "yes");
        response.WriteHeader(new SendMessageResponseHeader("id", 1, 2));

        var decoded = RemotingCodecTests.Decode(Encode(response, SerializeType.Rocketmq));

        Assert.Equal(("yes", "id"), (decoded.GetExtField("kept"), decoded.GetExtField("msgId")));
    }
}
