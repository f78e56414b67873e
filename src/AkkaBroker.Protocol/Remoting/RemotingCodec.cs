using System.Buffers;
using System.Buffers.Binary;

namespace AkkaBroker.Protocol.Remoting;

/// <summary>Outcome of reading one frame with RemotingCodec.TryReadFrame.</summary>
public enum FrameReadStatus
{
    /// <summary>One whole, well-formed frame was decoded and consumed.</summary>
    Complete,

    /// <summary>The buffer holds only part of a frame; nothing was consumed. Read more and call again.</summary>
    NeedMoreData,

    /// <summary>
    /// The stream is not a valid frame sequence; nothing was consumed and the error says why. The connection
    /// cannot be resynchronised and should be closed, which is what Java's NettyDecoder does.
    /// </summary>
    Malformed,
}

/// <summary>
/// RocketMQ's remoting frame (reference §1.1), big-endian:
/// <code>
/// 0 length int (bytes after this field: 4 + header + body) | 4 headerLenAndType int (high byte serialize type,
/// low 24 bits header length) | 8 header (JSON §1.2 or ROCKETMQ §1.4) | 8+H body
/// </code>
/// Stateless and thread-safe.
/// </summary>
public static class RemotingCodec
{
    /// <summary>Java's frameMaxLength default: 16 MiB, counting the 4-byte length prefix.</summary>
    public const int DefaultMaxFrameSize = 16 * 1024 * 1024;

    /// <summary>Bytes before the header: the length and headerLenAndType fields.</summary>
    public const int PrefixLength = 8;

    /// <summary>The largest header the 24-bit header length can describe.</summary>
    public const int MaxHeaderLength = 0xFFFFFF;

    // A decoded header's extFields start with room for the send header's 14 fields, the busiest request, so the
    // dictionary does not grow twice per send.
    internal const int DecodedExtFieldsCapacity = 16;

    /// <summary>
    /// Writes the whole frame of <paramref name="command"/> in its <see cref="RemotingCommand.SerializeType"/>;
    /// returns the bytes written. Throws <see cref="ArgumentException"/> for a command that cannot be framed
    /// (an extFields key over 32767 UTF-8 bytes in the binary form, a header over 16 MiB, a frame over 2 GiB).
    /// </summary>
    public static int Encode(RemotingCommand command, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(output);
        var written = command.SerializeType switch
        {
            SerializeType.Json => JsonHeaderCodec.WriteFramePrefixAndHeader(command, output),
            SerializeType.Rocketmq => BinaryHeaderCodec.WriteFramePrefixAndHeader(command, output),
            _ => throw new ArgumentException($"unknown serialize type {(int)command.SerializeType}", nameof(command)),
        };
        var body = command.Body.Span;
        if (!body.IsEmpty)
        {
            body.CopyTo(output.GetSpan(body.Length));
            output.Advance(body.Length);
        }

        return written + body.Length;
    }

    /// <summary>The whole frame as a new array (for clients and tests; the server writes into its pipe).</summary>
    public static byte[] EncodeToArray(RemotingCommand command)
    {
        var writer = new ArrayBufferWriter<byte>();
        Encode(command, writer);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the 8-byte prefix, checking the sizes fit; shared by both header encoders.</summary>
    internal static void WritePrefix(Span<byte> destination, SerializeType type, int headerLength, int bodyLength)
    {
        if (headerLength > MaxHeaderLength)
            throw new ArgumentException($"header of {headerLength} bytes exceeds the 24-bit header length field");
        var length = 4L + headerLength + bodyLength;
        if (length > int.MaxValue - 4) throw new ArgumentException($"frame of {length + 4} bytes exceeds the 32-bit length field");
        BinaryPrimitives.WriteInt32BigEndian(destination, (int)length);
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], ((int)type << 24) | headerLength);
    }

    /// <summary>
    /// Reads one frame from the start of <paramref name="buffer"/> with Java's 16 MiB limit; see
    /// <see cref="TryReadFrame(ref ReadOnlySequence{byte}, int, out RemotingCommand?, out string?)"/>.
    /// </summary>
    public static FrameReadStatus TryReadFrame(ref ReadOnlySequence<byte> buffer, out RemotingCommand? command, out string? error) =>
        TryReadFrame(ref buffer, DefaultMaxFrameSize, out command, out error);

    /// <summary>
    /// Reads one frame from the start of <paramref name="buffer"/> (a pipe's read buffer). On
    /// <see cref="FrameReadStatus.Complete"/> the frame is sliced off <paramref name="buffer"/> and the body copied
    /// once into the command; otherwise <paramref name="buffer"/> is unchanged. Framing errors (declared length below 4
    /// or, with the 4-byte prefix, above <paramref name="maxFrameSize"/>; header length beyond the frame; unknown
    /// serialize type) are reported from the first 8 bytes, so a bad stream is never waited on. Never throws on any
    /// input, and never allocates more than the frame's declared (bounded) size.
    /// </summary>
    public static FrameReadStatus TryReadFrame(
        ref ReadOnlySequence<byte> buffer, int maxFrameSize, out RemotingCommand? command, out string? error)
    {
        command = null;
        error = null;
        if (buffer.Length < 4) return FrameReadStatus.NeedMoreData;

        Span<byte> prefix = stackalloc byte[PrefixLength];
        var available = (int)Math.Min(PrefixLength, buffer.Length);
        buffer.Slice(0, available).CopyTo(prefix);
        var length = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (length < 4)
            return Malformed(out error, $"declared frame length {length} is below 4 (the headerLenAndType field alone)");
        if (4L + length > maxFrameSize)
            return Malformed(out error, $"frame of {4L + length} bytes exceeds the maximum of {maxFrameSize}");
        if (available < PrefixLength) return FrameReadStatus.NeedMoreData;

        var headerLenAndType = BinaryPrimitives.ReadInt32BigEndian(prefix[4..]);
        var type = (headerLenAndType >> 24) & 0xFF;
        var headerLength = headerLenAndType & MaxHeaderLength;
        if (type > (int)SerializeType.Rocketmq) return Malformed(out error, $"unknown serialize type {type}");
        if (headerLength > length - 4)
            return Malformed(out error, $"header length {headerLength} exceeds the frame's {length - 4} bytes after headerLenAndType");
        if (buffer.Length - 4 < length) return FrameReadStatus.NeedMoreData;

        var parsed = ReadHeader(buffer.Slice(PrefixLength, headerLength), type == (int)SerializeType.Json, out error);
        if (parsed is null) return FrameReadStatus.Malformed;

        var bodyLength = length - 4 - headerLength;
        if (bodyLength > 0)
        {
            var content = buffer.Slice(PrefixLength + headerLength, bodyLength);
            if (HasPooledBody(parsed))
            {
                var rented = ArrayPool<byte>.Shared.Rent(bodyLength);
                content.CopyTo(rented);
                parsed.SetPooledBody(rented, bodyLength);
            }
            else
            {
                var body = new byte[bodyLength];
                content.CopyTo(body);
                parsed.Body = body;
            }
        }

        parsed.SerializeType = (SerializeType)type;
        buffer = buffer.Slice(4L + length);
        command = parsed;
        return FrameReadStatus.Complete;
    }

    // The bodies of send requests are copied into rented buffers, which the send processor gives back once the
    // message is in the CommitLog (RemotingCommand.ReleaseBody): they were the largest allocation a broker made per
    // message. Other bodies (pull responses the client keeps slices of, say) stay plain arrays.
    private static bool HasPooledBody(RemotingCommand command) =>
        !command.IsResponse && command.Code is RequestCode.SendMessage or RequestCode.SendMessageV2 or RequestCode.SendBatchMessage;

    // Header decoders work on one span. A header split across pipe segments is copied once into a pooled buffer:
    // headers are small, and Utf8JsonReader's multi-segment path throws IndexOutOfRangeException on some bad
    // literals split across segments (found by FrameFuzzTests, .NET 10).
    private static RemotingCommand? ReadHeader(ReadOnlySequence<byte> header, bool json, out string? error)
    {
        if (header.IsSingleSegment) return Decode(header.FirstSpan, json, out error);
        var length = (int)header.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            header.CopyTo(rented);
            return Decode(rented.AsSpan(0, length), json, out error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        static RemotingCommand? Decode(ReadOnlySpan<byte> span, bool json, out string? error) =>
            json ? JsonHeaderCodec.TryRead(span, out error) : BinaryHeaderCodec.TryRead(span, out error);
    }

    private static FrameReadStatus Malformed(out string? error, string message)
    {
        error = message;
        return FrameReadStatus.Malformed;
    }
}
