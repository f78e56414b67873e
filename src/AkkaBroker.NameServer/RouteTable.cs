using AkkaBroker.Protocol.Json;
using AkkaBroker.Remoting;

namespace AkkaBroker.NameServer;

/// <summary>
/// The name server's route data, with RocketMQ 4.9.8 RouteInfoManager's rules: clusters -> broker groups, broker
/// groups -> addresses by broker id, topics -> queue data per broker group (from masters' registrations only), and the
/// live entry of every registered address. Single owner (<see cref="RouteRegistry"/>): not thread-safe, no locks.
/// A broker group's queue data goes only when its last address goes: a group whose master left but whose slaves
/// remain keeps its BrokerData (slaves only) and its queues, so consumers can still read from the slaves.
/// </summary>
public sealed class RouteTable
{
    private readonly Dictionary<string, SortedSet<string>> _clusters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BrokerGroup> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, QueueData>> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LiveBroker> _live = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _filterServers = new(StringComparer.Ordinal);

    /// <summary>A registered address's liveness and what it last registered with.</summary>
    /// <param name="LastUpdate">When it last registered (or proved unchanged with QUERY_DATA_VERSION).</param>
    /// <param name="DataVersion">Version of its topic table at that registration.</param>
    /// <param name="Connection">Connection it registered on; null when unknown (tests).</param>
    /// <param name="HaServerAddr">Its HA address.</param>
    public sealed record LiveBroker(DateTimeOffset LastUpdate, DataVersion DataVersion, RemotingConnection? Connection, string HaServerAddr);

    /// <summary>What a registration answers: the master's addresses for a slave, else nulls.</summary>
    /// <param name="HaServerAddr">The group master's HA address.</param>
    /// <param name="MasterAddr">The group master's address.</param>
    public readonly record struct RegisterResult(string? HaServerAddr, string? MasterAddr);

    /// <summary>One registration (REGISTER_BROKER's header and body).</summary>
    /// <param name="ClusterName">Cluster.</param>
    /// <param name="BrokerName">Broker group.</param>
    /// <param name="BrokerAddr">The member's address.</param>
    /// <param name="BrokerId">0 for the master.</param>
    /// <param name="HaServerAddr">The member's HA address.</param>
    /// <param name="Body">Its topics and filter servers.</param>
    public sealed record Registration(string ClusterName, string BrokerName, string BrokerAddr, long BrokerId, string HaServerAddr, RegisterBrokerBody Body);

    private sealed class BrokerGroup(string cluster, string name)
    {
        public string Cluster { get; } = cluster;
        public string Name { get; } = name;
        public SortedDictionary<long, string> Addrs { get; } = [];
    }

    /// <summary>Topic names known (those with at least one broker group's queues).</summary>
    public IReadOnlyCollection<string> TopicNames => _topics.Keys;

    /// <summary>Registered addresses with their live entries.</summary>
    public IReadOnlyDictionary<string, LiveBroker> LiveBrokers => _live;

    /// <summary>Registers or refreshes one broker at <paramref name="now"/>.</summary>
    public RegisterResult Register(Registration r, DateTimeOffset now, RemotingConnection? connection)
    {
        if (!_clusters.TryGetValue(r.ClusterName, out var names)) _clusters[r.ClusterName] = names = new(StringComparer.Ordinal);
        names.Add(r.BrokerName);

        var registerFirst = false;
        if (!_groups.TryGetValue(r.BrokerName, out var group))
        {
            _groups[r.BrokerName] = group = new BrokerGroup(r.ClusterName, r.BrokerName);
            registerFirst = true;
        }

        // One address holds one id: a slave promoted to master re-registers under id 0 and drops its old id.
        foreach (var stale in group.Addrs.Where(e => e.Value == r.BrokerAddr && e.Key != r.BrokerId).Select(e => e.Key).ToList())
            group.Addrs.Remove(stale);
        registerFirst |= !group.Addrs.ContainsKey(r.BrokerId);
        group.Addrs[r.BrokerId] = r.BrokerAddr;

        var wrapper = r.Body.TopicConfigSerializeWrapper;
        if (r.BrokerId == 0 && (registerFirst || IsTopicConfigChanged(r.BrokerAddr, wrapper.DataVersion)))
        {
            foreach (var (key, topic) in wrapper.TopicConfigTable)
                UpdateQueueData(r.BrokerName, topic.TopicName.Length > 0 ? topic.TopicName : key, topic);
        }

        _live[r.BrokerAddr] = new LiveBroker(now, wrapper.DataVersion, connection, r.HaServerAddr);
        if (r.Body.FilterServerList.Count == 0) _filterServers.Remove(r.BrokerAddr);
        else _filterServers[r.BrokerAddr] = [.. r.Body.FilterServerList];

        if (r.BrokerId != 0 && group.Addrs.TryGetValue(0, out var masterAddr) && _live.TryGetValue(masterAddr, out var master))
            return new RegisterResult(master.HaServerAddr, masterAddr);
        return default;
    }

    /// <summary>Whether <paramref name="version"/> differs from what <paramref name="brokerAddr"/> last registered (true when unknown).</summary>
    public bool IsTopicConfigChanged(string brokerAddr, DataVersion version) =>
        !_live.TryGetValue(brokerAddr, out var live)
        || live.DataVersion.Counter != version.Counter || live.DataVersion.Timestamp != version.Timestamp;

    /// <summary>The DataVersion <paramref name="brokerAddr"/> last registered, or null.</summary>
    public DataVersion? DataVersionOf(string brokerAddr) => _live.GetValueOrDefault(brokerAddr)?.DataVersion;

    /// <summary>Marks <paramref name="brokerAddr"/> as heard from at <paramref name="now"/> (QUERY_DATA_VERSION with no change).</summary>
    public void Touch(string brokerAddr, DateTimeOffset now)
    {
        if (_live.TryGetValue(brokerAddr, out var live)) _live[brokerAddr] = live with { LastUpdate = now };
    }

    /// <summary>UNREGISTER_BROKER: drops the address and the id from its group. Returns whether the address was live.</summary>
    public bool Unregister(string clusterName, string brokerName, string brokerAddr, long brokerId)
    {
        var wasLive = _live.Remove(brokerAddr);
        _filterServers.Remove(brokerAddr);
        if (_groups.TryGetValue(brokerName, out var group))
        {
            group.Addrs.Remove(brokerId);
            if (group.Addrs.Count == 0) RemoveGroup(group, clusterName);
        }

        return wasLive;
    }

    /// <summary>
    /// Drops an address whose connection closed or which stopped registering: its live entry, its place in its group,
    /// and, when it was the group's last address, the group and the group's queue data (and topics left empty).
    /// </summary>
    public void RemoveAddress(string brokerAddr)
    {
        _live.Remove(brokerAddr);
        _filterServers.Remove(brokerAddr);
        foreach (var group in _groups.Values)
        {
            var id = group.Addrs.FirstOrDefault(e => e.Value == brokerAddr);
            if (id.Value is null) continue;
            group.Addrs.Remove(id.Key);
            if (group.Addrs.Count == 0) RemoveGroup(group, group.Cluster);
            return;
        }
    }

    /// <summary>Addresses last heard from more than <paramref name="expiry"/> before <paramref name="now"/>.</summary>
    public List<string> ExpiredAddresses(DateTimeOffset now, TimeSpan expiry) =>
        _live.Where(e => e.Value.LastUpdate + expiry < now).Select(e => e.Key).ToList();

    /// <summary>Addresses whose live entry is on <paramref name="connection"/> (a later registration elsewhere wins).</summary>
    public List<string> AddressesOn(RemotingConnection connection) =>
        _live.Where(e => ReferenceEquals(e.Value.Connection, connection)).Select(e => e.Key).ToList();

    /// <summary>
    /// The route of <paramref name="topic"/>, queue and broker data sorted by broker name; null when no broker group
    /// with an address serves it. <paramref name="orderTopicConf"/> is set as given.
    /// </summary>
    public TopicRouteData? Route(string topic, string? orderTopicConf)
    {
        if (!_topics.TryGetValue(topic, out var queues) || queues.Count == 0) return null;
        var route = new TopicRouteData { OrderTopicConf = orderTopicConf };
        foreach (var (brokerName, queue) in queues.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            route.QueueDatas.Add(Copy(queue));
            if (!_groups.TryGetValue(brokerName, out var group)) continue;
            route.BrokerDatas.Add(ToBrokerData(group));
            foreach (var addr in group.Addrs.Values)
                if (_filterServers.TryGetValue(addr, out var filters)) route.FilterServerTable[addr] = [.. filters];
        }

        return route.BrokerDatas.Count == 0 ? null : route;
    }

    /// <summary>Every broker group and every cluster's group names (GET_BROKER_CLUSTER_INFO), sorted by name.</summary>
    public ClusterInfo ClusterInfo()
    {
        var info = new ClusterInfo();
        foreach (var group in _groups.Values.OrderBy(g => g.Name, StringComparer.Ordinal)) info.BrokerAddrTable[group.Name] = ToBrokerData(group);
        foreach (var (cluster, names) in _clusters.OrderBy(e => e.Key, StringComparer.Ordinal)) info.ClusterAddrTable[cluster] = [.. names];
        return info;
    }

    /// <summary>Topics with queues on any broker group of <paramref name="cluster"/> (empty for an unknown cluster).</summary>
    public List<string> TopicsOfCluster(string cluster)
    {
        if (!_clusters.TryGetValue(cluster, out var names)) return [];
        return _topics.Where(t => t.Value.Keys.Any(names.Contains)).Select(t => t.Key).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>DELETE_TOPIC_IN_NAMESRV: forgets the topic's queue data. Returns whether it was known.</summary>
    public bool DeleteTopic(string topic) => _topics.Remove(topic);

    private void UpdateQueueData(string brokerName, string topicName, TopicConfig topic)
    {
        if (!_topics.TryGetValue(topicName, out var queues)) _topics[topicName] = queues = new(StringComparer.Ordinal);
        queues[brokerName] = new QueueData
        {
            BrokerName = brokerName,
            ReadQueueNums = topic.ReadQueueNums,
            WriteQueueNums = topic.WriteQueueNums,
            Perm = topic.Perm,
            TopicSysFlag = topic.TopicSysFlag,
        };
    }

    private void RemoveGroup(BrokerGroup group, string clusterName)
    {
        _groups.Remove(group.Name);
        if (_clusters.TryGetValue(clusterName, out var names) && names.Remove(group.Name) && names.Count == 0) _clusters.Remove(clusterName);
        foreach (var (topic, queues) in _topics.ToList())
        {
            if (queues.Remove(group.Name) && queues.Count == 0) _topics.Remove(topic);
        }
    }

    private static BrokerData ToBrokerData(BrokerGroup group) => new()
    {
        Cluster = group.Cluster,
        BrokerName = group.Name,
        BrokerAddrs = new Dictionary<long, string>(group.Addrs),
    };

    private static QueueData Copy(QueueData q) => new()
    {
        BrokerName = q.BrokerName, Perm = q.Perm, ReadQueueNums = q.ReadQueueNums, TopicSysFlag = q.TopicSysFlag, WriteQueueNums = q.WriteQueueNums,
    };
}
