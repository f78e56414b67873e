using AkkaBroker.Common.Naming;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Store.Config;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Broker.Consumers;

/// <summary>
/// Consumer group configurations (RocketMQ's SubscriptionGroupManager): loaded from
/// <c>config/subscriptionGroup.json</c>, seeded with RocketMQ's system groups, changed by
/// UPDATE_AND_CREATE_SUBSCRIPTIONGROUP and DELETE_SUBSCRIPTIONGROUP, and saved atomically after every change.
/// Reads are lock-free; changes are serialised by one gate and replace entries rather than mutate them, so a
/// reader never sees half an update.
/// </summary>
public sealed class SubscriptionGroupManager
{
    /// <summary>RocketMQ's system groups, present on every broker (the Java broker creates them in memory at start).</summary>
    public static readonly IReadOnlyList<string> SystemGroups =
    [
        "TOOLS_CONSUMER", "FILTERSRV_CONSUMER", "SELF_TEST_C_GROUP", "CID_ONS-HTTP-PROXY", "CID_ONSAPI_PULL",
        "CID_ONSAPI_PERMISSION", "CID_ONSAPI_OWNER", "CID_RMQ_SYS_TRANS",
    ];

    private readonly VersionedConfigTable<SubscriptionGroupConfig, SubscriptionGroupTable> _groups;
    private readonly ILogger _log;

    private SubscriptionGroupManager(VersionedConfigTable<SubscriptionGroupConfig, SubscriptionGroupTable> groups, ILogger log)
    {
        _groups = groups;
        _log = log;
    }

    /// <summary>How many groups there are.</summary>
    public int Count => _groups.Count;

    /// <summary>Loads <c>subscriptionGroup.json</c> (or its backup) from <paramref name="configDir"/> and adds the missing system groups.</summary>
    /// <exception cref="Store.StoreCorruptException">Both the file and its backup are unreadable.</exception>
    public static SubscriptionGroupManager Load(string configDir, ILogger log, TimeProvider? clock = null)
    {
        var path = Path.Combine(configDir, SubscriptionGroupTable.FileName);
        var loaded = ConfigJson.Load<SubscriptionGroupTable>(path);
        if (loaded.Problem is not null) log.LogWarning("subscriptionGroup.json unreadable ({Problem}); using its backup", loaded.Problem);
        var groups = new VersionedConfigTable<SubscriptionGroupConfig, SubscriptionGroupTable>(path, loaded.Value.DataVersion, Document, log, clock ?? TimeProvider.System);
        foreach (var (name, config) in loaded.Value.Groups)
        {
            config.GroupName = name;
            groups.Load(name, config);
        }

        // The system groups are not saved until something else changes, as in RocketMQ.
        foreach (var group in SystemGroups) groups.LoadIfMissing(group, new SubscriptionGroupConfig { GroupName = group });
        return new SubscriptionGroupManager(groups, log);
    }

    /// <summary>The group's configuration, or null.</summary>
    public SubscriptionGroupConfig? Find(string group) => _groups.Find(group);

    /// <summary>Creates or replaces a group's configuration; returns why it was refused, or null.</summary>
    public string? CreateOrUpdate(SubscriptionGroupConfig config)
    {
        if (ResourceNames.ValidateGroup(config.GroupName) is { } invalid) return invalid;
        if (config.RetryQueueNums < 0) return $"retryQueueNums {config.RetryQueueNums} is negative";
        var existed = _groups.Put(config.GroupName, config);
        _log.LogInformation("Subscription group {Group} {What}", config.GroupName, existed ? "updated" : "created");
        return null;
    }

    /// <summary>Removes a group's configuration; false when it did not exist.</summary>
    public bool Delete(string group)
    {
        if (!_groups.Remove(group)) return false;
        _log.LogInformation("Subscription group {Group} deleted", group);
        return true;
    }

    /// <summary>A copy of the table with its version (GET_ALL_SUBSCRIPTIONGROUP_CONFIG's body).</summary>
    public SubscriptionGroupTable Snapshot() => _groups.Snapshot(Document);

    private static SubscriptionGroupTable Document(DataVersion version, IEnumerable<KeyValuePair<string, SubscriptionGroupConfig>> groups) =>
        new() { DataVersion = version, Groups = new Dictionary<string, SubscriptionGroupConfig>(groups, StringComparer.Ordinal) };
}
