using AkkaBroker.Actors;
using AkkaBroker.Broker;
using AkkaBroker.Hocon;
using AkkaBroker.Hosting;
using AkkaBroker.NameServer;
using AkkaBroker.Store;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Server.Tests;

/// <summary>Settings classes built from reference.conf and from deployment files.</summary>
public class SettingsTests
{
    private static Config Load(string text) => Config.ParseString(text, "test.conf").WithFallback(ReferenceConfig.Load()).Resolve();

    private static Config Defaults => Load("");

    [Fact]
    public void Reference_defaults_are_RocketMQs()
    {
        var store = StoreSettings.Create(Defaults);
        Assert.Equal(1L << 30, store.MappedFileSizeCommitLog);
        Assert.Equal(300_000 * 20, store.MappedFileSizeConsumeQueue);
        Assert.Equal(FlushDiskType.AsyncFlush, store.FlushDiskType);
        Assert.Equal(TimeSpan.FromMilliseconds(500), store.FlushIntervalCommitLog);
        Assert.Equal(4, store.FlushCommitLogLeastPages);
        Assert.Equal(TimeSpan.FromSeconds(10), store.FlushCommitLogThoroughInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(200), store.CommitIntervalCommitLog);
        Assert.Equal(TimeSpan.FromSeconds(5), store.SyncFlushTimeout);
        Assert.Equal(4 * 1024 * 1024, store.MaxMessageSize);
        Assert.Equal(40, store.AccessMessageInMemoryMaxRatio);
        Assert.Equal(256 * 1024, store.MaxTransferBytesOnMessageInMemory);
        Assert.Equal(32, store.MaxTransferCountOnMessageInMemory);
        Assert.Equal(64 * 1024, store.MaxTransferBytesOnMessageInDisk);
        Assert.Equal(8, store.MaxTransferCountOnMessageInDisk);
        Assert.Equal(TimeSpan.FromHours(72), store.FileReservedTime);
        Assert.Equal([4], store.DeleteWhen);
        Assert.Equal(75, store.DiskMaxUsedSpaceRatio);
        Assert.Equal(5_000_000, store.MaxHashSlotNum);
        Assert.Equal(20_000_000, store.MaxIndexNum);
        Assert.Equal(32, store.DefaultQueryMaxNum);
        Assert.Equal(32 * 1024, store.HaTransferBatchSize);
        Assert.Equal(256L * 1024 * 1024, store.HaSlaveFallbehindMax);
        Assert.Equal(TimeSpan.FromSeconds(3), store.SlaveTimeout);
        Assert.True(store.CheckCrcOnRecover);
        Assert.False(store.WarmMappedFileEnable);
        Assert.Equal(18, store.MessageDelayLevels.Count);
        Assert.Equal(TimeSpan.FromSeconds(1), store.MessageDelayLevels[0]);
        Assert.Equal(TimeSpan.FromMinutes(1), store.MessageDelayLevels[4]);
        Assert.Equal(TimeSpan.FromHours(2), store.MessageDelayLevels[17]);

        var broker = BrokerSettings.Create(Defaults);
        Assert.Equal("DefaultCluster", broker.BrokerClusterName);
        Assert.Equal(0, broker.BrokerId);
        Assert.Equal(BrokerRole.AsyncMaster, broker.BrokerRole);
        Assert.Equal(10911, broker.ListenPort);
        Assert.Equal(10912, broker.HaListenPort);
        Assert.Equal(6, broker.BrokerPermission);
        Assert.Equal(8, broker.DefaultTopicQueueNums);
        Assert.True(broker.AutoCreateTopicEnable);
        Assert.True(broker.AutoCreateSubscriptionGroup);
        Assert.Equal(TimeSpan.FromSeconds(30), broker.RegisterNameServerPeriod);
        Assert.Equal(TimeSpan.FromSeconds(5), broker.FlushConsumerOffsetInterval);
        Assert.Equal(TimeSpan.FromSeconds(60), broker.RebalanceLockMaxLiveTime);
        Assert.Equal(["127.0.0.1:9876"], broker.NamesrvAddr);
        Assert.Equal(broker.BrokerIp1, broker.BrokerIp2);

        var namesrv = NameServerSettings.Create(Defaults);
        Assert.Equal(9876, namesrv.ListenPort);
        Assert.Equal(TimeSpan.FromSeconds(120), namesrv.BrokerChannelExpiredTime);
        Assert.Equal(TimeSpan.FromSeconds(10), namesrv.ScanNotActiveBrokerInterval);
        if (Environment.GetEnvironmentVariable("AKKABROKER_NAMESRV_KV_CONFIG") is null && Environment.GetEnvironmentVariable("HOME") is { } home)
            Assert.Equal(home + "/akkabroker/namesrv/kvConfig.json", namesrv.KvConfigPath);

        Assert.Equal(NodeRoles.NameServer | NodeRoles.Broker, NodeRolesConfig.Read(Defaults));
    }

    [Theory]
    [InlineData("single-node.conf", NodeRoles.NameServer | NodeRoles.Broker)]
    [InlineData("namesrv.conf", NodeRoles.NameServer)]
    [InlineData("broker-a-master.conf", NodeRoles.Broker)]
    [InlineData("broker-a-slave.conf", NodeRoles.Broker)]
    public void Sample_deployments_load_into_valid_settings(string file, NodeRoles roles)
    {
        var config = NodeConfig.Load(RepoPaths.Hocon(file));

        Assert.Equal(roles, NodeRolesConfig.Read(config));
        if (roles.HasFlag(NodeRoles.Broker)) BrokerNodeSettings.Create(config);
        if (roles.HasFlag(NodeRoles.NameServer)) NameServerSettings.Create(config);
    }

    [Fact]
    public void Master_and_slave_samples_form_one_replica_group()
    {
        var master = BrokerSettings.Create(NodeConfig.Load(RepoPaths.Hocon("broker-a-master.conf")));
        var slave = BrokerSettings.Create(NodeConfig.Load(RepoPaths.Hocon("broker-a-slave.conf")));

        Assert.Equal(master.BrokerName, slave.BrokerName);
        Assert.Equal(BrokerRole.SyncMaster, master.BrokerRole);
        Assert.Equal(BrokerRole.Slave, slave.BrokerRole);
        Assert.NotEqual(master.ListenPort, slave.ListenPort);
        Assert.Equal(["Orders", "Payments"], master.Topics.Select(t => t.Name));
        Assert.Equal(new TopicDeclaration("Payments", 4, 4, 6, true), master.Topics[1]);
    }

    [Fact]
    public void Declared_topics_take_defaults_for_omitted_fields()
    {
        var broker = BrokerSettings.Create(Load("akkabroker.broker { default-topic-queue-nums = 3, topics = [ { name = T1 } ] }"));

        Assert.Equal(new TopicDeclaration("T1", 3, 3, 6, false), Assert.Single(broker.Topics));
    }

    [Theory]
    [InlineData("akkabroker.broker.topics = [ { name = \"bad topic\" } ]", "akkabroker.broker.topics.0.name")]
    [InlineData("akkabroker.broker.topics = [ { name = A }, { name = A } ]", "declared twice")]
    [InlineData("akkabroker.broker.topics = [ { name = A, queues = 4 } ]", "akkabroker.broker.topics.0.queues")]
    [InlineData("akkabroker.broker.topics = [ { name = A, perm = 9 } ]", "akkabroker.broker.topics.0.perm")]
    [InlineData("akkabroker.broker.broker-role = SLAVE", "akkabroker.broker.broker-id")]
    [InlineData("akkabroker.broker.broker-id = 2", "akkabroker.broker.broker-id")]
    [InlineData("akkabroker.broker.broker-role = BOSS", "akkabroker.broker.broker-role")]
    [InlineData("akkabroker.broker.listen-port = 70000", "akkabroker.broker.listen-port")]
    [InlineData("akkabroker.broker.listen-port = abc", "akkabroker.broker.listen-port")]
    [InlineData("akkabroker.broker.broker-name = \"a b\"", "akkabroker.broker.broker-name")]
    [InlineData("akkabroker.store.flush-disk-type = SYNC", "akkabroker.store.flush-disk-type")]
    [InlineData("akkabroker.store.mapped-file-size-consume-queue = 1001", "akkabroker.store.mapped-file-size-consume-queue")]
    [InlineData("akkabroker.store.delete-when = \"25\"", "akkabroker.store.delete-when")]
    [InlineData("akkabroker.store.message-delay-level = \"1s 5x\"", "akkabroker.store.message-delay-level")]
    [InlineData("akkabroker.store.sync-flush-timeout = 0s", "akkabroker.store.sync-flush-timeout")]
    [InlineData("akkabroker.store.max-message-size = 2g", "akkabroker.store.max-message-size")]
    [InlineData("akkabroker.store.mapped-file-size-commit-log = 3g", "akkabroker.store.mapped-file-size-commit-log")]
    [InlineData("akkabroker.store.commit-log-prefault-ahead = 4k", "akkabroker.store.commit-log-prefault-ahead")]
    [InlineData("akkabroker.store.commit-log-prefault = SOMETIMES", "akkabroker.store.commit-log-prefault")]
    [InlineData("akkabroker.store.commit-log-prefault-ahead = -1m", "akkabroker.store.commit-log-prefault-ahead")]
    [InlineData("akkabroker.store.commit-log-cache-trim = SOMETIMES", "akkabroker.store.commit-log-cache-trim")]
    [InlineData("akkabroker.store.commit-log-cache-window = 512k", "akkabroker.store.commit-log-cache-window")]
    [InlineData("akkabroker.store.commit-log-cache-window = -1g", "akkabroker.store.commit-log-cache-window")]
    [InlineData("akkabroker.store { flush-disk-type = SYNC_FLUSH, transient-store-pool-enable = true }", "akkabroker.store.transient-store-pool-enable")]
    [InlineData("akkabroker.broker { broker-role = SLAVE, broker-id = 1 }, akkabroker.store.transient-store-pool-enable = true", "akkabroker.store.transient-store-pool-enable")]
    public void Bad_broker_settings_are_rejected_naming_the_setting(string deployment, string named)
    {
        var error = Assert.ThrowsAny<ConfigException>(() => BrokerNodeSettings.Create(Load(deployment)));
        Assert.Contains(named, error.Message);
    }

    [Theory]
    [InlineData("", CommitLogCacheTrim.Auto, 1L << 30, false, null)]
    [InlineData("", CommitLogCacheTrim.Auto, 1L << 30, true, 1L << 30)]
    [InlineData("akkabroker.store { commit-log-cache-trim = OFF }", CommitLogCacheTrim.Off, 1L << 30, true, null)]
    [InlineData("akkabroker.store { commit-log-cache-trim = ALWAYS, commit-log-cache-window = 256m }", CommitLogCacheTrim.Always, 256L << 20, false, 256L << 20)]
    public void The_CommitLog_cache_window_is_in_effect_when_ALWAYS_or_AUTO_on_a_host_that_takes_free_memory_back(
        string deployment, CommitLogCacheTrim mode, long window, bool hostReportsFreePages, long? inEffect)
    {
        var store = StoreSettings.Create(Load(deployment));
        Assert.Equal((mode, window), (store.CommitLogCacheTrim, store.CommitLogCacheWindow));
        Assert.Equal(inEffect, store.EffectiveCacheWindow(hostReportsFreePages));
    }

    [Theory]
    [InlineData(CommitLogPrefault.Auto, null, true)]
    [InlineData(CommitLogPrefault.Auto, 1L << 30, false)]
    [InlineData(CommitLogPrefault.Always, 1L << 30, true)]
    [InlineData(CommitLogPrefault.Off, null, false)]
    public void AUTO_prefaulting_stands_down_while_the_page_cache_is_trimmed(CommitLogPrefault mode, long? cacheWindow, bool prefaults)
    {
        var store = StoreSettings.Create(Load($"akkabroker.store.commit-log-prefault = {mode.ToString().ToUpperInvariant()}"));
        Assert.Equal(prefaults, store.Prefaults(cacheWindow));
    }

    [Theory]
    [InlineData("akkabroker.roles = []")]
    [InlineData("akkabroker.roles = [gateway]")]
    public void Roles_must_name_known_roles(string deployment)
    {
        var error = Assert.ThrowsAny<ConfigException>(() => NodeRolesConfig.Read(Load(deployment)));
        Assert.Contains("akkabroker.roles", error.Message);
    }

    [Fact]
    public void Node_log_levels_apply_to_categories_and_everything_under_them()
    {
        var logging = NodeLogging.Read(Load("""
            akkabroker.logging {
              level = WARNING
              categories = ["AkkaBroker.Broker.Storage=DEBUG", "AkkaBroker.Broker.Storage.Dispatcher = error"]
            }
            """));
        using var factory = LoggerFactory.Create(b =>
        {
            logging.ApplyTo(b);
            b.AddProvider(new EverythingProvider()); // so the filters alone decide
        });

        Assert.True(factory.CreateLogger("AkkaBroker.Broker.Storage.Prefaulter").IsEnabled(LogLevel.Debug));
        Assert.False(factory.CreateLogger("AkkaBroker.Broker.Storage.Dispatcher").IsEnabled(LogLevel.Warning));
        Assert.False(factory.CreateLogger("AkkaBroker.Remoting.RemotingServer").IsEnabled(LogLevel.Information));
        Assert.True(factory.CreateLogger("AkkaBroker.Remoting.RemotingServer").IsEnabled(LogLevel.Warning));
        Assert.Equal(LogLevel.Information, NodeLogging.Read(Defaults).Level);
        Assert.Empty(NodeLogging.Read(Defaults).Categories);
    }

    private sealed class EverythingProvider : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }

        public void Dispose()
        {
        }
    }

    [Theory]
    [InlineData("akkabroker.logging.level = LOUD", "akkabroker.logging.level")]
    [InlineData("akkabroker.logging.categories = [\"AkkaBroker=LOUD\"]", "akkabroker.logging.categories")]
    [InlineData("akkabroker.logging.categories = [\"DEBUG\"]", "akkabroker.logging.categories")]
    [InlineData("akkabroker.logging.categories = [\"=DEBUG\"]", "akkabroker.logging.categories")]
    [InlineData("akkabroker.logging.categories = [\"AkkaBroker=3\"]", "akkabroker.logging.categories")]
    public void Bad_log_levels_are_refused_naming_the_key(string deployment, string key)
    {
        var error = Assert.ThrowsAny<ConfigException>(() => NodeLogging.Read(Load(deployment)));
        Assert.Contains(key, error.Message);
        Assert.Contains("DEBUG", error.Message); // lists the levels
    }

    [Fact]
    public void Every_reference_key_is_read_by_a_settings_class()
    {
        // Replace each leaf of reference.conf in turn by a value of the wrong type: if no settings class
        // complains naming that key, the key is dead (documented but never read).
        var unread = new List<string>();
        foreach (var (path, isList) in ReferenceConfig.LeafPaths(ReferenceConfig.Load(), "akkabroker"))
        {
            var wrong = isList ? "true" : "[true]";
            var config = Load($"{path} = {wrong}");
            try
            {
                NodeRolesConfig.Read(config);
                NodeLogging.Read(config);
                ActorSystemSettings.Create(config);
                NameServerSettings.Create(config);
                BrokerNodeSettings.Create(config);
                RemotingSettings.Create(config);
                AkkaBrokerClientSettings.Create(config);
                unread.Add(path);
            }
            catch (ConfigException e) when (e.Message.Contains(path, StringComparison.Ordinal))
            {
            }
        }

        Assert.Empty(unread);
    }

    [Fact]
    public void Overrides_beat_the_file_which_beats_the_reference()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "akkabroker.broker { listen-port = 20000, broker-name = from-file }\n");
            var config = NodeConfig.Load(file, ["akkabroker.broker.listen-port = 30000"]);
            var broker = BrokerSettings.Create(config);

            Assert.Equal(30000, broker.ListenPort);
            Assert.Equal("from-file", broker.BrokerName);
            Assert.Equal("DefaultCluster", broker.BrokerClusterName);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_deployment_may_substitute_reference_values()
    {
        var broker = BrokerSettings.Create(Load("akkabroker.broker.broker-name = ${akkabroker.broker.broker-cluster-name}\"-b\""));

        Assert.Equal("DefaultCluster-b", broker.BrokerName);
    }
}
