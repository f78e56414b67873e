using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace AkkaBroker.Protocol.Remoting;

/// <summary>
/// A custom header that hands its extFields to a sink one by one, so a ROCKETMQ binary frame is written from the
/// header itself: no dictionary, and numbers formatted straight into the frame. A command that carries one builds
/// its <see cref="RemotingCommand.ExtFields"/> dictionary only when that is asked for (or for a JSON frame).
/// </summary>
public interface IDirectHeader
{
    /// <summary>Passes every field to <paramref name="sink"/> in wire order; <paramref name="code"/> is the command's, for headers whose keys depend on it.</summary>
    void WriteFields<TSink>(ref TSink sink, int code) where TSink : IExtFieldsSink, allows ref struct;
}

/// <summary>Takes a header's fields as Java writes them: nulls left out, numbers invariant, booleans "true"/"false".</summary>
public interface IExtFieldsSink
{
    /// <summary>A text field; null leaves it out.</summary>
    void Add(string key, string? value);

    /// <summary>A number field; null leaves it out.</summary>
    void Add(string key, long? value);

    /// <summary>A boolean field; null leaves it out.</summary>
    void Add(string key, bool? value);
}

/// <summary>Fills a dictionary: what <see cref="RemotingCommand.ExtFields"/> of a command with a direct header holds.</summary>
internal readonly struct DictionarySink(Dictionary<string, string> fields) : IExtFieldsSink
{
    public Dictionary<string, string> Fields => fields;

    public static Dictionary<string, string> Collect(IDirectHeader header, int code, int capacity = 8)
    {
        var sink = new DictionarySink(RemotingCommand.NewExtFields(capacity));
        header.WriteFields(ref sink, code);
        return sink.Fields;
    }

    public void Add(string key, string? value)
    {
        if (value is not null) fields[key] = value;
    }

    public void Add(string key, long? value)
    {
        if (value is { } v) fields[key] = v.ToString(CultureInfo.InvariantCulture);
    }

    public void Add(string key, bool? value)
    {
        if (value is { } v) fields[key] = v ? "true" : "false";
    }
}

/// <summary>Counts the bytes of a header's binary entries (short keyLen, key, int valLen, value).</summary>
internal struct BinaryLengthSink : IExtFieldsSink
{
    public long Length;

    public void Add(string key, string? value)
    {
        if (value is not null) Length += Entry(key) + Encoding.UTF8.GetByteCount(value);
    }

    public void Add(string key, long? value)
    {
        if (value is not { } v) return;
        Span<byte> digits = stackalloc byte[20];
        v.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        Length += Entry(key) + written;
    }

    public void Add(string key, bool? value)
    {
        if (value is { } v) Length += Entry(key) + (v ? 4 : 5);
    }

    // An entry's bytes but its value: the two lengths and the key, which the short length must be able to hold.
    private static int Entry(string key)
    {
        var keyLength = Encoding.UTF8.GetByteCount(key);
        if (keyLength > short.MaxValue) throw new ArgumentException($"extFields key of {keyLength} bytes exceeds 32767", "command");
        return 6 + keyLength;
    }
}

/// <summary>Writes a header's binary entries into a span sized by <see cref="BinaryLengthSink"/>.</summary>
internal ref struct BinaryEntrySink(Span<byte> destination) : IExtFieldsSink
{
    private readonly Span<byte> _destination = destination;

    public int Written { get; private set; }

    public void Add(string key, string? value)
    {
        if (value is null) return;
        var at = Key(key);
        var length = Encoding.UTF8.GetBytes(value, _destination[(at + 4)..]);
        Value(at, length);
    }

    public void Add(string key, long? value)
    {
        if (value is not { } v) return;
        var at = Key(key);
        v.TryFormat(_destination[(at + 4)..], out var length, default, CultureInfo.InvariantCulture);
        Value(at, length);
    }

    public void Add(string key, bool? value)
    {
        if (value is not { } v) return;
        var at = Key(key);
        var text = v ? "true"u8 : "false"u8;
        text.CopyTo(_destination[(at + 4)..]);
        Value(at, text.Length);
    }

    // Writes keyLen and key; returns where the value length goes.
    private int Key(string key)
    {
        var length = Encoding.UTF8.GetBytes(key, _destination[(Written + 2)..]);
        BinaryPrimitives.WriteInt16BigEndian(_destination[Written..], (short)length);
        return Written + 2 + length;
    }

    private void Value(int at, int length)
    {
        BinaryPrimitives.WriteInt32BigEndian(_destination[at..], length);
        Written = at + 4 + length;
    }
}
