using System.Text;
using AkkaBroker.Hosting;
using AkkaBroker.Protocol;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;
using AkkaBroker.TestKit;

namespace AkkaBroker.Broker.Tests;

/// <summary>
/// A whole embedded node (name server and broker) on free loopback ports over a temp store, with a remoting client
/// connected to each port: tests talk to it exactly as a RocketMQ client does.
/// </summary>
public sealed class WireNode : IAsyncDisposable
{
    private readonly RemotingClient _client = new(new RemotingOptions { IdleTimeout = Timeout.InfiniteTimeSpan });
    private readonly EmbeddedNode _node;
    private readonly StoreDir? _ownedDir;

    private WireNode(EmbeddedNode node, StoreDir dir, bool ownsDir)
    {
        _node = node;
        Dir = dir;
        _ownedDir = ownsDir ? dir : null;
    }

    /// <summary>The running node.</summary>
    public AkkaBrokerNode Node => _node.Node;

    /// <summary>The node's store folder.</summary>
    public StoreDir Dir { get; }

    /// <summary>The name server's port.</summary>
    public int NameServerPort => _node.NameServerPort;

    /// <summary>The broker's port.</summary>
    public int BrokerPort => _node.BrokerPort;

    /// <summary>The broker's address as routes publish it.</summary>
    public string BrokerAddress => _node.BrokerAddress;

    /// <summary>
    /// Starts a node with both roles and tiny files. <paramref name="more"/> are extra HOCON overrides (e.g. declared
    /// topics). Pass <paramref name="dir"/> to reuse a store (restart tests); otherwise a new temp folder is used and deleted.
    /// </summary>
    public static async Task<WireNode> StartAsync(StoreDir? dir = null, params string[] more)
    {
        var ownsDir = dir is null;
        dir ??= new StoreDir();
        var node = await EmbeddedNode.StartAsync(dir.Path, [.. StoreDir.TinyFiles, .. more]);
        return new WireNode(node, dir, ownsDir);
    }

    /// <summary>Stops the node and starts it again on the same store and ports (a clean restart).</summary>
    public Task RestartAsync() => _node.RestartAsync();

    /// <summary>Sends <paramref name="request"/> to the broker and waits for the answer.</summary>
    public async Task<RemotingCommand> BrokerAsync(RemotingCommand request, TimeSpan? timeout = null)
    {
        var connection = await _client.ConnectAsync("127.0.0.1", BrokerPort);
        return await connection.InvokeAsync(request, timeout ?? TimeSpan.FromSeconds(10));
    }

    /// <summary>Sends <paramref name="request"/> to the name server and waits for the answer.</summary>
    public async Task<RemotingCommand> NameServerAsync(RemotingCommand request, TimeSpan? timeout = null)
    {
        var connection = await _client.ConnectAsync("127.0.0.1", NameServerPort);
        return await connection.InvokeAsync(request, timeout ?? TimeSpan.FromSeconds(10));
    }

    /// <summary>SEND_MESSAGE_V2 of a text body; returns the response.</summary>
    public Task<RemotingCommand> SendAsync(string topic, string body, int queueId = 0, string? tags = null, string? keys = null,
        IEnumerable<KeyValuePair<string, string>>? properties = null, int reconsumeTimes = 0, int? maxReconsumeTimes = null, string group = "PG")
    {
        var props = new List<KeyValuePair<string, string>>();
        if (tags is not null) props.Add(new(MessageProperties.Tags, tags));
        if (keys is not null) props.Add(new(MessageProperties.Keys, keys));
        if (properties is not null) props.AddRange(properties);
        var header = new SendMessageRequestHeader(group, topic, "TBW102", 4, queueId, 0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0,
            MessageProperties.FormatText(props), reconsumeTimes, false, maxReconsumeTimes);
        return BrokerAsync(RemotingCommand.CreateRequest(RequestCode.SendMessageV2, header.ToExtFields(v2: true), Encoding.UTF8.GetBytes(body)));
    }

    /// <summary>PULL_MESSAGE with the SUBSCRIPTION flag (and SUSPEND when <paramref name="suspendMillis"/> is positive).</summary>
    public Task<RemotingCommand> PullAsync(string group, string topic, int queueId, long offset, int max = 32, string subscription = "*",
        long suspendMillis = 0, long? commitOffset = null)
    {
        var flag = PullSysFlag.FlagSubscription | (suspendMillis > 0 ? PullSysFlag.FlagSuspend : 0) | (commitOffset is not null ? PullSysFlag.FlagCommitOffset : 0);
        var header = new PullMessageRequestHeader(group, topic, queueId, offset, max, flag, commitOffset ?? 0, suspendMillis, subscription, 0);
        var request = RemotingCommand.CreateRequest(RequestCode.PullMessage);
        request.WriteHeader(header);
        return BrokerAsync(request, TimeSpan.FromMilliseconds(suspendMillis + 10_000));
    }

    /// <summary>The route of <paramref name="topic"/> from the name server (null when the answer is not SUCCESS).</summary>
    public async Task<TopicRouteData?> RouteAsync(string topic)
    {
        var request = RemotingCommand.CreateRequest(RequestCode.GetRouteinfoByTopic);
        request.WriteHeader(new GetRouteInfoRequestHeader(topic));
        var response = await NameServerAsync(request);
        if (response.Code != ResponseCode.Success) return null;
        Assert.True(RemotingJson.TryDeserialize<TopicRouteData>(response.Body.Span, out var route, out var error), error);
        return route;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _node.DisposeAsync();
        _ownedDir?.Dispose();
    }
}
