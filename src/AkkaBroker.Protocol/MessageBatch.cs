using System.Buffers.Binary;

namespace AkkaBroker.Protocol;

/// <summary>One message of a SEND_BATCH_MESSAGE body, read in place.</summary>
public readonly ref struct BatchItem
{
    internal BatchItem(int flag, ReadOnlySpan<byte> body, ReadOnlySpan<byte> properties)
    {
        Flag = flag;
        Body = body;
        Properties = properties;
    }

    /// <summary>User flag.</summary>
    public int Flag { get; }

    /// <summary>Body bytes.</summary>
    public ReadOnlySpan<byte> Body { get; }

    /// <summary>Properties string bytes.</summary>
    public ReadOnlySpan<byte> Properties { get; }
}

/// <summary>
/// The body of SEND_BATCH_MESSAGE (reference §4.7): messages one after another, each big-endian
/// <code>
/// 0 TOTALSIZE int | 4 MAGIC int (0) | 8 BODYCRC int (0) | 12 FLAG int | 16 BODYLEN int + body | PROPLEN short + properties
/// </code>
/// The broker computes CRCs and writes a full stored record per message.
/// </summary>
public static class MessageBatch
{
    /// <summary>Fixed bytes of one item: the four ints, BODYLEN and PROPLEN.</summary>
    public const int ItemOverhead = 4 + 4 + 4 + 4 + 4 + 2;

    /// <summary>
    /// Checks a whole batch body before anything is stored: every item's lengths consistent and inside the body.
    /// Returns null when valid (with the message count), else why not.
    /// </summary>
    public static string? Validate(ReadOnlySpan<byte> batch, out int count)
    {
        count = 0;
        if (batch.IsEmpty) return "the batch is empty";
        var reader = new Reader(batch);
        while (reader.MoveNext()) count++;
        return reader.Error;
    }

    /// <summary>Encodes items into a new array (for tests and one-off use).</summary>
    public static byte[] Encode(IEnumerable<(int Flag, ReadOnlyMemory<byte> Body, byte[] Properties)> items)
    {
        var list = items.ToList();
        var buffer = new byte[EncodedLength(list)];
        Encode(list, buffer);
        return buffer;
    }

    /// <summary>The bytes <see cref="Encode(IReadOnlyList{ValueTuple{int, ReadOnlyMemory{byte}, byte[]}}, Span{byte})"/> writes for <paramref name="items"/>.</summary>
    public static int EncodedLength(IReadOnlyList<(int Flag, ReadOnlyMemory<byte> Body, byte[] Properties)> items)
    {
        var length = 0L;
        foreach (var (_, body, properties) in items) length += ItemOverhead + body.Length + properties.Length;
        return length <= int.MaxValue ? (int)length : throw new ArgumentException("the batch exceeds 2 GiB", nameof(items));
    }

    /// <summary>Encodes items into the start of <paramref name="destination"/>, which must hold <see cref="EncodedLength"/> bytes.</summary>
    public static void Encode(IReadOnlyList<(int Flag, ReadOnlyMemory<byte> Body, byte[] Properties)> items, Span<byte> destination)
    {
        var at = 0;
        foreach (var (flag, body, properties) in items)
        {
            if (properties.Length > short.MaxValue) throw new ArgumentException("properties longer than 32767 bytes", nameof(items));
            var size = ItemOverhead + body.Length + properties.Length;
            var d = destination.Slice(at, size);
            d[..12].Clear();
            BinaryPrimitives.WriteInt32BigEndian(d, size);
            BinaryPrimitives.WriteInt32BigEndian(d[12..], flag);
            BinaryPrimitives.WriteInt32BigEndian(d[16..], body.Length);
            body.Span.CopyTo(d[20..]);
            BinaryPrimitives.WriteInt16BigEndian(d[(20 + body.Length)..], (short)properties.Length);
            properties.CopyTo(d[(22 + body.Length)..]);
            at += size;
        }
    }

    /// <summary>Walks a batch body item by item without copying; stops at the first malformed item (see <see cref="Error"/>).</summary>
    public ref struct Reader
    {
        private ReadOnlySpan<byte> _rest;

        /// <summary>A reader over <paramref name="batch"/>.</summary>
        public Reader(ReadOnlySpan<byte> batch)
        {
            _rest = batch;
            Current = default;
            Error = null;
        }

        /// <summary>The item <see cref="MoveNext"/> moved to.</summary>
        public BatchItem Current { get; private set; }

        /// <summary>Why reading stopped early, or null.</summary>
        public string? Error { get; private set; }

        /// <summary>Moves to the next item; false at the end or on a malformed item.</summary>
        public bool MoveNext()
        {
            if (_rest.IsEmpty || Error is not null) return false;
            if (_rest.Length < ItemOverhead) return Fail($"{_rest.Length} trailing bytes are too few for a message");
            var size = BinaryPrimitives.ReadInt32BigEndian(_rest);
            if (size < ItemOverhead || size > _rest.Length) return Fail($"a message declares {size} bytes but {_rest.Length} remain");
            var item = _rest[..size];
            var bodyLength = BinaryPrimitives.ReadInt32BigEndian(item[16..]);
            if (bodyLength < 0 || 20 + (long)bodyLength + 2 > size) return Fail($"a message's body length {bodyLength} exceeds its size {size}");
            var propertiesLength = BinaryPrimitives.ReadInt16BigEndian(item[(20 + bodyLength)..]);
            if (propertiesLength < 0 || 22 + bodyLength + propertiesLength != size)
                return Fail($"a message's lengths (body {bodyLength}, properties {propertiesLength}) do not add up to its size {size}");
            Current = new BatchItem(BinaryPrimitives.ReadInt32BigEndian(item[12..]), item.Slice(20, bodyLength), item.Slice(22 + bodyLength, propertiesLength));
            _rest = _rest[size..];
            return true;
        }

        private bool Fail(string error)
        {
            Error = error;
            return false;
        }
    }
}
