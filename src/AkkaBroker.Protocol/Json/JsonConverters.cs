using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AkkaBroker.Protocol.Json;

/// <summary>
/// Maps keyed by <c>int</c> or <c>long</c> (brokerAddrs' brokerId). fastjson writes such keys bare (<c>{0:"a"}</c>);
/// the name server must do the same for clients older than V4_9_4 (reference §6.2), so in bare mode the whole map is
/// written as raw text. Reading needs nothing special: <see cref="FastjsonText"/> has quoted the keys.
/// </summary>
internal sealed class IntegerKeyMapConverterFactory(bool bareKeys) : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(Dictionary<,>)
            && typeToConvert.GetGenericArguments()[0] is var key && (key == typeof(long) || key == typeof(int));

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options)
    {
        var arguments = typeToConvert.GetGenericArguments();
        var converterType = arguments[0] == typeof(long)
            ? typeof(LongKeyMapConverter<>).MakeGenericType(arguments[1])
            : typeof(IntKeyMapConverter<>).MakeGenericType(arguments[1]);
        return (JsonConverter)Activator.CreateInstance(converterType, [bareKeys])!;
    }

    private sealed class LongKeyMapConverter<TValue>(bool bareKeys) : IntegerKeyMapConverter<long, TValue>(bareKeys)
    {
        protected override bool TryParseKey(string text, out long key) =>
            long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out key);
    }

    private sealed class IntKeyMapConverter<TValue>(bool bareKeys) : IntegerKeyMapConverter<int, TValue>(bareKeys)
    {
        protected override bool TryParseKey(string text, out int key) =>
            int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out key);
    }
}

internal abstract class IntegerKeyMapConverter<TKey, TValue>(bool bareKeys) : JsonConverter<Dictionary<TKey, TValue>>
    where TKey : struct, IFormattable
{
    protected abstract bool TryParseKey(string text, out TKey key);

    public override Dictionary<TKey, TValue> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException($"expected an object for a map, got {reader.TokenType}");
        var map = new Dictionary<TKey, TValue>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            if (!TryParseKey(name, out var key)) throw new JsonException($"map key '{name}' is not an integer");
            reader.Read();
            map[key] = JsonSerializer.Deserialize<TValue>(ref reader, options) ?? throw new JsonException("a map value is null");
        }

        return map;
    }

    public override void Write(Utf8JsonWriter writer, Dictionary<TKey, TValue> value, JsonSerializerOptions options)
    {
        if (!bareKeys)
        {
            writer.WriteStartObject();
            foreach (var (key, item) in value)
            {
                writer.WritePropertyName(key.ToString(null, CultureInfo.InvariantCulture));
                JsonSerializer.Serialize(writer, item, options);
            }

            writer.WriteEndObject();
            return;
        }

        var text = new StringBuilder("{");
        foreach (var (key, item) in value)
        {
            if (text.Length > 1) text.Append(',');
            text.Append(key.ToString(null, CultureInfo.InvariantCulture)).Append(':').Append(JsonSerializer.Serialize(item, options));
        }

        writer.WriteRawValue(text.Append('}').ToString(), skipInputValidation: true);
    }
}

/// <summary>
/// Maps keyed by <see cref="MessageQueue"/> (ConsumeStats.offsetTable). Java has no string form for such a key, so
/// fastjson writes the key object itself: <c>{{"brokerName":"b","queueId":0,"topic":"T"}:{…}}</c>. That is what Java's
/// admin tools parse, so it is always written that way; reading takes the key text that <see cref="FastjsonText"/>
/// turned into a string.
/// </summary>
internal sealed class MessageQueueKeyMapConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(Dictionary<,>)
            && typeToConvert.GetGenericArguments()[0] == typeof(MessageQueue);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert.GetGenericArguments()[1]))!;

    private sealed class Converter<TValue> : JsonConverter<Dictionary<MessageQueue, TValue>>
    {
        public override Dictionary<MessageQueue, TValue> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException($"expected an object for a map, got {reader.TokenType}");
            var map = new Dictionary<MessageQueue, TValue>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var keyText = reader.GetString()!;
                var key = JsonSerializer.Deserialize<MessageQueue>(FastjsonText.QuoteKeys(Encoding.UTF8.GetBytes(keyText)), options)
                    ?? throw new JsonException("a MessageQueue map key is null");
                reader.Read();
                map[key] = JsonSerializer.Deserialize<TValue>(ref reader, options) ?? throw new JsonException("a map value is null");
            }

            return map;
        }

        public override void Write(Utf8JsonWriter writer, Dictionary<MessageQueue, TValue> value, JsonSerializerOptions options)
        {
            var text = new StringBuilder("{");
            foreach (var (key, item) in value)
            {
                if (text.Length > 1) text.Append(',');
                text.Append(JsonSerializer.Serialize(key, options)).Append(':').Append(JsonSerializer.Serialize(item, options));
            }

            writer.WriteRawValue(text.Append('}').ToString(), skipInputValidation: true);
        }
    }
}

/// <summary>Strings that fastjson would also accept as a number or boolean token (reference §6.2 item 5).</summary>
internal sealed class LenientStringConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        _ => throw new JsonException($"expected a string, got {reader.TokenType}"),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetString()!;

    public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value);
}

/// <summary>Booleans that arrive as <c>"true"</c>/<c>"false"</c> or 0/1, as fastjson accepts them.</summary>
internal sealed class LenientBooleanConverter : JsonConverter<bool>
{
    public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True:
                return true;
            case JsonTokenType.False:
                return false;
            case JsonTokenType.Number when reader.TryGetInt64(out var number):
                return number != 0;
            case JsonTokenType.String:
                var text = reader.GetString();
                if (bool.TryParse(text, out var parsed)) return parsed;
                if (text is "0" or "1") return text == "1";
                break;
        }

        throw new JsonException($"expected a boolean, got {reader.TokenType}");
    }

    public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
}

/// <summary>
/// RocketMQ enums: written by name (<c>CONSUME_PASSIVELY</c>), read by name or by Java ordinal as fastjson allows;
/// the members are declared in Java's order so ordinals agree, and an ordinal Java does not define is rejected.
/// </summary>
internal sealed class RocketMqEnumConverter<TEnum> : JsonConverter<TEnum>
    where TEnum : struct, Enum
{
    private JsonConverter<TEnum>? _byName;

    public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number) return ByName(options).Read(ref reader, typeToConvert, options);
        if (reader.TryGetInt32(out var ordinal) && Enum.IsDefined(typeof(TEnum), ordinal)) return (TEnum)Enum.ToObject(typeof(TEnum), ordinal);
        throw new JsonException($"{typeof(TEnum).Name} has no ordinal {Encoding.UTF8.GetString(reader.ValueSpan)}");
    }

    public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) => ByName(options).Write(writer, value, options);

    private JsonConverter<TEnum> ByName(JsonSerializerOptions options) =>
        _byName ??= (JsonConverter<TEnum>)new JsonStringEnumConverter<TEnum>(namingPolicy: null, allowIntegerValues: false).CreateConverter(typeof(TEnum), options);
}
