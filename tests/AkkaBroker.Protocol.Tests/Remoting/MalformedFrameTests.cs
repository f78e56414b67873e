using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using AkkaBroker.Protocol.Remoting;
using static AkkaBroker.Protocol.Tests.Remoting.RemotingCodecTests;

namespace AkkaBroker.Protocol.Tests.Remoting;

public class MalformedFrameTests
{
    private static byte[] Prefix(int length, int headerLenAndType, int extra = 0)
    {
        var frame = new byte[8 + extra];
        BinaryPrimitives.WriteInt32BigEndian(frame, length);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(4), headerLenAndType);
        return frame;
    }

    private static byte[] BinaryFrame(string headerHex) => RemotingCodecTests.Frame(Convert.FromHexString(headerHex), type: 1);

    [Theory]
    [InlineData(3)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Declared_length_below_4_is_malformed_from_the_length_field_alone(int length)
    {
        var error = DecodeError(Prefix(length, 0)[..4]);
        Assert.Contains($"declared frame length {length} is below 4", error);
    }

    [Fact]
    public void Frame_above_the_maximum_counts_the_prefix_and_is_refused_before_it_arrives()
    {
        Assert.Contains("exceeds the maximum of 16777216", DecodeError(Prefix(16 * 1024 * 1024 - 3, 0)[..4]));
        Assert.Contains("frame of 2147483651 bytes", DecodeError(Prefix(int.MaxValue, 0)[..4]));

        var atLimit = new ReadOnlySequence<byte>(Prefix(16 * 1024 * 1024 - 4, 0));
        Assert.Equal(FrameReadStatus.NeedMoreData, RemotingCodec.TryReadFrame(ref atLimit, out _, out _));
        Assert.Contains("maximum of 100", DecodeError(JsonFrame("""{"code":1}""", new byte[100]), max: 100));
    }

    [Fact]
    public void Waiting_on_a_large_declared_frame_allocates_nothing_for_it()
    {
        var buffer = new ReadOnlySequence<byte>(Prefix(16 * 1024 * 1024 - 4, 100, extra: 100));
        RemotingCodec.TryReadFrame(ref buffer, out _, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var status = RemotingCodec.TryReadFrame(ref buffer, out _, out _);

        Assert.Equal(FrameReadStatus.NeedMoreData, status);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024);
    }

    [Fact]
    public void Header_length_beyond_the_frame_is_malformed()
    {
        Assert.Contains("header length 11 exceeds the frame's 10 bytes", DecodeError(Prefix(14, 11)));
        Assert.Contains("header length 16777215", DecodeError(Prefix(100, 0x00FFFFFF)));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(0x7F)]
    [InlineData(0xFF)]
    public void Unknown_serialize_type_is_malformed(int type) =>
        Assert.Contains($"unknown serialize type {type}", DecodeError(Prefix(100, type << 24)));

    [Theory]
    [InlineData("", "invalid JSON header")]
    [InlineData("not json", "invalid JSON header")]
    [InlineData("""{"code":1""", "invalid JSON header")]
    [InlineData("""{"code":1}x""", "invalid JSON header")]
    [InlineData("""{"code":1}{}""", "invalid JSON header")]
    [InlineData("""{"code":1,}""", "invalid JSON header")]
    [InlineData("""[{"code":1}]""", "the JSON header is not an object")]
    [InlineData("42", "the JSON header is not an object")]
    [InlineData("""{"code":"105"}""", "code: expected a 32-bit integer, got a string")]
    [InlineData("""{"code":1.5}""", "code: expected a 32-bit integer, got the number 1.5")]
    [InlineData("""{"code":1099511627776}""", "code: expected a 32-bit integer")]
    [InlineData("""{"opaque":true}""", "opaque: expected a 32-bit integer, got a boolean")]
    [InlineData("""{"flag":null}""", "flag: expected a 32-bit integer, got null")]
    [InlineData("""{"version":[]}""", "version: expected a 32-bit integer, got an array")]
    [InlineData("""{"language":{}}""", "language: expected a string, got an object")]
    [InlineData("""{"remark":5}""", "remark: expected a string, got the number 5")]
    [InlineData("""{"extFields":[]}""", "extFields: expected an object, got an array")]
    [InlineData("""{"extFields":"topic=T"}""", "extFields: expected an object, got a string")]
    [InlineData("""{"extFields":{"topic":{"x":1}}}""", "extFields.topic: expected a string, number or boolean, got an object")]
    [InlineData("""{"extFields":{"keys":["a","b"]}}""", "extFields.keys: expected a string, number or boolean, got an array")]
    [InlineData("""{"x":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}""", "invalid JSON header")]
    public void Bad_json_headers_are_malformed_with_a_clear_error(string header, string expected) =>
        Assert.Contains(expected, DecodeError(JsonFrame(header)));

    [Fact]
    public void Invalid_utf8_in_a_json_string_is_malformed()
    {
        var frame = JsonFrame("""{"remark":"ab"}""");
        frame[8 + 11] = 0xC3; // a lead byte followed by an ASCII byte
        Assert.Contains("invalid JSON header", DecodeError(frame));
    }

    [Theory]
    [InlineData("0069000195000000070000", "binary header of 11 bytes is shorter than its 21 fixed bytes")]
    [InlineData("006900019500000007000000000000000500000000", "remark length 5 overruns the binary header (0 bytes left)")]
    [InlineData("0069000195000000070000000080000000" + "00000000", "remark length -2147483648 overruns")]
    [InlineData("006900019500000007000000000000000000000001", "extFields length 1 does not match the 0 header bytes left")]
    [InlineData("006900019500000007000000000000000000000004" + "0005746F70", "extFields length 4 does not match the 5 header bytes left")]
    [InlineData("006900019500000007000000000000000000000005" + "0005746F70", "extFields key length 5 overruns the 3 bytes left")]
    [InlineData("00690001950000000700000000000000000000000B" + "0005746F706963" + "00000002", "extFields.topic: value length 2 overruns the 0 bytes left")]
    [InlineData("00690001950000000700000000000000000000000B" + "0009746F706963" + "00000000", "extFields key length 9 overruns")]
    [InlineData("00690001950000000700000000000000000000000B" + "FFFF746F706963" + "00000000", "extFields key length -1 overruns")]
    [InlineData("00690001950000000700000000000000000000000D" + "0005746F706963" + "00000003" + "5431", "extFields.topic: value length 3 overruns the 2 bytes left")]
    [InlineData("00690001950000000700000000000000000000000D" + "0005746F706963" + "FFFFFFFF" + "5431", "extFields.topic: value length -1 overruns")]
    [InlineData("00690001950000000700000000000000000000000C" + "0005746F706963" + "00000000" + "00", "extFields entry truncated: 1 byte(s)")]
    public void Bad_binary_headers_are_malformed_with_a_clear_error(string headerHex, string expected) =>
        Assert.Contains(expected, DecodeError(BinaryFrame(headerHex)));

    [Fact]
    public void An_unknown_binary_language_reads_as_other()
    {
        var frame = BinaryFrame("0069" + "2A" + "0195000000070000000000000000" + "00000000");
        Assert.Equal(LanguageCode.OTHER, Decode(frame).Language);
    }

    [Fact]
    public void A_malformed_frame_after_a_good_one_is_reported_once_the_good_one_is_consumed()
    {
        var good = JsonFrame("""{"code":1}""", Encoding.UTF8.GetBytes("body"));
        var buffer = new ReadOnlySequence<byte>([.. good, .. Prefix(2, 0)]);

        Assert.Equal(FrameReadStatus.Complete, RemotingCodec.TryReadFrame(ref buffer, out var command, out _));
        Assert.Equal("body", Encoding.UTF8.GetString(command!.Body.Span));
        Assert.Equal(FrameReadStatus.Malformed, RemotingCodec.TryReadFrame(ref buffer, out command, out var error));
        Assert.Null(command);
        Assert.Equal(8, buffer.Length);
        Assert.Contains("below 4", error);
    }
}
