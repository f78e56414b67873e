using AkkaBroker.Client;
using AkkaBroker.Hocon;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;

namespace AkkaBroker.Hosting;

/// <summary>One producer of <c>akkabroker.client.producers</c>.</summary>
/// <param name="Name">The name it is resolved by (<see cref="AkkaBrokerProducers"/>).</param>
/// <param name="Group">The producer group.</param>
/// <param name="SendTimeout">Time-out of one send, retries included.</param>
/// <param name="RetryTimesWhenSendFailed">Extra attempts after a retryable failure.</param>
public sealed record ProducerSettings(string Name, string Group, TimeSpan SendTimeout, int RetryTimesWhenSendFailed);

/// <summary>One push consumer of <c>akkabroker.client.consumers</c>.</summary>
/// <param name="Group">The consumer group (one consumer per group in a process).</param>
/// <param name="Handler">The key of the <see cref="IMessageHandler"/> registered in DI (<see cref="AkkaBrokerClientBuilder.AddHandler{THandler}"/>).</param>
/// <param name="Subscriptions">Topics with their tag expressions.</param>
/// <param name="ConsumeFrom">Where the group starts without a stored offset.</param>
/// <param name="MessageModel">Clustering (each message to one member) or broadcasting.</param>
/// <param name="BatchSize">Messages per handler call at most.</param>
/// <param name="PullBatchSize">Messages per pull at most.</param>
/// <param name="ConsumeThreadMax">Handler calls running at once at most.</param>
/// <param name="MaxReconsumeTimes">Redeliveries before a message goes to the group's dead-letter topic.</param>
/// <param name="Orderly">Consume each queue in order (a failure holds the queue and retries the same batch).</param>
public sealed record ConsumerSettings(
    string Group, string Handler, IReadOnlyList<TopicSubscription> Subscriptions, ConsumeFromWhere ConsumeFrom, MessageModel MessageModel,
    int BatchSize, int PullBatchSize, int ConsumeThreadMax, int MaxReconsumeTimes, bool Orderly);

/// <summary>
/// Reads <c>akkabroker.client</c>: the producers and push consumers a service runs in its generic host
/// (<see cref="AkkaBrokerClientServiceCollectionExtensions.AddAkkaBrokerClient(Microsoft.Extensions.DependencyInjection.IServiceCollection, Config, Action{AkkaBrokerClientBuilder}?)"/>).
/// </summary>
/// <param name="NameServers">Name servers, <c>host:port</c>.</param>
/// <param name="ShutdownTimeout">How long a graceful stop may take.</param>
/// <param name="SerializeType">How every producer and consumer encodes its request headers.</param>
/// <param name="Producers">The producers.</param>
/// <param name="Consumers">The consumers.</param>
public sealed record AkkaBrokerClientSettings(
    IReadOnlyList<string> NameServers, TimeSpan ShutdownTimeout, SerializeType SerializeType, IReadOnlyList<ProducerSettings> Producers,
    IReadOnlyList<ConsumerSettings> Consumers)
{
    /// <summary>The client settings of a resolved config with reference.conf as fallback.</summary>
    /// <exception cref="ConfigException">A key is missing, ill-typed, out of range or unknown; the message names it.</exception>
    public static AkkaBrokerClientSettings Create(Config config)
    {
        var r = new SettingsReader(config, "akkabroker.client");
        var nameServers = r.StringList("name-servers");
        if (nameServers.Count == 0) throw r.BadValue("name-servers", "name at least one name server");
        foreach (var address in nameServers)
        {
            var colon = address.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
                throw r.BadValue("name-servers", $"'{address}' is not host:port");
        }

        return new AkkaBrokerClientSettings(nameServers, r.Duration("shutdown-timeout"), r.Enum<SerializeType>("serialize-type"), ReadProducers(r),
            ReadConsumers(r));
    }

    private static List<ProducerSettings> ReadProducers(SettingsReader r)
    {
        var list = new List<ProducerSettings>();
        var entries = r.ConfigList("producers");
        for (var i = 0; i < entries.Count; i++)
        {
            var p = new SettingsReader(entries[i], $"{r.Section}.producers.{i}", relative: true);
            var name = p.String("name");
            if (name.Length == 0) throw p.BadValue("name", "must not be empty");
            var group = p.HasPath("group") ? p.Name("group") : ValidGroup(p, "name", name);
            var timeout = p.HasPath("send-timeout") ? p.Duration("send-timeout") : TimeSpan.FromSeconds(3);
            var retries = p.HasPath("retry-times-when-send-failed") ? p.Int("retry-times-when-send-failed", 0, 16) : 2;
            p.RejectUnknownKeys("name", "group", "send-timeout", "retry-times-when-send-failed");
            if (list.Any(x => x.Name == name)) throw p.BadValue("name", $"producer '{name}' is declared twice");
            list.Add(new ProducerSettings(name, group, timeout, retries));
        }

        return list;
    }

    private static List<ConsumerSettings> ReadConsumers(SettingsReader r)
    {
        var list = new List<ConsumerSettings>();
        var entries = r.ConfigList("consumers");
        for (var i = 0; i < entries.Count; i++)
        {
            var c = new SettingsReader(entries[i], $"{r.Section}.consumers.{i}", relative: true);
            var group = c.Name("group");
            var handler = c.String("handler");
            if (handler.Length == 0) throw c.BadValue("handler", "must not be empty");
            var subscriptions = new List<TopicSubscription>();
            var subs = c.ConfigList("subscriptions");
            if (subs.Count == 0) throw c.BadValue("subscriptions", "subscribe to at least one topic");
            for (var j = 0; j < subs.Count; j++)
            {
                var s = new SettingsReader(subs[j], $"{c.Section}.subscriptions.{j}", relative: true);
                var topic = s.TopicName("topic");
                var expression = s.HasPath("expression") ? s.String("expression") : "*";
                s.RejectUnknownKeys("topic", "expression");
                subscriptions.Add(new TopicSubscription(topic, expression));
            }

            var settings = new ConsumerSettings(
                group, handler, subscriptions,
                c.HasPath("consume-from") ? c.Enum<ConsumeFromWhere>("consume-from") : ConsumeFromWhere.ConsumeFromLastOffset,
                c.HasPath("message-model") ? c.Enum<MessageModel>("message-model") : MessageModel.Clustering,
                c.HasPath("consume-message-batch-max-size") ? c.Int("consume-message-batch-max-size", 1, 1024) : 1,
                c.HasPath("pull-batch-size") ? c.Int("pull-batch-size", 1, 1024) : 32,
                c.HasPath("consume-thread-max") ? c.Int("consume-thread-max", 1, 1000) : 20,
                c.HasPath("max-reconsume-times") ? c.Int("max-reconsume-times", -1, 1000) : 16,
                c.HasPath("orderly") && c.Bool("orderly"));
            c.RejectUnknownKeys("group", "handler", "subscriptions", "consume-from", "message-model", "consume-message-batch-max-size",
                "pull-batch-size", "consume-thread-max", "max-reconsume-times", "orderly");
            if (list.Any(x => x.Group == group)) throw c.BadValue("group", $"consumer group '{group}' is declared twice");
            list.Add(settings);
        }

        return list;
    }

    private static string ValidGroup(SettingsReader r, string key, string value) =>
        AkkaBroker.Common.Naming.ResourceNames.ValidateGroup(value) is { } problem ? throw r.BadValue(key, $"used as the group: {problem}") : value;
}
