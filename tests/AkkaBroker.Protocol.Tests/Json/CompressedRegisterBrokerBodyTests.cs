using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using AkkaBroker.Protocol.Json;

namespace AkkaBroker.Protocol.Tests.Json;

public class CompressedRegisterBrokerBodyTests
{
    /// <summary>The layout of reference §6.1 written by hand: length-prefixed parts in one zlib stream.</summary>
    private static byte[] Layout(params object[] parts)
    {
        var raw = new MemoryStream();
        foreach (var part in parts)
        {
            var bytes = part switch
            {
                int n => BigEndian(n),
                string s => [.. BigEndian(Encoding.UTF8.GetByteCount(s)), .. Encoding.UTF8.GetBytes(s)],
                byte[] b => b,
                _ => throw new ArgumentException("part"),
            };
            raw.Write(bytes);
        }

        return Zlib(raw.ToArray());
    }

    private static byte[] BigEndian(int n)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, n);
        return bytes;
    }

    private static byte[] Zlib(byte[] raw)
    {
        var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(raw);
        return output.ToArray();
    }

    private static RegisterBrokerBody Decodes(byte[] data)
    {
        Assert.True(CompressedRegisterBrokerBody.TryDecode(data, out var body, out var error), error);
        Assert.Null(error);
        return body!;
    }

    private static string Rejects(byte[] data)
    {
        Assert.False(CompressedRegisterBrokerBody.TryDecode(data, out var body, out var error));
        Assert.Null(body);
        return error!;
    }

    [Fact]
    public void Hand_built_layout_decodes()
    {
        var data = Layout("""{"counter":7,"timestamp":1700000000000}""", 2,
            "T 8 4 6 SINGLE_TAG", "%RETRY%G 1 1 7 MULTI_TAG", """["10.0.0.1:45000"]""");

        var body = Decodes(data);

        var wrapper = body.TopicConfigSerializeWrapper;
        Assert.Equal((7, 1700000000000), (wrapper.DataVersion.Counter, wrapper.DataVersion.Timestamp));
        var t = wrapper.TopicConfigTable["T"];
        Assert.Equal(("T", 8, 4, 6, TopicFilterType.SingleTag, 0, false), (t.TopicName, t.ReadQueueNums, t.WriteQueueNums, t.Perm, t.TopicFilterType, t.TopicSysFlag, t.Order));
        var retry = wrapper.TopicConfigTable["%RETRY%G"];
        Assert.Equal((1, 7, TopicFilterType.MultiTag), (retry.ReadQueueNums, retry.Perm, retry.TopicFilterType));
        Assert.Equal(["10.0.0.1:45000"], body.FilterServerList);
    }

    [Fact]
    public void RocketMq5_attribute_field_is_ignored()
    {
        var data = Layout("""{"counter":1,"timestamp":2}""", 1, """T 2 2 6 SINGLE_TAG {"+message.type":"NORMAL"}""", "[]");

        Assert.Equal(2, Decodes(data).TopicConfigSerializeWrapper.TopicConfigTable["T"].ReadQueueNums);
    }

    [Fact]
    public void Encode_round_trips_what_the_layout_carries()
    {
        var body = new RegisterBrokerBody { FilterServerList = ["f:1"] };
        body.TopicConfigSerializeWrapper.DataVersion = new DataVersion { Counter = 3, Timestamp = 4 };
        body.TopicConfigSerializeWrapper.TopicConfigTable["A"] = new TopicConfig { TopicName = "A", ReadQueueNums = 2, WriteQueueNums = 3, Perm = 4, TopicSysFlag = 1, Order = true };

        var data = CompressedRegisterBrokerBody.Encode(body);
        var back = Decodes(data);

        Assert.Equal(0x78, data[0]); // zlib header, as java.util.zip.Deflater writes
        var a = back.TopicConfigSerializeWrapper.TopicConfigTable["A"];
        Assert.Equal((2, 3, 4), (a.ReadQueueNums, a.WriteQueueNums, a.Perm));
        Assert.Equal((0, false), (a.TopicSysFlag, a.Order)); // not carried by the compressed layout
        Assert.Equal((3, 4), (back.TopicConfigSerializeWrapper.DataVersion.Counter, back.TopicConfigSerializeWrapper.DataVersion.Timestamp));
        Assert.Equal(["f:1"], back.FilterServerList);
    }

    [Fact]
    public void Malformed_streams_are_refused_with_a_reason()
    {
        Assert.Contains("bad compressed RegisterBrokerBody", Rejects(Encoding.UTF8.GetBytes("{\"not\":\"zlib\"}")), StringComparison.Ordinal);
        Assert.Contains("truncated", Rejects(Layout("""{"counter":1,"timestamp":2}""", 1)), StringComparison.Ordinal);
        Assert.Contains("out of range", Rejects(Layout(int.MaxValue)), StringComparison.Ordinal);
        Assert.Contains("topic count -1 out of range", Rejects(Layout("""{"counter":1,"timestamp":2}""", -1)), StringComparison.Ordinal);
        Assert.Contains("does not parse", Rejects(Layout("""{"counter":1,"timestamp":2}""", 1, "T 8 x 6 SINGLE_TAG", "[]")), StringComparison.Ordinal);
        Assert.Contains("does not parse", Rejects(Layout("""{"counter":1,"timestamp":2}""", 1, "T 8 8 6 ANY_TAG", "[]")), StringComparison.Ordinal);
        Assert.Contains("does not parse", Rejects(Layout("""{"counter":1,"timestamp":2}""", 1, "T 8 8", "[]")), StringComparison.Ordinal);
        Assert.Contains("DataVersion", Rejects(Layout("{counter", 0, "[]")), StringComparison.Ordinal);
        Assert.Contains("truncated inside", Rejects(Layout(100, (byte[])[1, 2, 3])), StringComparison.Ordinal);
    }
}
