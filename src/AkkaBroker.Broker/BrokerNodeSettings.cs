using AkkaBroker.Hocon;
using AkkaBroker.Store;

namespace AkkaBroker.Broker;

/// <summary>Everything a broker node reads from its config, with the checks that span sections.</summary>
/// <param name="Broker">The <c>akkabroker.broker</c> section.</param>
/// <param name="Store">The <c>akkabroker.store</c> section.</param>
public sealed record BrokerNodeSettings(BrokerSettings Broker, StoreSettings Store)
{
    /// <summary>Reads and cross-checks the broker and store sections.</summary>
    /// <exception cref="ConfigException">A key is missing, ill-typed, out of range or contradicts another.</exception>
    public static BrokerNodeSettings Create(Config config)
    {
        var broker = BrokerSettings.Create(config);
        var store = StoreSettings.Create(config);
        // The transient pool only pays off where the writer never waits for the disk: RocketMQ refuses it elsewhere too.
        if (store.TransientStorePoolEnable && !broker.IsMaster)
        {
            throw new SettingsReader(config, "akkabroker.store").BadValue(
                "transient-store-pool-enable", "works only on a master (akkabroker.broker.broker-role is SLAVE)");
        }

        return new BrokerNodeSettings(broker, store);
    }
}
