using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AkkaBroker.Protocol.Remoting;

/// <summary>
/// The JSON header (reference §1.2). Written as Java's fastjson writes it: keys alphabetical, nulls left out,
/// serializeTypeCurrentRPC included, extFields values as strings, non-ASCII text unescaped. Read leniently where
/// fastjson is (scalar extFields values, unknown keys, language by name or ordinal) and strictly everywhere else.
/// </summary>
internal static class JsonHeaderCodec
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 16 };
    private static readonly string[] LanguageNames = Enum.GetNames<LanguageCode>();

    // One header buffer per thread: the frame prefix needs the header's length before the header is copied out.
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    public static int WriteFramePrefixAndHeader(RemotingCommand command, IBufferWriter<byte> output)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);

        writer.WriteStartObject();
        writer.WriteNumber("code"u8, command.Code);
        if (command.ExtFields is { Count: > 0 } ext)
        {
            writer.WriteStartObject("extFields"u8);
            foreach (var (key, value) in ext) writer.WriteString(key, value);
            writer.WriteEndObject();
        }

        writer.WriteNumber("flag"u8, command.Flag);
        writer.WriteString("language"u8, LanguageName(command.Language));
        writer.WriteNumber("opaque"u8, command.Opaque);
        if (command.Remark is { } remark) writer.WriteString("remark"u8, remark);
        writer.WriteString("serializeTypeCurrentRPC"u8, "JSON"u8);
        writer.WriteNumber("version"u8, command.Version);
        writer.WriteEndObject();
        writer.Flush();

        var header = buffer.WrittenSpan;
        var destination = output.GetSpan(RemotingCodec.PrefixLength + header.Length);
        RemotingCodec.WritePrefix(destination, SerializeType.Json, header.Length, command.Body.Length);
        header.CopyTo(destination[RemotingCodec.PrefixLength..]);
        output.Advance(RemotingCodec.PrefixLength + header.Length);
        if (buffer.Capacity > 64 * 1024) t_buffer = null; // a one-off huge remark must not pin memory on the thread
        return RemotingCodec.PrefixLength + header.Length;
    }

    private static string LanguageName(LanguageCode language) =>
        (uint)language < (uint)LanguageNames.Length ? LanguageNames[(int)language] : nameof(LanguageCode.OTHER);

    public static RemotingCommand? TryRead(ReadOnlySpan<byte> header, out string? error)
    {
        try
        {
            var reader = new Utf8JsonReader(header, ReaderOptions);
            return Read(ref reader, out error);
        }
        catch (JsonException e)
        {
            error = InvalidJson(e);
        }
        catch (InvalidOperationException e) // invalid UTF-8 inside a string token
        {
            error = InvalidJson(e);
        }

        return null;
    }

    private static RemotingCommand? Read(ref Utf8JsonReader reader, out string? error)
    {
        error = null;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            error = "the JSON header is not an object";
            return null;
        }

        var command = new RemotingCommand();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("code"u8)) command.Code = ReadInt(ref reader, "code", ref error);
            else if (reader.ValueTextEquals("opaque"u8)) command.Opaque = ReadInt(ref reader, "opaque", ref error);
            else if (reader.ValueTextEquals("flag"u8)) command.Flag = ReadInt(ref reader, "flag", ref error);
            else if (reader.ValueTextEquals("version"u8)) command.Version = ReadInt(ref reader, "version", ref error);
            else if (reader.ValueTextEquals("language"u8)) command.Language = ReadLanguage(ref reader, ref error);
            else if (reader.ValueTextEquals("remark"u8)) command.Remark = ReadRemark(ref reader, ref error);
            else if (reader.ValueTextEquals("extFields"u8)) command.ExtFields = ReadExtFields(ref reader, ref error);
            else
            {
                reader.Read();
                reader.Skip();
            }

            if (error is not null) return null;
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            error = "invalid JSON header: content after the header object";
            return null;
        }

        return command;
    }

    // System.Text.Json quotes the rest of a bad literal, which can be most of a 16 MiB header.
    private static string InvalidJson(Exception e) =>
        "invalid JSON header: " + (e.Message.Length <= 300 ? e.Message : string.Concat(e.Message.AsSpan(0, 300), "..."));

    private static int ReadInt(ref Utf8JsonReader reader, string name, ref string? error)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value)) return value;
        error = $"{name}: expected a 32-bit integer, got {Describe(ref reader)}";
        return 0;
    }

    private static LanguageCode ReadLanguage(ref Utf8JsonReader reader, ref string? error)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                for (var i = 0; i < LanguageNames.Length; i++)
                {
                    if (reader.ValueTextEquals(LanguageNames[i])) return (LanguageCode)i;
                }

                return LanguageCode.OTHER; // newer clients' languages (NODE_JS ...) must not be refused
            case JsonTokenType.Number when reader.TryGetInt32(out var ordinal):
                return (uint)ordinal < (uint)LanguageNames.Length ? (LanguageCode)ordinal : LanguageCode.OTHER;
            case JsonTokenType.Null:
                return LanguageCode.OTHER;
            default:
                error = $"language: expected a string, got {Describe(ref reader)}";
                return default;
        }
    }

    private static string? ReadRemark(ref Utf8JsonReader reader, ref string? error)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String) return reader.GetString();
        if (reader.TokenType != JsonTokenType.Null) error = $"remark: expected a string, got {Describe(ref reader)}";
        return null;
    }

    private static Dictionary<string, string>? ReadExtFields(ref Utf8JsonReader reader, ref string? error)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            error = $"extFields: expected an object, got {Describe(ref reader)}";
            return null;
        }

        var fields = RemotingCommand.NewExtFields(RemotingCodec.DecodedExtFieldsCapacity);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = HeaderKeys.Read(ref reader);
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    fields[key] = reader.GetString()!;
                    break;
                case JsonTokenType.Number: // ali-ons sends JS numbers; their literal text is Java's toString for integers
                    fields[key] = Encoding.UTF8.GetString(reader.ValueSpan);
                    break;
                case JsonTokenType.True:
                    fields[key] = "true";
                    break;
                case JsonTokenType.False:
                    fields[key] = "false";
                    break;
                case JsonTokenType.Null: // fastjson keeps the null, and a null header field reads as absent
                    fields.Remove(key);
                    break;
                default:
                    error = $"extFields.{key}: expected a string, number or boolean, got {Describe(ref reader)}";
                    return null;
            }
        }

        return fields;
    }

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "the number " + Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        var other => other.ToString(),
    };
}
