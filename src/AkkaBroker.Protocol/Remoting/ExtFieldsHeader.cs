using System.Globalization;
using System.Numerics;
using System.Text;

namespace AkkaBroker.Protocol.Remoting;

/// <summary>
/// A custom header carried in a command's extFields (reference §3), converted both ways as Java does: every value a
/// string (<c>toString()</c> of the field), null fields left out.
/// </summary>
/// <typeparam name="TSelf">The header type.</typeparam>
public interface IExtFieldsHeader<TSelf> where TSelf : class, IExtFieldsHeader<TSelf>
{
    /// <summary>
    /// Reads the header; null with an error naming the field ("missing required field topic",
    /// "queueId: 'x' is not an integer") when a required field is missing or a value does not parse.
    /// </summary>
    static abstract TSelf? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error);

    /// <summary>The header as extFields, ready for <see cref="RemotingCommand.ExtFields"/>.</summary>
    Dictionary<string, string> ToExtFields();
}

/// <summary>Reading typed headers from commands.</summary>
public static class ExtFieldsHeader
{
    private static readonly Dictionary<string, string> Empty = new(StringComparer.Ordinal);

    /// <summary>Reads <typeparamref name="T"/> from the command's extFields (none reads as empty).</summary>
    public static T? ReadHeader<T>(this RemotingCommand command, out string? error) where T : class, IExtFieldsHeader<T> =>
        T.FromExtFields(command.ExtFieldsView ?? Empty, out error);

    /// <summary>Sets the command's extFields from <paramref name="header"/>, keeping entries already present.</summary>
    public static void WriteHeader<T>(this RemotingCommand command, T header) where T : class, IExtFieldsHeader<T>
    {
        if (header is IDirectHeader direct && command.ExtFieldsView is null)
        {
            command.SetHeader(direct);
            return;
        }

        var fields = header.ToExtFields();
        if (command.ExtFields is null)
        {
            command.ExtFields = fields;
            return;
        }

        foreach (var (key, value) in fields) command.ExtFields[key] = value;
    }
}

/// <summary>Parses header fields with Java's rules (parseInt/parseLong, Boolean.parseBoolean); the first error wins.</summary>
internal struct ExtFieldsReader(IReadOnlyDictionary<string, string> fields)
{
    public string? Error { get; private set; }

    /// <summary>Returns <paramref name="header"/> when every field parsed, else null and the first error.</summary>
    public readonly T? Finish<T>(T header, out string? error) where T : class
    {
        error = Error;
        return Error is null ? header : null;
    }

    public string String(string key, string? label = null)
    {
        if (fields.TryGetValue(key, out var value)) return value;
        Error ??= $"missing required field {label ?? key}";
        return "";
    }

    public readonly string? OptionalString(string key) => fields.GetValueOrDefault(key);

    public int Int(string key, string? label = null) => OptionalInt(key, label) ?? Missing<int>(key, label);

    public int? OptionalInt(string key, string? label = null) => Optional<int>(key, label, "an integer");

    public long Long(string key, string? label = null) => OptionalLong(key, label) ?? Missing<long>(key, label);

    public long? OptionalLong(string key, string? label = null) => Optional<long>(key, label, "a long integer");

    /// <summary>Java's Boolean.parseBoolean: "true" in any case is true, anything else false; absent gives null.</summary>
    public readonly bool? OptionalBool(string key)
    {
        if (fields is RawExtFields raw) return raw.TryGetUtf8(key, out var utf8) ? Ascii.EqualsIgnoreCase(utf8, "true"u8) : null;
        return fields.TryGetValue(key, out var text) ? string.Equals(text, "true", StringComparison.OrdinalIgnoreCase) : null;
    }

    // Numbers of a binary-decoded header parse from their UTF-8 bytes, with no string unless they fail to.
    private T? Optional<T>(string key, string? label, string what) where T : struct, INumberBase<T>
    {
        T value;
        string? text;
        if (fields is RawExtFields raw)
        {
            if (!raw.TryGetUtf8(key, out var utf8)) return null;
            if (T.TryParse(utf8, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value)) return value;
            text = Encoding.UTF8.GetString(utf8);
        }
        else
        {
            if (!fields.TryGetValue(key, out text)) return null;
            if (T.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value)) return value;
        }

        Error ??= $"{label ?? key}: '{text}' is not {what}";
        return T.Zero;
    }

    private T Missing<T>(string key, string? label) where T : struct
    {
        Error ??= $"missing required field {label ?? key}";
        return default;
    }
}

/// <summary>Builds extFields as Java writes them: invariant numbers, "true"/"false", nulls left out.</summary>
internal readonly struct ExtFieldsWriter(int capacity)
{
    public ExtFieldsWriter()
        : this(8)
    {
    }

    public Dictionary<string, string> Fields { get; } = RemotingCommand.NewExtFields(capacity);

    public ExtFieldsWriter Add(string key, string? value)
    {
        new DictionarySink(Fields).Add(key, value);
        return this;
    }

    public ExtFieldsWriter Add(string key, long? value)
    {
        new DictionarySink(Fields).Add(key, value);
        return this;
    }

    public ExtFieldsWriter Add(string key, bool? value)
    {
        new DictionarySink(Fields).Add(key, value);
        return this;
    }
}
