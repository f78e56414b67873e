using AkkaBroker.Client;
using AkkaBroker.Hocon;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AkkaBroker.Hosting;

/// <summary>Runs AkkaBroker producers and push consumers inside a service's generic host.</summary>
public static class AkkaBrokerClientServiceCollectionExtensions
{
    /// <summary>
    /// Adds the producers and consumers <paramref name="configure"/> declares. They start with the host (after the
    /// hosted services registered before, e.g. an <c>AddAkkaBroker</c> node) and stop before them. Calling this again
    /// adds to the same client.
    /// </summary>
    public static IServiceCollection AddAkkaBrokerClient(this IServiceCollection services, Action<AkkaBrokerClientBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        configure(BuilderOf(services));
        return services;
    }

    /// <summary>
    /// Adds the producers and consumers of <paramref name="config"/>'s <c>akkabroker.client</c> section (reference.conf
    /// as fallback), then lets <paramref name="configure"/> add more and register the handlers the section names.
    /// </summary>
    /// <exception cref="ConfigException">A client setting is missing, ill-typed, out of range or unknown.</exception>
    public static IServiceCollection AddAkkaBrokerClient(this IServiceCollection services, Config config, Action<AkkaBrokerClientBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(config);
        var settings = AkkaBrokerClientSettings.Create(config.WithFallback(ReferenceConfig.Load()).Resolve());
        var builder = BuilderOf(services).Apply(settings);
        configure?.Invoke(builder);
        return services;
    }

    /// <summary>Adds the client declared in a HOCON file (see <see cref="NodeConfig.Load"/>; one file may configure a node and its clients).</summary>
    /// <exception cref="ConfigException">Syntax error, unknown key, or a bad client setting.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IServiceCollection AddAkkaBrokerClient(this IServiceCollection services, string configFile, Action<AkkaBrokerClientBuilder>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(configFile);
        return services.AddAkkaBrokerClient(NodeConfig.Load(configFile), configure);
    }

    private static AkkaBrokerClientBuilder BuilderOf(IServiceCollection services)
    {
        foreach (var d in services)
        {
            if (d.ServiceType == typeof(AkkaBrokerClientBuilder) && d.ImplementationInstance is AkkaBrokerClientBuilder existing) return existing;
        }

        var builder = new AkkaBrokerClientBuilder(services);
        services.AddSingleton(builder);
        services.AddSingleton(sp => new AkkaBrokerProducers(builder, sp));
        services.AddSingleton(sp => new AkkaBrokerConsumers(builder, sp));
        services.AddHostedService<AkkaBrokerClientHostedService>();
        return builder;
    }

    internal static AkkaBrokerClientContext ContextOf(AkkaBrokerClientBuilder builder, IServiceProvider services) =>
        new(builder.NameServers, services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance, services, builder.SerializeType);
}

/// <summary>The hosted producers by name; each is started by the host (send only after the host has started).</summary>
public sealed class AkkaBrokerProducers
{
    private readonly Dictionary<string, Producer> _producers = new(StringComparer.Ordinal);

    internal AkkaBrokerProducers(AkkaBrokerClientBuilder builder, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var context = AkkaBrokerClientServiceCollectionExtensions.ContextOf(builder, services);
        foreach (var p in builder.Producers) _producers[p.Name] = new Producer(p.Options(context));
    }

    /// <summary>The names of the producers.</summary>
    public IReadOnlyCollection<string> Names => _producers.Keys;

    /// <summary>The producer named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No producer has that name.</exception>
    public Producer this[string name] => _producers.TryGetValue(name, out var producer)
        ? producer
        : throw new KeyNotFoundException($"no producer named '{name}'; declared: {string.Join(", ", _producers.Keys)}");

    /// <summary>The producer named <paramref name="name"/>, if declared.</summary>
    public bool TryGet(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Producer producer) => _producers.TryGetValue(name, out producer);

    internal IEnumerable<Producer> All => _producers.Values;
}

/// <summary>The hosted push consumers by group; started and shut down by the host.</summary>
public sealed class AkkaBrokerConsumers
{
    private readonly Dictionary<string, PushConsumer> _consumers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _handlersCancelled = new();

    internal AkkaBrokerConsumers(AkkaBrokerClientBuilder builder, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var context = AkkaBrokerClientServiceCollectionExtensions.ContextOf(builder, services);
        var scopes = services.GetRequiredService<IServiceScopeFactory>();
        var cancelled = _handlersCancelled.Token;
        foreach (var registration in builder.Consumers)
        {
            var options = registration.Options(context);
            if (_consumers.ContainsKey(options.ConsumerGroup))
                throw new InvalidOperationException($"consumer group '{options.ConsumerGroup}' is declared twice; one consumer per group in a process");
            var consumer = new PushConsumer(options);
            foreach (var s in registration.Subscriptions) consumer.Subscribe(s.Topic, s.Expression);
            var resolve = registration.Handler;
            async Task<ConsumeResult> HandleAsync(IReadOnlyList<MessageExt> batch)
            {
                await using var scope = scopes.CreateAsyncScope();
                return await resolve(scope.ServiceProvider).HandleAsync(batch, cancelled).ConfigureAwait(false);
            }

            if (registration.Orderly)
            {
                consumer.RegisterOrderlyListener(async batch =>
                    await HandleAsync(batch).ConfigureAwait(false) == ConsumeResult.Success ? OrderlyConsumeResult.Success : OrderlyConsumeResult.SuspendCurrentQueueAMoment);
            }
            else
            {
                consumer.RegisterListener(HandleAsync);
            }

            _consumers[options.ConsumerGroup] = consumer;
        }
    }

    /// <summary>The consumer groups.</summary>
    public IReadOnlyCollection<string> Groups => _consumers.Keys;

    /// <summary>The consumer of <paramref name="group"/>.</summary>
    /// <exception cref="KeyNotFoundException">No consumer of that group.</exception>
    public PushConsumer this[string group] => _consumers.TryGetValue(group, out var consumer)
        ? consumer
        : throw new KeyNotFoundException($"no consumer of group '{group}'; declared: {string.Join(", ", _consumers.Keys)}");

    internal IEnumerable<PushConsumer> All => _consumers.Values;

    internal void CancelHandlers() => _handlersCancelled.Cancel();
}

internal sealed class AkkaBrokerClientHostedService(
    AkkaBrokerClientBuilder builder, AkkaBrokerProducers producers, AkkaBrokerConsumers consumers, ILogger<AkkaBrokerClientHostedService> log) : IHostedService
{
    private readonly List<Producer> _startedProducers = [];
    private readonly List<PushConsumer> _startedConsumers = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Producers first: a handler may produce.
            foreach (var producer in producers.All)
            {
                await producer.StartAsync(cancellationToken);
                _startedProducers.Add(producer);
            }

            foreach (var consumer in consumers.All)
            {
                await consumer.StartAsync(cancellationToken);
                _startedConsumers.Add(consumer);
            }
        }
        catch
        {
            await StopAsync(CancellationToken.None);
            throw;
        }

        log.LogInformation("AkkaBroker client up: {Producers} producer(s), {Consumers} consumer(s)", _startedProducers.Count, _startedConsumers.Count);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Handlers still running when the shutdown time-out (or the host's) is up are cancelled; the consumers then
        // commit what is done.
        using var handlersDeadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        handlersDeadline.CancelAfter(builder.ShutdownTimeout);
        await using var cancelHandlers = handlersDeadline.Token.Register(consumers.CancelHandlers);

        // Consumers first: they stop pulling, let running handlers finish, commit offsets and leave their groups.
        await ShutdownAllAsync(_startedConsumers.Select(c => (c.ShutdownAsync(), "consumer")).ToList(), cancellationToken);
        _startedConsumers.Clear();
        await ShutdownAllAsync(_startedProducers.Select(p => (p.ShutdownAsync(), "producer")).ToList(), cancellationToken);
        _startedProducers.Clear();
    }

    private async Task ShutdownAllAsync(List<(Task Task, string What)> shutdowns, CancellationToken cancellationToken)
    {
        try
        {
            // Beyond the handlers' time-out: a few seconds for commits and unregistering.
            await Task.WhenAll(shutdowns.Select(t => t.Task)).WaitAsync(builder.ShutdownTimeout + TimeSpan.FromSeconds(10), cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            log.LogWarning("AkkaBroker client shutdown gave up waiting after {Timeout} (or the host's time-out)", builder.ShutdownTimeout);
        }
        catch (Exception)
        {
            foreach (var (task, what) in shutdowns.Where(t => t.Task.IsFaulted))
                log.LogWarning(task.Exception!.GetBaseException(), "A {What} failed to shut down cleanly", what);
        }
    }
}
