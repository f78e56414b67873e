using AkkaBroker.Common.Naming;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Store.Config;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Broker.Topics;

/// <summary>
/// The broker's topic table (RocketMQ's TopicConfigManager): loaded from <c>config/topics.json</c>, completed with
/// the system topics and the topics declared in HOCON, changed by auto-creation, heartbeats (retry topics) and
/// admin requests, and saved atomically after every change. Reads are lock-free on every thread (send and pull
/// look a topic up per request); changes are rare and serialised by one gate. Entries are never mutated in place:
/// a change replaces the <see cref="TopicConfig"/>, so a reader holding one sees a consistent value.
/// </summary>
public sealed class TopicConfigManager
{
    private readonly VersionedConfigTable<TopicConfig, TopicConfigTable> _topics;
    private readonly BrokerSettings _settings;
    private readonly ILogger _log;

    private TopicConfigManager(VersionedConfigTable<TopicConfig, TopicConfigTable> topics, BrokerSettings settings, ILogger log)
    {
        _topics = topics;
        _settings = settings;
        _log = log;
    }

    /// <summary>Called after every change (the registrar re-registers with the name servers).</summary>
    public event Action? Changed;

    /// <summary>Every topic.</summary>
    public IEnumerable<TopicConfig> All => _topics.Values;

    /// <summary>How many topics there are.</summary>
    public int Count => _topics.Count;

    /// <summary>
    /// Loads <c>topics.json</c> from <paramref name="configDir"/> and adds the system topics and the declared ones
    /// that are missing (a declared topic already present keeps its stored settings, since admin changes win).
    /// </summary>
    /// <exception cref="Store.StoreCorruptException">Both topics.json and its backup are unreadable.</exception>
    public static TopicConfigManager Load(string configDir, BrokerSettings settings, int delayLevelCount, ILogger log, TimeProvider? clock = null)
    {
        var path = Path.Combine(configDir, TopicConfigTable.FileName);
        var loaded = ConfigJson.Load<TopicConfigTable>(path);
        if (loaded.Problem is not null) log.LogWarning("topics.json unreadable ({Problem}); using its backup", loaded.Problem);
        var topics = new VersionedConfigTable<TopicConfig, TopicConfigTable>(path, loaded.Value.DataVersion, Document, log, clock ?? TimeProvider.System);
        foreach (var (name, config) in loaded.Value.Topics)
        {
            config.TopicName = name;
            topics.Load(name, config);
        }

        var changed = false;
        foreach (var system in SystemTopicConfigs(settings, delayLevelCount)) changed |= topics.LoadIfMissing(system.TopicName, system);
        foreach (var declared in settings.Topics)
        {
            if (topics.Contains(declared.Name)) continue;
            topics.Load(declared.Name, new TopicConfig
            {
                TopicName = declared.Name, ReadQueueNums = declared.ReadQueueNums, WriteQueueNums = declared.WriteQueueNums,
                Perm = declared.Perm, Order = declared.Order,
            });
            log.LogInformation("Created declared topic {Topic} ({Write} write / {Read} read queues)", declared.Name, declared.WriteQueueNums, declared.ReadQueueNums);
            changed = true;
        }

        if (changed || loaded.Source != ConfigFileSource.Main) topics.Save();
        return new TopicConfigManager(topics, settings, log);
    }

    /// <summary>The topic's config, or null.</summary>
    public TopicConfig? Find(string topic) => _topics.Find(topic);

    /// <summary>A copy of the table with its version, for REGISTER_BROKER and GET_ALL_TOPIC_CONFIG.</summary>
    public TopicConfigSerializeWrapper Snapshot() => _topics.Snapshot((version, topics) => new TopicConfigSerializeWrapper
    {
        DataVersion = version, TopicConfigTable = new Dictionary<string, TopicConfig>(topics, StringComparer.Ordinal),
    });

    /// <summary>
    /// The topic a send names, created from <paramref name="defaultTopic"/> when it is missing, auto-creation is on
    /// and the template allows it (RocketMQ's createTopicInSendMessageMethod). Null when it does not exist and
    /// cannot be created.
    /// </summary>
    public TopicConfig? FindOrCreateForSend(string topic, string defaultTopic, int queueNums, int topicSysFlag)
    {
        if (_topics.Find(topic) is { } existing) return existing;
        if (!_settings.AutoCreateTopicEnable || _topics.Find(defaultTopic) is not { } template || !TopicPerm.IsInherited(template.Perm))
            return null;
        var nums = Math.Clamp(queueNums, 1, template.WriteQueueNums);
        return Create(new TopicConfig
        {
            TopicName = topic, ReadQueueNums = nums, WriteQueueNums = nums, Perm = template.Perm & ~TopicPerm.Inherit,
            TopicSysFlag = topicSysFlag,
        }, "auto-created on send");
    }

    /// <summary>The retry topic of a consumer group, created (one queue, read and write) when missing.</summary>
    public TopicConfig GetOrCreateRetryTopic(string group, int queueNums = 1) =>
        GetOrCreate(SystemTopics.RetryTopicOf(group), queueNums, TopicPerm.Read | TopicPerm.Write, "retry topic");

    /// <summary>The dead-letter topic of a consumer group, created (one queue, read and write, as RocketMQ 4.9.8 does) when missing.</summary>
    public TopicConfig GetOrCreateDlqTopic(string group) =>
        GetOrCreate(SystemTopics.DlqTopicOf(group), 1, TopicPerm.Read | TopicPerm.Write, "dead-letter topic");

    /// <summary>Creates or replaces a topic (UPDATE_AND_CREATE_TOPIC); returns why it was refused, or null.</summary>
    public string? CreateOrUpdate(TopicConfig config)
    {
        if (ResourceNames.ValidateTopic(config.TopicName) is { } invalid) return invalid;
        if (config.TopicName == SystemTopics.AutoCreateTemplate && !_settings.AutoCreateTopicEnable) return "TBW102 is a reserved topic";
        if (config.ReadQueueNums is < 0 or > 1024 || config.WriteQueueNums is < 0 or > 1024)
            return $"queue numbers must be 0..1024 (read {config.ReadQueueNums}, write {config.WriteQueueNums})";
        if ((config.Perm & ~7) != 0) return $"perm {config.Perm} is not a combination of 1, 2 and 4";
        _topics.Put(config.TopicName, config);
        _log.LogInformation("Topic {Topic} created or updated: {Write} write / {Read} read queues, perm {Perm}",
            config.TopicName, config.WriteQueueNums, config.ReadQueueNums, config.Perm);
        Changed?.Invoke();
        return null;
    }

    /// <summary>Removes a topic; false when it did not exist.</summary>
    public bool Delete(string topic)
    {
        if (!_topics.Remove(topic)) return false;
        _log.LogInformation("Topic {Topic} deleted", topic);
        Changed?.Invoke();
        return true;
    }

    private TopicConfig GetOrCreate(string topic, int queueNums, int perm, string what)
    {
        if (_topics.Find(topic) is { } existing) return existing;
        return Create(new TopicConfig { TopicName = topic, ReadQueueNums = queueNums, WriteQueueNums = queueNums, Perm = perm }, what);
    }

    private TopicConfig Create(TopicConfig config, string why)
    {
        // Another thread may have created it between the caller's lookup and the table's gate.
        var topic = _topics.GetOrAdd(config.TopicName, config, out var added);
        if (!added) return topic;
        _log.LogInformation("Topic {Topic} {Why}: {Queues} queues, perm {Perm}", config.TopicName, why, config.WriteQueueNums, config.Perm);
        Changed?.Invoke();
        return config;
    }

    private static TopicConfigTable Document(DataVersion version, IEnumerable<KeyValuePair<string, TopicConfig>> topics) =>
        new() { DataVersion = version, Topics = new Dictionary<string, TopicConfig>(topics, StringComparer.Ordinal) };

    private static IEnumerable<TopicConfig> SystemTopicConfigs(BrokerSettings settings, int delayLevelCount)
    {
        if (settings.AutoCreateTopicEnable)
        {
            yield return new TopicConfig
            {
                TopicName = SystemTopics.AutoCreateTemplate, ReadQueueNums = settings.DefaultTopicQueueNums,
                WriteQueueNums = settings.DefaultTopicQueueNums, Perm = TopicPerm.Inherit | TopicPerm.Read | TopicPerm.Write,
            };
        }

        yield return Single(SystemTopics.SelfTest, TopicPerm.Read | TopicPerm.Write);
        yield return Single(SystemTopics.OffsetMoved, TopicPerm.Read | TopicPerm.Write);
        yield return new TopicConfig
        {
            TopicName = SystemTopics.Schedule, ReadQueueNums = delayLevelCount, WriteQueueNums = delayLevelCount,
            Perm = TopicPerm.Read | TopicPerm.Write,
        };
        if (settings.ClusterTopicEnable) yield return Single(settings.BrokerClusterName, TopicPerm.Inherit | settings.BrokerPermission);
        if (settings.BrokerTopicEnable) yield return Single(settings.BrokerName, TopicPerm.Inherit | settings.BrokerPermission);

        static TopicConfig Single(string name, int perm) => new() { TopicName = name, ReadQueueNums = 1, WriteQueueNums = 1, Perm = perm };
    }
}
