using System.Text.Json;
using System.Text.Json.Serialization;

namespace AkkaBroker.Protocol.Json;

/// <summary>
/// Lists and string-keyed maps of reference types that refuse null elements. System.Text.Json checks nullability of
/// properties but not of collection elements, and fastjson never writes a null element, so <c>[null]</c> in a body is
/// malformed input: rejecting it here spares every processor a null check.
/// </summary>
internal sealed class NoNullCollectionConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert)
    {
        if (!typeToConvert.IsGenericType) return false;
        var definition = typeToConvert.GetGenericTypeDefinition();
        var arguments = typeToConvert.GetGenericArguments();
        if (definition == typeof(List<>)) return !arguments[0].IsValueType;
        return definition == typeof(Dictionary<,>) && arguments[0] == typeof(string) && !arguments[1].IsValueType;
    }

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options)
    {
        var arguments = typeToConvert.GetGenericArguments();
        var converterType = typeToConvert.GetGenericTypeDefinition() == typeof(List<>)
            ? typeof(ListConverter<>).MakeGenericType(arguments[0])
            : typeof(MapConverter<>).MakeGenericType(arguments[1]);
        return (JsonConverter)Activator.CreateInstance(converterType)!;
    }

    private sealed class ListConverter<T> : JsonConverter<List<T>>
        where T : class
    {
        public override List<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException($"expected an array, got {reader.TokenType}");
            var list = new List<T>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                list.Add(JsonSerializer.Deserialize<T>(ref reader, options) ?? throw new JsonException("an array element is null"));
            return list;
        }

        public override void Write(Utf8JsonWriter writer, List<T> value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var item in value) JsonSerializer.Serialize(writer, item, options);
            writer.WriteEndArray();
        }
    }

    private sealed class MapConverter<TValue> : JsonConverter<Dictionary<string, TValue>>
        where TValue : class
    {
        public override Dictionary<string, TValue> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException($"expected an object for a map, got {reader.TokenType}");
            var map = new Dictionary<string, TValue>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var key = reader.GetString()!;
                reader.Read();
                map[key] = JsonSerializer.Deserialize<TValue>(ref reader, options) ?? throw new JsonException($"the value of map key '{key}' is null");
            }

            return map;
        }

        public override void Write(Utf8JsonWriter writer, Dictionary<string, TValue> value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            foreach (var (key, item) in value)
            {
                writer.WritePropertyName(key);
                JsonSerializer.Serialize(writer, item, options);
            }

            writer.WriteEndObject();
        }
    }
}
