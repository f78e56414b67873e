using System.Net;
using System.Text;
using AkkaBroker.Actors;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;
using AkkaBroker.TestKit;

namespace AkkaBroker.NameServer.Tests;

/// <summary>
/// A name server in a fresh actor system on virtual time, its handler served on 127.0.0.1 port 0, and one client
/// connection. Time moves only with <see cref="Advance"/>, so expiry tests never sleep.
/// </summary>
internal sealed class NameServerFixture : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    public const string Cluster = "DefaultCluster";

    private static int s_systems;
    private readonly List<RemotingConnection> _connections = [];

    private NameServerFixture(ActorSystem system, RemotingServer server, RemotingConnection client)
    {
        System = system;
        Server = server;
        Client = client;
        _connections.Add(client);
    }

    public ActorSystem System { get; }

    public RemotingServer Server { get; }

    /// <summary>The default connection: a client, or a broker when a test registers on it.</summary>
    public RemotingConnection Client { get; }

    public VirtualTimeScheduler Clock => (VirtualTimeScheduler)System.Scheduler;

    public static NameServerSettings Settings(bool orderMessageEnable = false) => new()
    {
        ListenAddress = "127.0.0.1",
        ListenPort = 9876,
        ScanNotActiveBrokerInterval = TimeSpan.FromSeconds(10),
        BrokerChannelExpiredTime = TimeSpan.FromSeconds(120),
        OrderMessageEnable = orderMessageEnable,
    };

    public static async Task<NameServerFixture> StartAsync(NameServerSettings? settings = null)
    {
        var system = ActorSystem.Create("namesrv-test-" + Interlocked.Increment(ref s_systems),
            ActorSystemSettings.Default with { SchedulerFactory = static _ => new VirtualTimeScheduler() });
        var guardian = system.ActorOf(NameServerGuardian.Props(settings ?? Settings()), "namesrv");
        var ready = await guardian.Ask<NameServerGuardian.Ready>(NameServerGuardian.Start.Instance, Deadline);
        var server = new RemotingServer(ready.Handler);
        await server.StartAsync(new IPEndPoint(IPAddress.Loopback, 0));
        var client = await RemotingClient.OpenAsync("127.0.0.1", server.EndPoint!.Port);
        return new NameServerFixture(system, server, client);
    }

    /// <summary>Another connection (a second broker, or one a test closes).</summary>
    public async Task<RemotingConnection> ConnectAsync()
    {
        var connection = await RemotingClient.OpenAsync("127.0.0.1", Server.EndPoint!.Port);
        _connections.Add(connection);
        return connection;
    }

    public void Advance(TimeSpan by) => Clock.Advance(by);

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections) await connection.DisposeAsync();
        await Server.DisposeAsync();
        await System.Terminate().WaitAsync(Deadline);
    }

    public Task<RemotingCommand> InvokeAsync(RemotingCommand request, RemotingConnection? on = null) =>
        (on ?? Client).InvokeAsync(request, Deadline);

    public static RemotingCommand Request(int code, Dictionary<string, string>? ext = null, byte[]? body = null, int version = RemotingCommand.DefaultVersion)
    {
        var request = RemotingCommand.CreateRequest(code, ext, body ?? default(ReadOnlyMemory<byte>));
        request.Version = version;
        return request;
    }

    public static RemotingCommand Request<THeader>(int code, THeader header, byte[]? body = null, int version = RemotingCommand.DefaultVersion)
        where THeader : class, IExtFieldsHeader<THeader> =>
        Request(code, header.ToExtFields(), body, version);

    public static RegisterBrokerBody Body(long counter, params TopicConfig[] topics)
    {
        var body = new RegisterBrokerBody();
        body.TopicConfigSerializeWrapper.DataVersion = new DataVersion { Counter = counter, Timestamp = 1_700_000_000_000 + counter };
        foreach (var topic in topics) body.TopicConfigSerializeWrapper.TopicConfigTable[topic.TopicName] = topic;
        return body;
    }

    public static TopicConfig Topic(string name, int queues = 8, int perm = 6, int sysFlag = 0) =>
        new() { TopicName = name, ReadQueueNums = queues, WriteQueueNums = queues, Perm = perm, TopicSysFlag = sysFlag };

    /// <summary>Registers a broker (plain JSON body) and returns the response, asserting SUCCESS.</summary>
    public async Task<RemotingCommand> RegisterAsync(
        string brokerName, string addr, long brokerId, RegisterBrokerBody body, RemotingConnection? on = null, string cluster = Cluster)
    {
        var header = new RegisterBrokerRequestHeader(brokerName, addr, cluster, HaAddr(addr), brokerId);
        var response = await InvokeAsync(Request(RequestCode.RegisterBroker, header, RemotingJson.Serialize(body)), on);
        Assert.Equal(ResponseCode.Success, response.Code);
        return response;
    }

    public static string HaAddr(string addr) => addr.Replace(":10911", ":10912", StringComparison.Ordinal);

    public async Task<RemotingCommand> RouteAsync(string topic, int version = RemotingCommand.DefaultVersion, bool? standardOnly = null) =>
        await InvokeAsync(Request(RequestCode.GetRouteinfoByTopic, new GetRouteInfoRequestHeader(topic, standardOnly), version: version));

    /// <summary>The topic's route, asserting SUCCESS.</summary>
    public async Task<TopicRouteData> RouteDataAsync(string topic)
    {
        var response = await RouteAsync(topic);
        Assert.True(response.Code == ResponseCode.Success, $"route of {topic}: {response.Code} {response.Remark}");
        return Parse<TopicRouteData>(response);
    }

    public async Task<ClusterInfo> ClusterInfoAsync()
    {
        var response = await InvokeAsync(Request(RequestCode.GetBrokerClusterInfo));
        Assert.Equal(ResponseCode.Success, response.Code);
        return Parse<ClusterInfo>(response);
    }

    /// <summary>Polls (with the deadline) until the topic has no route: for effects driven by another thread.</summary>
    public async Task WaitUntilNoRouteAsync(string topic)
    {
        var end = DateTime.UtcNow + Deadline;
        while ((await RouteAsync(topic)).Code != ResponseCode.TopicNotExist)
        {
            Assert.True(DateTime.UtcNow < end, $"{topic} still has a route at the deadline");
            await Task.Delay(10);
        }
    }

    public static T Parse<T>(RemotingCommand response) where T : class
    {
        Assert.True(RemotingJson.TryDeserialize<T>(response.Body.Span, out var body, out var error), error);
        return body!;
    }

    public static string Text(RemotingCommand response) => Encoding.UTF8.GetString(response.Body.Span);
}
