using System.Collections.Concurrent;
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

    private readonly ConcurrentDictionary<string, SubscriptionGroupConfig> _groups = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly string _path;
    private readonly ILogger _log;
    private readonly TimeProvider _clock;
    private DataVersion _version = new();

    private SubscriptionGroupManager(string path, ILogger log, TimeProvider clock)
    {
        _path = path;
        _log = log;
        _clock = clock;
    }

    /// <summary>How many groups there are.</summary>
    public int Count => _groups.Count;

    /// <summary>Loads <c>subscriptionGroup.json</c> (or its backup) from <paramref name="configDir"/> and adds the missing system groups.</summary>
    /// <exception cref="Store.StoreCorruptException">Both the file and its backup are unreadable.</exception>
    public static SubscriptionGroupManager Load(string configDir, ILogger log, TimeProvider? clock = null)
    {
        var manager = new SubscriptionGroupManager(Path.Combine(configDir, SubscriptionGroupTable.FileName), log, clock ?? TimeProvider.System);
        var loaded = ConfigJson.Load<SubscriptionGroupTable>(manager._path);
        if (loaded.Problem is not null) log.LogWarning("subscriptionGroup.json unreadable ({Problem}); using its backup", loaded.Problem);
        manager._version = loaded.Value.DataVersion;
        foreach (var (name, config) in loaded.Value.Groups)
        {
            config.GroupName = name;
            manager._groups[name] = config;
        }

        // The system groups are not saved until something else changes, as in RocketMQ.
        foreach (var group in SystemGroups) manager._groups.TryAdd(group, new SubscriptionGroupConfig { GroupName = group });
        return manager;
    }

    /// <summary>The group's configuration, or null.</summary>
    public SubscriptionGroupConfig? Find(string group) => _groups.GetValueOrDefault(group);

    /// <summary>Creates or replaces a group's configuration; returns why it was refused, or null.</summary>
    public string? CreateOrUpdate(SubscriptionGroupConfig config)
    {
        if (ResourceNames.ValidateGroup(config.GroupName) is { } invalid) return invalid;
        if (config.RetryQueueNums < 0) return $"retryQueueNums {config.RetryQueueNums} is negative";
        bool existed;
        lock (_gate)
        {
            existed = _groups.ContainsKey(config.GroupName);
            _groups[config.GroupName] = config;
            Touch();
        }

        _log.LogInformation("Subscription group {Group} {What}", config.GroupName, existed ? "updated" : "created");
        return null;
    }

    /// <summary>Removes a group's configuration; false when it did not exist.</summary>
    public bool Delete(string group)
    {
        lock (_gate)
        {
            if (!_groups.TryRemove(group, out _)) return false;
            Touch();
        }

        _log.LogInformation("Subscription group {Group} deleted", group);
        return true;
    }

    /// <summary>A copy of the table with its version (GET_ALL_SUBSCRIPTIONGROUP_CONFIG's body).</summary>
    public SubscriptionGroupTable Snapshot()
    {
        lock (_gate)
        {
            var table = new SubscriptionGroupTable { DataVersion = new DataVersion { Counter = _version.Counter, Timestamp = _version.Timestamp } };
            foreach (var (name, config) in _groups.OrderBy(g => g.Key, StringComparer.Ordinal)) table.Groups[name] = config;
            return table;
        }
    }

    // Caller holds the gate.
    private void Touch()
    {
        _version = new DataVersion { Counter = _version.Counter, Timestamp = _version.Timestamp };
        _version.Next(_clock.GetUtcNow().ToUnixTimeMilliseconds());
        var table = new SubscriptionGroupTable { DataVersion = _version };
        foreach (var (name, config) in _groups.OrderBy(g => g.Key, StringComparer.Ordinal)) table.Groups[name] = config;
        try
        {
            ConfigJson.Save(_path, table);
        }
        catch (IOException e)
        {
            // The table in memory stays right; the next change tries again.
            _log.LogError(e, "Could not save {Path}", _path);
        }
    }
}
