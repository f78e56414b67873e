using System.Buffers.Binary;
using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace AkkaBroker.Protocol.Remoting;

/// <summary>
/// The extFields of a ROCKETMQ binary header, kept as their wire entries (short keyLen, key, int valLen, value) until
/// someone asks for a dictionary. Typed headers read their fields straight from the bytes: a send request's 14
/// fields used to cost a 16-slot dictionary and a string per value, about 1 KB a message on each side of every send.
/// The entries are checked when the frame is read, by the same walk that later finds fields in them.
/// Read-only and thread-safe; a later entry of the same key wins, as it does when the entries fill a dictionary.
/// </summary>
internal sealed class RawExtFields : IReadOnlyDictionary<string, string>
{
    private readonly byte[] _entries;

    private RawExtFields(byte[] entries, int count)
    {
        _entries = entries;
        Count = count;
    }

    /// <summary>Entries on the wire (a repeated key counts each time).</summary>
    public int Count { get; }

    /// <summary>
    /// Checks that <paramref name="entries"/> are whole entries that fill it exactly and copies them; null with an
    /// error naming what overruns otherwise.
    /// </summary>
    public static RawExtFields? TryCreate(ReadOnlySpan<byte> entries, out string? error)
    {
        var rest = entries;
        var count = 0;
        while (!rest.IsEmpty)
        {
            if (!TryTake(ref rest, out _, out _, out error)) return null;
            count++;
        }

        error = null;
        return new RawExtFields(entries.ToArray(), count);
    }

    /// <summary>The UTF-8 value of the last entry named <paramref name="key"/>.</summary>
    public bool TryGetUtf8(string key, out ReadOnlySpan<byte> value)
    {
        value = default;
        var found = false;
        ReadOnlySpan<byte> rest = _entries;
        while (TryTake(ref rest, out var name, out var entryValue, out _))
        {
            if (!KeyEquals(name, key)) continue;
            value = entryValue;
            found = true;
        }

        return found;
    }

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        if (TryGetUtf8(key, out var utf8))
        {
            value = Encoding.UTF8.GetString(utf8);
            return true;
        }

        value = null;
        return false;
    }

    /// <inheritdoc />
    public bool ContainsKey(string key) => TryGetUtf8(key, out _);

    /// <inheritdoc />
    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no extFields entry {key}");

    /// <summary>The entries as a dictionary (interned keys, a later entry of a key replacing an earlier one).</summary>
    public Dictionary<string, string> ToDictionary()
    {
        var fields = RemotingCommand.NewExtFields(Count);
        ReadOnlySpan<byte> rest = _entries;
        while (TryTake(ref rest, out var key, out var value, out _)) fields[HeaderKeys.Intern(key)] = Encoding.UTF8.GetString(value);
        return fields;
    }

    // Enumerating is for the rare reader that wants everything; it goes through a dictionary so that a repeated key
    // shows once, with its last value.
    /// <inheritdoc />
    public IEnumerable<string> Keys => ToDictionary().Keys;

    /// <inheritdoc />
    public IEnumerable<string> Values => ToDictionary().Values;

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ToDictionary().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // Takes the entry at the start of rest (short keyLen, key, int valLen, value) and moves past it; false at the end,
    // or with an error naming what overruns. The one place that knows the layout on the way in.
    private static bool TryTake(scoped ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value, out string? error)
    {
        key = value = default;
        error = null;
        if (rest.IsEmpty) return false;
        if (rest.Length < 2)
        {
            error = $"extFields entry truncated: {rest.Length} byte(s) where a key length is expected";
            return false;
        }

        int keyLength = BinaryPrimitives.ReadInt16BigEndian(rest);
        if (keyLength < 0 || keyLength > rest.Length - 2 - 4)
        {
            error = $"extFields key length {keyLength} overruns the {rest.Length - 2} bytes left";
            return false;
        }

        key = rest.Slice(2, keyLength);
        var valueLength = BinaryPrimitives.ReadInt32BigEndian(rest[(2 + keyLength)..]);
        var left = rest.Length - 2 - keyLength - 4;
        if (valueLength < 0 || valueLength > left)
        {
            error = $"extFields.{HeaderKeys.Intern(key)}: value length {valueLength} overruns the {left} bytes left";
            return false;
        }

        value = rest.Slice(2 + keyLength + 4, valueLength);
        rest = rest[(2 + keyLength + 4 + valueLength)..];
        return true;
    }

    // Keys are ASCII in every header RocketMQ defines; anything else is compared through its UTF-8 encoding.
    private static bool KeyEquals(ReadOnlySpan<byte> utf8, string key)
    {
        if (utf8.Length == key.Length && Ascii.Equals(utf8, key)) return true;
        return !Ascii.IsValid(key) && utf8.SequenceEqual(Encoding.UTF8.GetBytes(key));
    }
}
