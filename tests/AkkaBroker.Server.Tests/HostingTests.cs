using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;
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
    public async Task The_name_servers_kv_config_survives_a_restart_and_a_corrupt_file_stops_the_start()
    {
        var node = await EmbeddedNode.StartAsync();
        var path = Path.Combine(node.StoreRoot, "namesrv", "kvConfig.json");
        try
        {
            Assert.Equal(ResponseCode.Success, (await KvAsync(node, Req(RequestCode.PutKvConfig, new PutKvConfigRequestHeader("ORDER_TOPIC_CONFIG", "TopicA", "broker-a:4")))).Code);
            Assert.Equal(ResponseCode.Success, (await KvAsync(node, Req(RequestCode.PutKvConfig, new PutKvConfigRequestHeader("ORDER_TOPIC_CONFIG", "TopicB", "broker-a:8")))).Code);
            Assert.Equal(ResponseCode.Success, (await KvAsync(node, Req(RequestCode.DeleteKvConfig, new DeleteKvConfigRequestHeader("ORDER_TOPIC_CONFIG", "TopicA")))).Code);
            var json = await File.ReadAllTextAsync(path);
            Assert.Contains("\"configTable\"", json); // Java's KVConfigSerializeWrapper shape
            Assert.Contains("\"TopicB\": \"broker-a:8\"", json);

            await node.RestartAsync();
            var kept = await KvAsync(node, Req(RequestCode.GetKvConfig, new GetKvConfigRequestHeader("ORDER_TOPIC_CONFIG", "TopicB")));
            Assert.Equal("broker-a:8", kept.ReadHeader<GetKvConfigResponseHeader>(out _)!.Value);
            Assert.Equal(ResponseCode.QueryNotFound, (await KvAsync(node, Req(RequestCode.GetKvConfig, new GetKvConfigRequestHeader("ORDER_TOPIC_CONFIG", "TopicA")))).Code);
            await node.StopAsync();

            // Neither copy readable: starting empty would silently drop the config, so the start fails and names the file.
            await File.WriteAllTextAsync(path, "{ not json");
            await File.WriteAllTextAsync(path + ".bak", "{ nor this");
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => node.RestartAsync());
            Assert.Contains(path, error.Message);
        }
        finally
        {
            Directory.Delete(node.StoreRoot, recursive: true);
        }

        static async Task<RemotingCommand> KvAsync(EmbeddedNode node, RemotingCommand request)
        {
            await using var connection = await RemotingClient.OpenAsync("127.0.0.1", node.NameServerPort);
            return await connection.InvokeAsync(request, TimeSpan.FromSeconds(10));
        }

        static RemotingCommand Req<T>(int code, T header)
            where T : class, IExtFieldsHeader<T>
        {
            var request = RemotingCommand.CreateRequest(code);
            request.WriteHeader(header);
            return request;
        }
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
