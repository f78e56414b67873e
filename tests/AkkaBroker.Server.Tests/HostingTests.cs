using AkkaBroker.TestKit;
using AkkaBroker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace AkkaBroker.Server.Tests;

/// <summary>A node inside a service's own generic host (<c>AddAkkaBroker</c>).</summary>
public sealed class HostingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("akkabroker-hosting-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string StoreOverride(string path) => $"akkabroker.store.store-path-root-dir = \"{path.Replace("\\", "/")}\"";

    [Fact]
    public async Task A_service_host_starts_and_stops_an_embedded_node()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddAkkaBroker(NodeConfig.Load(null, [StoreOverride(Path.Combine(_dir, "store")), "akkabroker.roles = [broker]", .. FreePorts.NodeOverrides(out _, out _)]));
        using var host = builder.Build();
        var holder = host.Services.GetRequiredService<AkkaBrokerNodeHolder>();

        await host.StartAsync();
        var node = Assert.IsType<AkkaBrokerNode>(holder.Node);
        Assert.Equal(NodeRoles.Broker, node.Roles);
        Assert.True(Directory.Exists(Path.Combine(_dir, "store")));

        await host.StopAsync();
        Assert.Null(holder.Node);
        Assert.True(node.System.WhenTerminated.IsCompleted);
    }

    [Fact]
    public async Task A_node_that_cannot_start_fails_its_start_with_the_reason()
    {
        var blocker = Path.Combine(_dir, "file");
        await File.WriteAllTextAsync(blocker, "not a folder");
        var config = NodeConfig.Load(null, [StoreOverride(blocker), .. FreePorts.NodeOverrides(out _, out _)]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => AkkaBrokerNode.StartAsync(config, NullLoggerFactory.Instance));

        Assert.Contains("store folder", error.Message);
    }

    [Fact]
    public async Task Roles_start_in_order_and_the_system_terminates_on_stop()
    {
        var config = NodeConfig.Load(null, [StoreOverride(Path.Combine(_dir, "s2")), .. FreePorts.NodeOverrides(out _, out _)]);
        var node = await AkkaBrokerNode.StartAsync(config, NullLoggerFactory.Instance);

        Assert.Equal(NodeRoles.NameServer | NodeRoles.Broker, node.Roles);
        await node.StopAsync(TimeSpan.FromSeconds(10));
        await node.System.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
