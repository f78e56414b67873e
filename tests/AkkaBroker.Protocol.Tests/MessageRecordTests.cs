using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace AkkaBroker.Protocol.Tests;

public class MessageRecordTests
{
    // Written from the layout table (reference §4.1) with an independent script, not with this codec.
    private const string GoldenHex =
        "00000064" + "DAA320A7" + "58932AAC" + "00000003" + "00000000" + "0000000000000005" + "0000000000001000" + "00000000" +
        "0102030405060708" + "0A000001" + "0000D431" + "1112131415161718" + "C0A80102" + "00002A9F" + "00000001" +
        "0000000000000000" + "00000002" + "6869" + "01" + "54" + "0006" + "544147530161";

    private static readonly MessageRecordFields Fields = new(
        QueueId: 3, Flag: 0, QueueOffset: 5, PhysicalOffset: 0x1000, SysFlag: 0, BornTimestamp: 0x0102030405060708,
        BornHost: Host("10.0.0.1:54321"), StoreTimestamp: 0x1112131415161718, StoreHost: Host("192.168.1.2:10911"),
        ReconsumeTimes: 1, PreparedTransactionOffset: 0);

    private static HostAndPort Host(string text) => HostAndPort.TryParse(text, out var h) ? h : throw new ArgumentException(text);

    private static byte[] Encode(in MessageRecordFields fields, string body = "hi", string topic = "T", string properties = "TAGS\u0001a")
    {
        var b = Encoding.UTF8.GetBytes(body);
        var t = Encoding.UTF8.GetBytes(topic);
        var p = Encoding.UTF8.GetBytes(properties);
        var buffer = new byte[MessageRecord.CalculateSize(fields.BornHost.IsIPv6, fields.StoreHost.IsIPv6, b.Length, t.Length, p.Length)];
        Assert.Equal(buffer.Length, MessageRecord.Encode(buffer, fields, b, t, p));
        return buffer;
    }

    [Fact]
    public void Encodes_the_golden_bytes() => Assert.Equal(GoldenHex, Convert.ToHexString(Encode(Fields)));

    [Fact]
    public void Reads_back_every_field_of_the_golden_bytes()
    {
        var bytes = Convert.FromHexString(GoldenHex);

        Assert.Equal(RecordReadStatus.Ok, MessageRecord.TryRead(bytes, checkCrc: true, out var r));
        Assert.Equal(100, r.TotalSize);
        Assert.Equal(3, r.QueueId);
        Assert.Equal(5, r.QueueOffset);
        Assert.Equal(0x1000, r.PhysicalOffset);
        Assert.Equal(0x0102030405060708, r.BornTimestamp);
        Assert.Equal(Host("10.0.0.1:54321"), r.BornHost);
        Assert.Equal(0x1112131415161718, r.StoreTimestamp);
        Assert.Equal(Host("192.168.1.2:10911"), r.StoreHost);
        Assert.Equal(1, r.ReconsumeTimes);
        Assert.Equal(0, r.PreparedTransactionOffset);
        Assert.Equal("hi", Encoding.UTF8.GetString(r.Body));
        Assert.Equal("T", Encoding.UTF8.GetString(r.Topic));
        Assert.Equal("TAGS\u0001a", Encoding.UTF8.GetString(r.Properties));
    }

    [Fact]
    public void IPv6_hosts_take_twelve_more_bytes_each_and_set_their_sysflag_bits()
    {
        var fields = Fields with { BornHost = Host("[2001:db8::1]:1234"), StoreHost = Host("[::1]:10911") };
        var bytes = Encode(fields, body: "body");

        Assert.Equal(91 + 24 + 4 + 1 + 6, bytes.Length);
        Assert.Equal(RecordReadStatus.Ok, MessageRecord.TryRead(bytes, true, out var r));
        Assert.Equal(MessageSysFlag.BornHostV6 | MessageSysFlag.StoreHostV6, r.SysFlag);
        Assert.Equal(fields.BornHost, r.BornHost);
        Assert.Equal(fields.StoreHost, r.StoreHost);
        Assert.Equal(fields.StoreTimestamp, r.StoreTimestamp);
        Assert.Equal("body", Encoding.UTF8.GetString(r.Body));
    }

    [Fact]
    public void Patching_offsets_changes_only_those_fields()
    {
        var bytes = Encode(Fields);
        MessageRecord.PatchOffsets(bytes, queueOffset: 77, physicalOffset: 1 << 20, storeTimestamp: 123456789);

        Assert.Equal(RecordReadStatus.Ok, MessageRecord.TryRead(bytes, true, out var r));
        Assert.Equal(77, r.QueueOffset);
        Assert.Equal(1 << 20, r.PhysicalOffset);
        Assert.Equal(123456789, r.StoreTimestamp);
        Assert.Equal(Fields.BornTimestamp, r.BornTimestamp);
        Assert.Equal("hi", Encoding.UTF8.GetString(r.Body));
    }

    [Fact]
    public void A_flipped_body_byte_fails_the_crc_check_only_when_asked()
    {
        var bytes = Encode(Fields);
        bytes[MessageRecord.BodyLengthOffset(0) + 4] ^= 0x20;

        Assert.Equal(RecordReadStatus.Corrupt, MessageRecord.TryRead(bytes, checkCrc: true, out _));
        Assert.Equal(RecordReadStatus.Ok, MessageRecord.TryRead(bytes, checkCrc: false, out _));
    }

    [Fact]
    public void A_torn_tail_is_truncated_and_zeros_are_no_record()
    {
        var bytes = Encode(Fields);

        for (var cut = 8; cut < bytes.Length; cut++) Assert.Equal(RecordReadStatus.Truncated, MessageRecord.TryRead(bytes.AsSpan(0, cut), true, out _));
        Assert.Equal(RecordReadStatus.NoRecord, MessageRecord.TryRead(new byte[64], true, out _));
        Assert.Equal(RecordReadStatus.NoRecord, MessageRecord.TryRead(new byte[3], true, out _));
    }

    [Theory]
    [InlineData(4, 0x00)]                      // magic
    [InlineData(0, 0x7F)]                      // total size far larger: truncated, not ok
    [InlineData(93, 0x7F)]                     // properties length past the end (PROPLEN at 92-93)
    [InlineData(87, 0x10)]                     // body length inconsistent with total size (BODYLEN at 84-87)
    public void Damaged_headers_never_read_as_ok(int at, byte value)
    {
        var bytes = Encode(Fields);
        bytes[at] = value;

        Assert.NotEqual(RecordReadStatus.Ok, MessageRecord.TryRead(bytes, checkCrc: false, out _));
    }

    [Fact]
    public void Random_bytes_never_read_as_a_record_that_overruns_its_input()
    {
        var random = new Random(7);
        var buffer = new byte[256];
        for (var i = 0; i < 20_000; i++)
        {
            random.NextBytes(buffer);
            if (i % 2 == 0) BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(4), MessageRecord.MagicCode);
            if (i % 3 == 0) BinaryPrimitives.WriteInt32BigEndian(buffer, random.Next(MessageRecord.MinRecordSize, 257));
            var status = MessageRecord.TryRead(buffer, checkCrc: false, out var r);
            if (status != RecordReadStatus.Ok) continue;
            Assert.True(r.TotalSize <= buffer.Length);
            Assert.Equal(r.TotalSize, r.Bytes.Length);
            _ = r.Body.Length + r.Topic.Length + r.Properties.Length; // accessors stay within the record
        }
    }

    [Fact]
    public void End_of_file_marker_round_trips()
    {
        var bytes = new byte[16];
        MessageRecord.WriteEndOfFile(bytes, 5000);

        Assert.Equal("00001388CBD43194", Convert.ToHexString(bytes, 0, 8));
        Assert.Equal(RecordReadStatus.EndOfFile, MessageRecord.TryRead(bytes, true, out var r));
        Assert.Equal(5000, r.TotalSize);
    }

    [Fact]
    public void Lengths_the_format_cannot_hold_are_rejected()
    {
        var buffer = new byte[70_000];
        Assert.Throws<ArgumentException>(() => MessageRecord.Encode(buffer, Fields, default, new byte[128], default));
        Assert.Throws<ArgumentException>(() => MessageRecord.Encode(buffer, Fields, default, default, default));
        Assert.Throws<ArgumentException>(() => MessageRecord.Encode(buffer, Fields, default, "T"u8, new byte[32768]));
        Assert.Throws<ArgumentException>(() => MessageRecord.Encode(new byte[50], Fields, default, "T"u8, default));
    }

    [Fact]
    public void HostAndPort_converts_mapped_IPv4_to_IPv4()
    {
        var h = HostAndPort.From(new IPEndPoint(IPAddress.Parse("::ffff:10.1.2.3"), 80));
        Assert.False(h.IsIPv6);
        Assert.Equal("10.1.2.3:80", h.ToString());
    }
}

public class MessageBatchTests
{
    [Fact]
    public void Golden_item_layout()
    {
        var batch = MessageBatch.Encode([(7, "hi"u8.ToArray(), "K\u0001v"u8.ToArray())]);

        // TOTALSIZE 27, MAGIC 0, BODYCRC 0, FLAG 7, BODYLEN 2, "hi", PROPLEN 3, "K\x01v"
        Assert.Equal("0000001B" + "00000000" + "00000000" + "00000007" + "00000002" + "6869" + "0003" + "4B0176", Convert.ToHexString(batch));
    }

    [Fact]
    public void Items_read_back_in_order()
    {
        var batch = MessageBatch.Encode(Enumerable.Range(0, 5).Select(i => (i, (ReadOnlyMemory<byte>)new byte[i * 10], System.Text.Encoding.UTF8.GetBytes($"KEYS\u0001k{i}"))));

        Assert.Null(MessageBatch.Validate(batch, out var count));
        Assert.Equal(5, count);
        var reader = new MessageBatch.Reader(batch);
        var flags = new List<int>();
        while (reader.MoveNext())
        {
            flags.Add(reader.Current.Flag);
            Assert.Equal(reader.Current.Flag * 10, reader.Current.Body.Length);
        }

        Assert.Equal([0, 1, 2, 3, 4], flags);
    }

    [Fact]
    public void Malformed_batches_are_rejected_with_a_reason()
    {
        var good = MessageBatch.Encode([(0, new byte[10], new byte[0]), (0, new byte[10], new byte[0])]);
        Assert.NotNull(MessageBatch.Validate([], out _));
        Assert.NotNull(MessageBatch.Validate(good.AsSpan(0, good.Length - 1), out _));
        var wrongBody = (byte[])good.Clone();
        wrongBody[19] = 200;
        Assert.NotNull(MessageBatch.Validate(wrongBody, out _));

        var random = new Random(3);
        for (var i = 0; i < 5000; i++)
        {
            var junk = new byte[random.Next(0, 64)];
            random.NextBytes(junk);
            var reader = new MessageBatch.Reader(junk);
            while (reader.MoveNext()) Assert.True(reader.Current.Body.Length <= junk.Length);
        }
    }
}
