using AkkaBroker.Hocon;
using AkkaBroker.Remoting;

namespace AkkaBroker.Hosting;

/// <summary>Reads <c>akkabroker.remoting</c> into the options every served connection uses.</summary>
public static class RemotingSettings
{
    /// <summary>The remoting options of a node's config (reference.conf as fallback).</summary>
    /// <exception cref="ConfigException">A key is missing, ill-typed or out of range; the message names it.</exception>
    public static RemotingOptions Create(Config config)
    {
        var r = new SettingsReader(config, "akkabroker.remoting");
        return new RemotingOptions
        {
            MaxFrameSize = (int)r.ByteSize("max-frame-size", 1024, int.MaxValue),
            IdleTimeout = r.Duration("channel-max-idle"),
        };
    }
}
