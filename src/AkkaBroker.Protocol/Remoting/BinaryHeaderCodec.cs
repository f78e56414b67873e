using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace AkkaBroker.Protocol.Remoting;

/// <summary>
/// The ROCKETMQ binary header (reference §1.4), big-endian:
/// <code>
/// 0 code short | 2 language byte | 3 version short | 5 opaque int | 9 flag int | 13 remarkLen int + remark
/// | extLen int + entries (short keyLen, key, int valLen, val)
/// </code>
/// A zero remarkLen or extLen means null, so an empty remark reads back as null. Decoding is strict: every length
/// must fit, and the entries must fill extLen and the header exactly.
/// </summary>
internal static class BinaryHeaderCodec
{
    private const int FixedLength = 2 + 1 + 2 + 4 + 4 + 4 + 4;

    public static int WriteFramePrefixAndHeader(RemotingCommand command, IBufferWriter<byte> output)
    {
        var utf8 = Encoding.UTF8;
        var remarkLength = command.Remark is { } remark ? utf8.GetByteCount(remark) : 0;
        var counter = new BinaryLengthSink();
        WriteExtFields(command, ref counter);
        var extLength = counter.Length;

        var headerLength = FixedLength + remarkLength + extLength;
        if (headerLength > RemotingCodec.MaxHeaderLength)
            throw new ArgumentException($"header of {headerLength} bytes exceeds the 24-bit header length field", nameof(command));

        var total = RemotingCodec.PrefixLength + (int)headerLength;
        var d = output.GetSpan(total);
        RemotingCodec.WritePrefix(d, SerializeType.Rocketmq, (int)headerLength, command.Body.Length);
        var h = d[RemotingCodec.PrefixLength..];
        BinaryPrimitives.WriteInt16BigEndian(h, (short)command.Code);
        h[2] = (byte)command.Language;
        BinaryPrimitives.WriteInt16BigEndian(h[3..], (short)command.Version);
        BinaryPrimitives.WriteInt32BigEndian(h[5..], command.Opaque);
        BinaryPrimitives.WriteInt32BigEndian(h[9..], command.Flag);
        BinaryPrimitives.WriteInt32BigEndian(h[13..], remarkLength);
        var at = 17;
        if (remarkLength > 0) at += utf8.GetBytes(command.Remark, h[at..]);
        BinaryPrimitives.WriteInt32BigEndian(h[at..], (int)extLength);
        at += 4;
        var entries = new BinaryEntrySink(h.Slice(at, (int)extLength));
        WriteExtFields(command, ref entries);

        output.Advance(total);
        return total;
    }

    // One walk over the fields for both the length and the bytes: from the direct header when the command has one,
    // else from its dictionary.
    private static void WriteExtFields<TSink>(RemotingCommand command, ref TSink sink) where TSink : IExtFieldsSink, allows ref struct
    {
        if (command.DirectHeader is { } direct) direct.WriteFields(ref sink, command.Code);
        else if (command.ExtFields is { } fields)
        {
            foreach (var (key, value) in fields) sink.Add(key, value);
        }
    }

    public static RemotingCommand? TryRead(ReadOnlySpan<byte> h, out string? error)
    {
        error = null;
        if (h.Length < FixedLength) return Fail(out error, $"binary header of {h.Length} bytes is shorter than its {FixedLength} fixed bytes");

        var language = h[2];
        var command = new RemotingCommand
        {
            Code = BinaryPrimitives.ReadInt16BigEndian(h),
            Language = language <= (byte)LanguageCode.RUST ? (LanguageCode)language : LanguageCode.OTHER,
            Version = BinaryPrimitives.ReadInt16BigEndian(h[3..]),
            Opaque = BinaryPrimitives.ReadInt32BigEndian(h[5..]),
            Flag = BinaryPrimitives.ReadInt32BigEndian(h[9..]),
        };

        var remarkLength = BinaryPrimitives.ReadInt32BigEndian(h[13..]);
        var rest = h[17..];
        if (remarkLength < 0 || remarkLength > rest.Length - 4)
            return Fail(out error, $"remark length {remarkLength} overruns the binary header ({rest.Length - 4} bytes left)");
        if (remarkLength > 0) command.Remark = Encoding.UTF8.GetString(rest[..remarkLength]);
        rest = rest[remarkLength..];

        var extLength = BinaryPrimitives.ReadInt32BigEndian(rest);
        rest = rest[4..];
        if (extLength < 0 || extLength != rest.Length)
            return Fail(out error, $"extFields length {extLength} does not match the {rest.Length} header bytes left");
        if (extLength > 0)
        {
            if (RawExtFields.TryCreate(rest, out error) is not { } fields) return null;
            command.SetRawExtFields(fields);
        }

        return command;
    }

    private static T? Fail<T>(out string? error, string message) where T : class
    {
        error = message;
        return null;
    }

    private static RemotingCommand? Fail(out string? error, string message) => Fail<RemotingCommand>(out error, message);
}
