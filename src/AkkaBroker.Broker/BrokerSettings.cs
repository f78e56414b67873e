using AkkaBroker.Hocon;

namespace AkkaBroker.Broker;

/// <summary>A broker's place in its replica group.</summary>
public enum BrokerRole
{
    /// <summary>Master; a send is answered after the local write.</summary>
    AsyncMaster,

    /// <summary>Master; a send with WAIT=true is answered after a slave acknowledged it.</summary>
    SyncMaster,

    /// <summary>Replica of the group's master.</summary>
    Slave,
}

/// <summary>A topic a deployment file declares; created at start when missing.</summary>
/// <param name="Name">Topic name (RocketMQ's rules).</param>
/// <param name="ReadQueueNums">Queues consumers read.</param>
/// <param name="WriteQueueNums">Queues producers write.</param>
/// <param name="Perm">Permission bits: 2 write, 4 read, 6 both.</param>
/// <param name="Order">Whether the topic is ordered.</param>
public sealed record TopicDeclaration(string Name, int ReadQueueNums, int WriteQueueNums, int Perm, bool Order);

/// <summary>The broker role's settings (<c>akkabroker.broker</c>). Immutable; defaults live in reference.conf.</summary>
public sealed record BrokerSettings
{
    /// <summary>Cluster this broker belongs to.</summary>
    public required string BrokerClusterName { get; init; }

    /// <summary>Replica group name.</summary>
    public required string BrokerName { get; init; }

    /// <summary>0 for a master, above 0 for a slave.</summary>
    public required long BrokerId { get; init; }

    /// <summary>Master (sync or async) or slave.</summary>
    public required BrokerRole BrokerRole { get; init; }

    /// <summary>Bind address of the client port.</summary>
    public required string ListenAddress { get; init; }

    /// <summary>Client port (RocketMQ remoting).</summary>
    public required int ListenPort { get; init; }

    /// <summary>Replication port (listen-port + 1 unless set).</summary>
    public required int HaListenPort { get; init; }

    /// <summary>Master's replication address for a slave; empty: from the name server.</summary>
    public required string HaMasterAddress { get; init; }

    /// <summary>Name servers to register with.</summary>
    public required IReadOnlyList<string> NamesrvAddr { get; init; }

    /// <summary>Address published to clients.</summary>
    public required string BrokerIp1 { get; init; }

    /// <summary>Address slaves replicate from.</summary>
    public required string BrokerIp2 { get; init; }

    /// <summary>Permission bits of the whole broker.</summary>
    public required int BrokerPermission { get; init; }

    /// <summary>Queues of an automatically created topic.</summary>
    public required int DefaultTopicQueueNums { get; init; }

    /// <summary>Create topics on first send.</summary>
    public required bool AutoCreateTopicEnable { get; init; }

    /// <summary>Create subscription groups on first use.</summary>
    public required bool AutoCreateSubscriptionGroup { get; init; }

    /// <summary>Register the cluster name as a topic.</summary>
    public required bool ClusterTopicEnable { get; init; }

    /// <summary>Register the broker name as a topic.</summary>
    public required bool BrokerTopicEnable { get; init; }

    /// <summary>Copy pulled messages through the managed heap.</summary>
    public required bool TransferMsgByHeap { get; init; }

    /// <summary>Let a slave serve pulls.</summary>
    public required bool SlaveReadEnable { get; init; }

    /// <summary>Name-server registration period.</summary>
    public required TimeSpan RegisterNameServerPeriod { get; init; }

    /// <summary>Consumer offset persistence period.</summary>
    public required TimeSpan FlushConsumerOffsetInterval { get; init; }

    /// <summary>Deflate REGISTER_BROKER bodies.</summary>
    public required bool CompressedRegister { get; init; }

    /// <summary>Send the full topic table on every registration.</summary>
    public required bool ForceRegister { get; init; }

    /// <summary>Hold empty pulls until messages arrive.</summary>
    public required bool LongPollingEnable { get; init; }

    /// <summary>Hold time of an empty pull when long polling is off.</summary>
    public required TimeSpan ShortPollingTime { get; init; }

    /// <summary>Lifetime of an orderly consumer's queue lock without renewal.</summary>
    public required TimeSpan RebalanceLockMaxLiveTime { get; init; }

    /// <summary>Age at which a half message is checked.</summary>
    public required TimeSpan TransactionTimeout { get; init; }

    /// <summary>Checks of one half message before it is discarded.</summary>
    public required int TransactionCheckMax { get; init; }

    /// <summary>Half-message check period.</summary>
    public required TimeSpan TransactionCheckInterval { get; init; }

    /// <summary>Topics created at start when missing.</summary>
    public required IReadOnlyList<TopicDeclaration> Topics { get; init; }

    /// <summary>True for either master role.</summary>
    public bool IsMaster => BrokerRole != BrokerRole.Slave;

    /// <summary>Reads <c>akkabroker.broker</c> from a resolved config that has reference.conf as its fallback.</summary>
    /// <exception cref="ConfigException">A key is missing, ill-typed or out of range; the message names it.</exception>
    public static BrokerSettings Create(Config config)
    {
        var r = new SettingsReader(config, "akkabroker.broker");
        var listenPort = r.Port("listen-port");
        var haPort = r.Int("ha-listen-port", 0, 65535);
        var defaultQueues = r.Int("default-topic-queue-nums", 1, 1024);
        var ip1 = r.String("broker-ip1");
        var ip2 = r.String("broker-ip2");
        var settings = new BrokerSettings
        {
            BrokerClusterName = r.Name("broker-cluster-name"),
            BrokerName = r.Name("broker-name"),
            BrokerId = r.Long("broker-id", 0, long.MaxValue),
            BrokerRole = r.Enum<BrokerRole>("broker-role"),
            ListenAddress = r.String("listen-address"),
            ListenPort = listenPort,
            HaListenPort = haPort == 0 ? listenPort + 1 : haPort,
            HaMasterAddress = r.String("ha-master-address"),
            NamesrvAddr = r.String("namesrv-addr").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            BrokerIp1 = ip1,
            BrokerIp2 = ip2.Length == 0 ? ip1 : ip2,
            BrokerPermission = r.Int("broker-permission", 0, 7),
            DefaultTopicQueueNums = defaultQueues,
            AutoCreateTopicEnable = r.Bool("auto-create-topic-enable"),
            AutoCreateSubscriptionGroup = r.Bool("auto-create-subscription-group"),
            ClusterTopicEnable = r.Bool("cluster-topic-enable"),
            BrokerTopicEnable = r.Bool("broker-topic-enable"),
            TransferMsgByHeap = r.Bool("transfer-msg-by-heap"),
            SlaveReadEnable = r.Bool("slave-read-enable"),
            RegisterNameServerPeriod = r.Duration("register-name-server-period"),
            FlushConsumerOffsetInterval = r.Duration("flush-consumer-offset-interval"),
            CompressedRegister = r.Bool("compressed-register"),
            ForceRegister = r.Bool("force-register"),
            LongPollingEnable = r.Bool("long-polling-enable"),
            ShortPollingTime = r.Duration("short-polling-time"),
            RebalanceLockMaxLiveTime = r.Duration("rebalance-lock-max-live-time"),
            TransactionTimeout = r.Duration("transaction-timeout"),
            TransactionCheckMax = r.Int("transaction-check-max", 1, int.MaxValue),
            TransactionCheckInterval = r.Duration("transaction-check-interval"),
            Topics = ReadTopics(r, defaultQueues),
        };

        // RocketMQ forces masters to id 0; we refuse the contradiction instead of silently rewriting it.
        if (settings.IsMaster && settings.BrokerId != 0)
            throw r.BadValue("broker-id", $"a {settings.BrokerRole} must have broker-id 0, found {settings.BrokerId}");
        if (!settings.IsMaster && settings.BrokerId == 0)
            throw r.BadValue("broker-id", "a SLAVE must have a broker-id above 0");
        if (settings.HaListenPort == settings.ListenPort)
            throw r.BadValue("ha-listen-port", "must differ from listen-port");
        return settings;
    }

    private static IReadOnlyList<TopicDeclaration> ReadTopics(SettingsReader r, int defaultQueues)
    {
        var topics = new List<TopicDeclaration>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var entries = r.ConfigList("topics");
        for (var i = 0; i < entries.Count; i++)
        {
            var t = new SettingsReader(entries[i], $"{r.Section}.topics.{i}", relative: true);
            var name = t.TopicName("name");
            var read = t.HasPath("read-queue-nums") ? t.Int("read-queue-nums", 1, 1024) : defaultQueues;
            var write = t.HasPath("write-queue-nums") ? t.Int("write-queue-nums", 1, 1024) : defaultQueues;
            var perm = t.HasPath("perm") ? t.Int("perm", 0, 7) : 6;
            var order = t.HasPath("order") && t.Bool("order");
            t.RejectUnknownKeys("name", "read-queue-nums", "write-queue-nums", "perm", "order");
            if (!seen.Add(name)) throw t.BadValue("name", $"topic '{name}' is declared twice");
            topics.Add(new TopicDeclaration(name, read, write, perm, order));
        }

        return topics;
    }
}
