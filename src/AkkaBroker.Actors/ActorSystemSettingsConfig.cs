using AkkaBroker.Hocon;

namespace AkkaBroker.Actors;

/// <summary>Builds <see cref="ActorSystemSettings"/> from the <c>akkabroker.actor</c> section of a node's config.</summary>
public static class ActorSystemSettingsConfig
{
    extension(ActorSystemSettings)
    {
        /// <summary>Reads <c>akkabroker.actor</c> from a resolved config that has reference.conf as its fallback.</summary>
        /// <exception cref="ConfigException">A key is missing, ill-typed or out of range; the message names it.</exception>
        public static ActorSystemSettings Create(Config config)
        {
            var r = new SettingsReader(config, "akkabroker.actor");
            var deadLetters = r.Int("log-dead-letters", 0, int.MaxValue);
            return ActorSystemSettings.Default with
            {
                Throughput = r.Int("throughput", 1, 10_000),
                DefaultAskTimeout = r.Duration("ask-timeout"),
                LogDeadLetters = deadLetters > 0,
                LogDeadLettersMax = Math.Max(deadLetters, 1),
                TestTimeFactor = r.Double("test.timefactor", 0.01, 1000),
            };
        }
    }
}
