using AkkaBroker.Hocon;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Hosting;

/// <summary>Runs an AkkaBroker node (name server and/or broker) inside a generic host.</summary>
public static class AkkaBrokerServiceCollectionExtensions
{
    /// <summary>
    /// Adds a node that starts with the host and stops with it. The node's roles, ports and store come from
    /// <paramref name="config"/> (see <see cref="NodeConfig.Load"/>); a node that fails to start fails the host's start.
    /// </summary>
    public static IServiceCollection AddAkkaBroker(this IServiceCollection services, Config config)
    {
        services.AddSingleton(new AkkaBrokerNodeHolder(config));
        services.AddHostedService<AkkaBrokerHostedService>();
        return services;
    }

    /// <summary>Adds a node configured from a HOCON file (null: the embedded single-node default).</summary>
    public static IServiceCollection AddAkkaBroker(this IServiceCollection services, string? configFile) =>
        services.AddAkkaBroker(NodeConfig.Load(configFile));
}

/// <summary>The node started by the host; <see cref="Node"/> is set once the host has started.</summary>
public sealed class AkkaBrokerNodeHolder
{
    internal AkkaBrokerNodeHolder(Config config) => Config = config;

    /// <summary>The node's effective config.</summary>
    public Config Config { get; }

    /// <summary>The running node, or null before start and after stop.</summary>
    public AkkaBrokerNode? Node { get; internal set; }
}

internal sealed class AkkaBrokerHostedService(AkkaBrokerNodeHolder holder, ILoggerFactory loggerFactory) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken) =>
        holder.Node = await AkkaBrokerNode.StartAsync(holder.Config, loggerFactory, cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (holder.Node is { } node)
        {
            holder.Node = null;
            await node.StopAsync(TimeSpan.FromSeconds(30));
        }
    }
}
