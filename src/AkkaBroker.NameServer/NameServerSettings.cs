using AkkaBroker.Hocon;

namespace AkkaBroker.NameServer;

/// <summary>The name-server role's settings (<c>akkabroker.namesrv</c>). Immutable; defaults live in reference.conf.</summary>
public sealed record NameServerSettings
{
    /// <summary>Bind address.</summary>
    public required string ListenAddress { get; init; }

    /// <summary>TCP port for clients and brokers.</summary>
    public required int ListenPort { get; init; }

    /// <summary>How often inactive brokers are looked for.</summary>
    public required TimeSpan ScanNotActiveBrokerInterval { get; init; }

    /// <summary>A broker not heard from for this long is dropped.</summary>
    public required TimeSpan BrokerChannelExpiredTime { get; init; }

    /// <summary>Publish ordered-topic configs with routes.</summary>
    public required bool OrderMessageEnable { get; init; }

    /// <summary>Where the host keeps the KV config (<c>kvConfig.json</c>); empty keeps it in memory only.</summary>
    public string KvConfigPath { get; init; } = "";

    /// <summary>Reads <c>akkabroker.namesrv</c> from a resolved config that has reference.conf as its fallback.</summary>
    /// <exception cref="ConfigException">A key is missing, ill-typed or out of range; the message names it.</exception>
    public static NameServerSettings Create(Config config)
    {
        var r = new SettingsReader(config, "akkabroker.namesrv");
        return new NameServerSettings
        {
            ListenAddress = r.String("listen-address"),
            ListenPort = r.Port("listen-port"),
            ScanNotActiveBrokerInterval = r.Duration("scan-not-active-broker-interval"),
            BrokerChannelExpiredTime = r.Duration("broker-channel-expired-time"),
            OrderMessageEnable = r.Bool("order-message-enable"),
            KvConfigPath = r.String("kv-config-path"),
        };
    }
}
