using System.Text.Json;
using System.Text.Json.Serialization;
using AkkaBroker.Protocol.Json;

namespace AkkaBroker.Store.Config;

/// <summary>
/// JSON handling shared by the config documents (reference §5.4, §6.2): written as standard JSON, keys in
/// RocketMQ's names and order, pretty-printed with tabs like fastjson's persist (compact for wire bodies); read
/// tolerantly: bare integer keys, unknown fields, numbers in strings, comments and trailing commas are accepted.
/// </summary>
public static class ConfigJson
{
    /// <summary>Options for files (tab-indented).</summary>
    public static readonly JsonSerializerOptions Pretty = new()
    {
        WriteIndented = true,
        IndentCharacter = '\t',
        IndentSize = 1,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Options for wire bodies (compact).</summary>
    public static readonly JsonSerializerOptions Compact = new(Pretty) { WriteIndented = false };

    /// <summary>Parses a document as fastjson or we wrote it.</summary>
    /// <exception cref="JsonException">Not valid JSON even after quoting bare keys, or null.</exception>
    public static T Parse<T>(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<T>(FastjsonText.QuoteKeys(json), Pretty) ?? throw new JsonException($"the {typeof(T).Name} document is null");

    /// <summary>Serializes a document, pretty (files) or compact (wire).</summary>
    public static byte[] ToJson<T>(T document, bool pretty) => JsonSerializer.SerializeToUtf8Bytes(document, pretty ? Pretty : Compact);

    /// <summary>Loads a document file (with <c>.bak</c> fallback, see <see cref="ConfigFile.Load{T}"/>); a new document when neither copy exists.</summary>
    public static ConfigLoadResult<T> Load<T>(string path)
        where T : new() => ConfigFile.Load(path, static bytes => Parse<T>(bytes), static () => new T());

    /// <summary>Writes a document file atomically, pretty-printed.</summary>
    public static void Save<T>(string path, T document) => ConfigFile.WriteAtomically(path, ToJson(document, pretty: true));
}

/// <summary>
/// <c>config/topics.json</c>: every topic's configuration. The entry types (<see cref="TopicConfig"/>,
/// <see cref="DataVersion"/>) are the wire bodies' own, so the file and GET_ALL_TOPIC_CONFIG agree.
/// </summary>
public sealed class TopicConfigTable
{
    /// <summary>The file name under <c>config/</c>.</summary>
    public const string FileName = "topics.json";

    /// <summary>Version of the table.</summary>
    public DataVersion DataVersion { get; set; } = new();

    /// <summary>Topics by name.</summary>
    [JsonPropertyName("topicConfigTable")]
    public Dictionary<string, TopicConfig> Topics { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One consumer group's configuration (RocketMQ's <c>SubscriptionGroupConfig</c>), with its defaults.</summary>
public sealed class SubscriptionGroupConfig
{
    /// <summary>Broker id the group reads from.</summary>
    public long BrokerId { get; set; }

    /// <summary>Whether broadcast consumption is allowed.</summary>
    public bool ConsumeBroadcastEnable { get; set; } = true;

    /// <summary>Whether the group may consume.</summary>
    public bool ConsumeEnable { get; set; } = true;

    /// <summary>Whether a new group starts from the minimum offset.</summary>
    public bool ConsumeFromMinEnable { get; set; } = true;

    /// <summary>The group's name.</summary>
    public string GroupName { get; set; } = "";

    /// <summary>Whether members are told when membership changes.</summary>
    public bool NotifyConsumerIdsChangedEnable { get; set; } = true;

    /// <summary>Redeliveries before a message goes to the DLQ.</summary>
    public int RetryMaxTimes { get; set; } = 16;

    /// <summary>Queues of the group's retry topic.</summary>
    public int RetryQueueNums { get; set; } = 1;

    /// <summary>Broker id suggested when the group consumes slowly.</summary>
    public long WhichBrokerWhenConsumeSlowly { get; set; } = 1;
}

/// <summary><c>config/subscriptionGroup.json</c>: every consumer group's configuration.</summary>
public sealed class SubscriptionGroupTable
{
    /// <summary>The file name under <c>config/</c>.</summary>
    public const string FileName = "subscriptionGroup.json";

    /// <summary>Version of the table.</summary>
    public DataVersion DataVersion { get; set; } = new();

    /// <summary>Groups by name.</summary>
    [JsonPropertyName("subscriptionGroupTable")]
    public Dictionary<string, SubscriptionGroupConfig> Groups { get; set; } = new(StringComparer.Ordinal);
}

/// <summary><c>config/consumerOffset.json</c>: committed consumer offsets by <c>topic@group</c>, then queue id.</summary>
public sealed class ConsumerOffsetTable
{
    /// <summary>The file name under <c>config/</c>.</summary>
    public const string FileName = "consumerOffset.json";

    /// <summary>The separator of RocketMQ's <c>topic@group</c> keys.</summary>
    public const char KeySeparator = '@';

    /// <summary>Offsets: <c>topic@group</c> -&gt; queue id -&gt; next queue offset to consume.</summary>
    [JsonPropertyName("offsetTable")]
    public Dictionary<string, Dictionary<int, long>> Offsets { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The table key of a topic and a group.</summary>
    public static string KeyOf(string topic, string group) => topic + KeySeparator + group;
}

/// <summary><c>config/delayOffset.json</c>: per delay level, the next SCHEDULE_TOPIC_XXXX queue offset to deliver.</summary>
public sealed class DelayOffsetTable
{
    /// <summary>The file name under <c>config/</c>.</summary>
    public const string FileName = "delayOffset.json";

    /// <summary>Offsets by delay level (1-based).</summary>
    [JsonPropertyName("offsetTable")]
    public Dictionary<int, long> Offsets { get; set; } = [];
}

/// <summary>
/// The name server's <c>kvConfig.json</c>: Java's KVConfigSerializeWrapper, <c>{"configTable":{namespace:{key:value}}}</c>.
/// </summary>
public sealed class KvConfigDocument
{
    /// <summary>Values by namespace and key.</summary>
    [JsonPropertyName("configTable")]
    public Dictionary<string, Dictionary<string, string>> ConfigTable { get; set; } = new(StringComparer.Ordinal);
}
