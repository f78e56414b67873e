using System.Buffers.Binary;
using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace AkkaBroker.Protocol.Remoting;

/// <summary>
/// The extFields of a ROCKETMQ binary header, kept as their wire entries (short keyLen, key, int valLen, value) until
/// someone asks for a dictionary. Typed headers read their fields straight from the bytes: a send request's 14
/// fields used to cost a 16-slot dictionary and a string per value, about 1 KB a message on each side of every send.
/// The entries were checked when the frame was read, so walking them needs no bounds checks beyond the span's own.
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
        error = null;
        var rest = entries;
        var count = 0;
        while (!rest.IsEmpty)
        {
            if (rest.Length < 2)
            {
                error = $"extFields entry truncated: {rest.Length} byte(s) where a key length is expected";
                return null;
            }

            int keyLength = BinaryPrimitives.ReadInt16BigEndian(rest);
            if (keyLength < 0 || keyLength > rest.Length - 2 - 4)
            {
                error = $"extFields key length {keyLength} overruns the {rest.Length - 2} bytes left";
                return null;
            }

            var valueLength = BinaryPrimitives.ReadInt32BigEndian(rest[(2 + keyLength)..]);
            rest = rest[(2 + keyLength + 4)..];
            if (valueLength < 0 || valueLength > rest.Length)
            {
                error = $"extFields.{HeaderKeys.Intern(entries.Slice(entries.Length - rest.Length - 4 - keyLength, keyLength))}: " +
                        $"value length {valueLength} overruns the {rest.Length} bytes left";
                return null;
            }

            rest = rest[valueLength..];
            count++;
        }

        return new RawExtFields(entries.ToArray(), count);
    }

    /// <summary>The UTF-8 value of the last entry named <paramref name="key"/>.</summary>
    public bool TryGetUtf8(string key, out ReadOnlySpan<byte> value)
    {
        value = default;
        var found = false;
        ReadOnlySpan<byte> rest = _entries;
        while (!rest.IsEmpty)
        {
            int keyLength = BinaryPrimitives.ReadInt16BigEndian(rest);
            var name = rest.Slice(2, keyLength);
            var valueLength = BinaryPrimitives.ReadInt32BigEndian(rest[(2 + keyLength)..]);
            var start = 2 + keyLength + 4;
            if (KeyEquals(name, key))
            {
                value = rest.Slice(start, valueLength);
                found = true;
            }

            rest = rest[(start + valueLength)..];
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
        while (!rest.IsEmpty)
        {
            int keyLength = BinaryPrimitives.ReadInt16BigEndian(rest);
            var key = HeaderKeys.Intern(rest.Slice(2, keyLength));
            var valueLength = BinaryPrimitives.ReadInt32BigEndian(rest[(2 + keyLength)..]);
            var start = 2 + keyLength + 4;
            fields[key] = Encoding.UTF8.GetString(rest.Slice(start, valueLength));
            rest = rest[(start + valueLength)..];
        }

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

    // Keys are ASCII in every header RocketMQ defines; anything else is compared through its UTF-8 encoding.
    private static bool KeyEquals(ReadOnlySpan<byte> utf8, string key)
    {
        if (utf8.Length == key.Length && Ascii.Equals(utf8, key)) return true;
        return !Ascii.IsValid(key) && utf8.SequenceEqual(Encoding.UTF8.GetBytes(key));
    }
}
