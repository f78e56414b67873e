using System.Text.Json;
using System.Text.Json.Serialization;

namespace AkkaBroker.Protocol.Json;

/// <summary>
/// Writes and reads the JSON bodies of remoting commands (reference §6). Writing: compact, RocketMQ's key names and
/// fastjson's alphabetical key order (the body types declare their properties in that order), nulls left out, enums by
/// name. Reading is as lenient as fastjson: bare and object map keys, unknown fields, numbers and booleans given as
/// strings (and strings given as numbers), key names in any case, comments and trailing commas.
/// </summary>
public static class RemotingJson
{
    private static readonly JsonSerializerOptions Standard = CreateOptions(bareIntegerKeys: false);
    private static readonly JsonSerializerOptions Fastjson = CreateOptions(bareIntegerKeys: true);

    /// <summary>The client version (V4_9_4) from which a name server answers with standard JSON (reference §6.2).</summary>
    public const int StandardJsonMinVersion = 397;

    /// <summary>
    /// Whether a name server's reply body must use fastjson's bare integer keys: the request's <c>version</c> is below
    /// <see cref="StandardJsonMinVersion"/> and its <c>acceptStandardJsonOnly</c> extField is not true. ali-ons sends 121.
    /// </summary>
    public static bool NeedsBareIntegerKeys(int requestVersion, bool acceptStandardJsonOnly) =>
        requestVersion < StandardJsonMinVersion && !acceptStandardJsonOnly;

    /// <summary>
    /// Serializes a body to UTF-8 JSON. With <paramref name="bareIntegerKeys"/> the keys of integer-keyed maps
    /// (brokerAddrs) are written unquoted, <c>{0:"ip:port"}</c>, as fastjson writes them: what a name server sends to
    /// clients whose request version is below 397 (V4_9_4) unless they asked for <c>acceptStandardJsonOnly</c>
    /// (reference §6.2). Maps keyed by <see cref="MessageQueue"/> always use fastjson's object keys, as RocketMQ does.
    /// </summary>
    public static byte[] Serialize<T>(T body, bool bareIntegerKeys = false) =>
        JsonSerializer.SerializeToUtf8Bytes(body, bareIntegerKeys ? Fastjson : Standard);

    /// <summary>
    /// Parses a body written by RocketMQ (fastjson), ali-ons (<c>JSON.stringify</c>) or <see cref="Serialize{T}"/>.
    /// Never throws on bad input: returns false with <paramref name="error"/> saying what is wrong (malformed JSON, a
    /// value of the wrong type, an unknown enum name, a null where a value is needed, or a null body).
    /// </summary>
    public static bool TryDeserialize<T>(ReadOnlySpan<byte> json, out T? body, out string? error)
        where T : class
    {
        body = null;
        try
        {
            var quoted = FastjsonText.QuoteKeysIfAny(json);
            body = quoted is null ? JsonSerializer.Deserialize<T>(json, Standard) : JsonSerializer.Deserialize<T>(quoted, Standard);
        }
        catch (JsonException e)
        {
            error = $"bad {typeof(T).Name} body: {e.Message}";
            return false;
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            // Converters surface some malformed values (an out-of-range enum ordinal, a key that is not an object)
            // as these rather than as JsonException; they are still just a bad body.
            error = $"bad {typeof(T).Name} body: {e.Message}";
            return false;
        }

        if (body is null)
        {
            error = $"the {typeof(T).Name} body is null";
            return false;
        }

        error = null;
        return true;
    }

    private static JsonSerializerOptions CreateOptions(bool bareIntegerKeys)
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            RespectNullableAnnotations = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
            PropertyNameCaseInsensitive = true,
        };
        options.Converters.Add(new IntegerKeyMapConverterFactory(bareIntegerKeys));
        options.Converters.Add(new MessageQueueKeyMapConverterFactory());
        options.Converters.Add(new NoNullCollectionConverterFactory());
        options.Converters.Add(new LenientStringConverter());
        options.Converters.Add(new LenientBooleanConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
