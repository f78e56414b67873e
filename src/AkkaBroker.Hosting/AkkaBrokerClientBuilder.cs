using AkkaBroker.Client;
using AkkaBroker.Common.Naming;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Hosting;

/// <summary>
/// Consumes the messages of a hosted push consumer. Resolved from DI in a fresh scope for every batch (so it may
/// depend on scoped services).
/// </summary>
public interface IMessageHandler
{
    /// <summary>Handles a batch (one message unless the consumer's batch size is larger).</summary>
    /// <param name="messages">The batch.</param>
    /// <param name="cancellationToken">Cancelled when a graceful stop runs out of time.</param>
    /// <returns><see cref="ConsumeResult.Success"/>, or <see cref="ConsumeResult.ReconsumeLater"/> to have the batch redelivered (a thrown exception counts as that too).</returns>
    Task<ConsumeResult> HandleAsync(IReadOnlyList<MessageExt> messages, CancellationToken cancellationToken);
}

/// <summary>A topic a hosted consumer subscribes, with its tag expression.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Expression">Tag expression: <c>*</c>, or <c>TagA || TagB</c>.</param>
public sealed record TopicSubscription(string Topic, string Expression = "*");

/// <summary>What option factories get: the builder's name servers and header encoding, the host's logging and services.</summary>
/// <param name="NameServers">The name servers configured on the builder.</param>
/// <param name="LoggerFactory">The host's logger factory.</param>
/// <param name="Services">The host's services.</param>
/// <param name="SerializeType">The header encoding configured on the builder (<see cref="ClientOptions.SerializeType"/>).</param>
public sealed record AkkaBrokerClientContext(
    IReadOnlyList<string> NameServers, ILoggerFactory LoggerFactory, IServiceProvider Services, SerializeType SerializeType);

/// <summary>
/// Declares the producers and push consumers a service runs in its generic host
/// (<see cref="AkkaBrokerClientServiceCollectionExtensions.AddAkkaBrokerClient(IServiceCollection, Action{AkkaBrokerClientBuilder})"/>).
/// Producers are singletons resolved by name through the <see cref="AkkaBrokerProducers"/> singleton (not registered
/// as <see cref="Producer"/> themselves: the host, not the container, shuts them down);
/// consumers call an <see cref="IMessageHandler"/> resolved from DI. Both start with the host; a graceful stop shuts
/// consumers down first (running handlers finish, offsets are committed, they leave their groups), then producers.
/// </summary>
public sealed class AkkaBrokerClientBuilder
{
    private readonly List<ProducerRegistration> _producers = [];
    private readonly List<ConsumerRegistration> _consumers = [];

    internal AkkaBrokerClientBuilder(IServiceCollection services) => Services = services;

    /// <summary>The service collection (to register handlers and their dependencies).</summary>
    public IServiceCollection Services { get; }

    /// <summary>Name servers, <c>host:port</c>, of producers and consumers declared without their own options.</summary>
    public IReadOnlyList<string> NameServers { get; private set; } = ["127.0.0.1:9876"];

    /// <summary>How long a graceful stop may take before running handlers are cancelled (default 30 s).</summary>
    public TimeSpan ShutdownTimeout { get; private set; } = TimeSpan.FromSeconds(30);

    /// <summary>How producers and consumers declared without their own options encode request headers (default binary).</summary>
    public SerializeType SerializeType { get; private set; } = SerializeType.Rocketmq;

    internal IReadOnlyList<ProducerRegistration> Producers => _producers;

    internal IReadOnlyList<ConsumerRegistration> Consumers => _consumers;

    /// <summary>Sets the name servers.</summary>
    public AkkaBrokerClientBuilder WithNameServers(params string[] addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        if (addresses.Length == 0) throw new ArgumentException("name at least one name server", nameof(addresses));
        NameServers = addresses.ToArray();
        return this;
    }

    /// <summary>Sets how long a graceful stop may take.</summary>
    public AkkaBrokerClientBuilder WithShutdownTimeout(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(timeout), "must be positive");
        ShutdownTimeout = timeout;
        return this;
    }

    /// <summary>Sets how request headers are encoded (<see cref="ClientOptions.SerializeType"/>).</summary>
    public AkkaBrokerClientBuilder WithSerializeType(SerializeType serializeType)
    {
        if (!Enum.IsDefined(serializeType)) throw new ArgumentOutOfRangeException(nameof(serializeType), serializeType, "not a serialize type");
        SerializeType = serializeType;
        return this;
    }

    /// <summary>Adds a producer resolvable as <paramref name="name"/>, in group <paramref name="producerGroup"/> (default: the name).</summary>
    public AkkaBrokerClientBuilder AddProducer(string name, string? producerGroup = null)
    {
        var group = producerGroup ?? name;
        if (ResourceNames.ValidateGroup(group) is { } invalid) throw new ArgumentException(invalid, nameof(producerGroup));
        return AddProducer(name, c => new ProducerOptions
        {
            NamesrvAddr = c.NameServers, ProducerGroup = group, SerializeType = c.SerializeType, LoggerFactory = c.LoggerFactory,
        });
    }

    /// <summary>Adds a producer resolvable as <paramref name="name"/>, with options built when the host is built.</summary>
    public AkkaBrokerClientBuilder AddProducer(string name, Func<AkkaBrokerClientContext, ProducerOptions> options)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(options);
        if (_producers.Any(p => p.Name == name)) throw new ArgumentException($"a producer named '{name}' is already added", nameof(name));
        _producers.Add(new ProducerRegistration(name, options));
        return this;
    }

    /// <summary>
    /// Adds a push consumer of <paramref name="consumerGroup"/> on <paramref name="topic"/> whose batches go to
    /// <typeparamref name="THandler"/> (resolved from DI per batch; registered as scoped unless already registered).
    /// </summary>
    public AkkaBrokerClientBuilder AddConsumer<THandler>(string consumerGroup, string topic, string expression = "*")
        where THandler : class, IMessageHandler =>
        AddConsumer<THandler>(c => DefaultConsumerOptions(c, consumerGroup), new TopicSubscription(topic, expression));

    /// <summary>Adds a push consumer with options built when the host is built; batches go to <typeparamref name="THandler"/>.</summary>
    public AkkaBrokerClientBuilder AddConsumer<THandler>(Func<AkkaBrokerClientContext, PushConsumerOptions> options, params TopicSubscription[] subscriptions)
        where THandler : class, IMessageHandler => AddConsumer<THandler>(options, subscriptions, orderly: false);

    /// <summary>
    /// Adds an orderly push consumer of <paramref name="consumerGroup"/> on <paramref name="topic"/>: each queue is
    /// locked on its broker and consumed by one member, one batch at a time, in queue order; a batch whose handler
    /// returns <see cref="ConsumeResult.ReconsumeLater"/> (or throws) holds its queue and is handed over again after a pause,
    /// never sent back for a later retry. Batches go to <typeparamref name="THandler"/> (resolved from DI per batch).
    /// </summary>
    public AkkaBrokerClientBuilder AddOrderlyConsumer<THandler>(string consumerGroup, string topic, string expression = "*")
        where THandler : class, IMessageHandler =>
        AddOrderlyConsumer<THandler>(c => DefaultConsumerOptions(c, consumerGroup), new TopicSubscription(topic, expression));

    /// <summary>Adds an orderly push consumer (see <see cref="AddOrderlyConsumer{THandler}(string, string, string)"/>) with options built when the host is built.</summary>
    public AkkaBrokerClientBuilder AddOrderlyConsumer<THandler>(Func<AkkaBrokerClientContext, PushConsumerOptions> options, params TopicSubscription[] subscriptions)
        where THandler : class, IMessageHandler => AddConsumer<THandler>(options, subscriptions, orderly: true);

    private AkkaBrokerClientBuilder AddConsumer<THandler>(Func<AkkaBrokerClientContext, PushConsumerOptions> options, TopicSubscription[] subscriptions, bool orderly)
        where THandler : class, IMessageHandler
    {
        Services.TryAddScoped<THandler>();
        return AddConsumer(options, subscriptions, orderly, typeof(THandler).Name, static sp => sp.GetRequiredService<THandler>());
    }

    /// <summary>
    /// Registers <typeparamref name="THandler"/> as the scoped <see cref="IMessageHandler"/> keyed <paramref name="name"/>,
    /// which consumers declared in HOCON name in their <c>handler</c> key.
    /// </summary>
    public AkkaBrokerClientBuilder AddHandler<THandler>(string name) where THandler : class, IMessageHandler
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Services.AddKeyedScoped<IMessageHandler, THandler>(name);
        return this;
    }

    /// <summary>
    /// Applies the settings read from <c>akkabroker.client</c>: name servers, shutdown time-out, header encoding,
    /// producers and consumers.
    /// </summary>
    public AkkaBrokerClientBuilder Apply(AkkaBrokerClientSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        WithNameServers([.. settings.NameServers]);
        WithShutdownTimeout(settings.ShutdownTimeout);
        WithSerializeType(settings.SerializeType);
        foreach (var p in settings.Producers)
        {
            AddProducer(p.Name, c => new ProducerOptions
            {
                NamesrvAddr = c.NameServers, ProducerGroup = p.Group, SendMsgTimeout = p.SendTimeout,
                RetryTimesWhenSendFailed = p.RetryTimesWhenSendFailed, SerializeType = c.SerializeType, LoggerFactory = c.LoggerFactory,
            });
        }

        foreach (var s in settings.Consumers)
        {
            var handler = s.Handler;
            AddConsumer(c => new PushConsumerOptions
            {
                NamesrvAddr = c.NameServers, ConsumerGroup = s.Group, ConsumeFromWhere = s.ConsumeFrom, MessageModel = s.MessageModel,
                ConsumeMessageBatchMaxSize = s.BatchSize, PullBatchSize = s.PullBatchSize, ConsumeThreadMax = s.ConsumeThreadMax,
                MaxReconsumeTimes = s.MaxReconsumeTimes, SerializeType = c.SerializeType, LoggerFactory = c.LoggerFactory,
            }, s.Subscriptions, s.Orderly, handler, sp => sp.GetRequiredKeyedService<IMessageHandler>(handler));
        }

        return this;
    }

    private AkkaBrokerClientBuilder AddConsumer(Func<AkkaBrokerClientContext, PushConsumerOptions> options, IReadOnlyList<TopicSubscription> subscriptions,
        bool orderly, string handlerName, Func<IServiceProvider, IMessageHandler> handler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(subscriptions);
        if (subscriptions.Count == 0) throw new ArgumentException("subscribe to at least one topic", nameof(subscriptions));
        foreach (var s in subscriptions)
        {
            if (ResourceNames.ValidateTopic(s.Topic) is { } invalid) throw new ArgumentException(invalid, nameof(subscriptions));
        }

        _consumers.Add(new ConsumerRegistration(options, subscriptions.ToArray(), orderly, handlerName, handler));
        return this;
    }

    private static PushConsumerOptions DefaultConsumerOptions(AkkaBrokerClientContext c, string group) =>
        new()
        {
            NamesrvAddr = c.NameServers, ConsumerGroup = group, ConsumeFromWhere = ConsumeFromWhere.ConsumeFromLastOffset, SerializeType = c.SerializeType,
            LoggerFactory = c.LoggerFactory,
        };
}

internal sealed record ProducerRegistration(string Name, Func<AkkaBrokerClientContext, ProducerOptions> Options);

internal sealed record ConsumerRegistration(
    Func<AkkaBrokerClientContext, PushConsumerOptions> Options, IReadOnlyList<TopicSubscription> Subscriptions, bool Orderly, string HandlerName,
    Func<IServiceProvider, IMessageHandler> Handler);
