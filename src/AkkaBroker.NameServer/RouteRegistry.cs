using AkkaBroker.Actors;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.NameServer;

/// <summary>
/// The one owner of the name server's state: the <see cref="RouteTable"/> and the <see cref="KvConfigTable"/>.
/// Processors parse and validate requests, then tell this actor a request message; it answers on the request's
/// connection itself. Brokers leave when they unregister, when the connection they registered on closes (at once),
/// or when they have not registered for broker-channel-expired-time (checked every scan-not-active-broker-interval,
/// on the actor system's scheduler clock, so tests move time with a virtual scheduler).
/// </summary>
public sealed class RouteRegistry : ActorBase
{
    /// <summary>A request this actor answers.</summary>
    public interface IRequest
    {
        /// <summary>Where the answer goes.</summary>
        RemotingReply Reply { get; }
    }

    /// <summary>REGISTER_BROKER (103), body already decoded (plain or compressed).</summary>
    /// <param name="Header">The request header.</param>
    /// <param name="Body">Topics and filter servers.</param>
    /// <param name="Reply">Where the answer goes.</param>
    public sealed record RegisterBroker(RegisterBrokerRequestHeader Header, RegisterBrokerBody Body, RemotingReply Reply) : IRequest;

    /// <summary>UNREGISTER_BROKER (104).</summary>
    /// <param name="Header">The request header.</param>
    /// <param name="Reply">Where the answer goes.</param>
    public sealed record UnregisterBroker(UnregisterBrokerRequestHeader Header, RemotingReply Reply) : IRequest;

    /// <summary>QUERY_DATA_VERSION (322).</summary>
    /// <param name="Header">The request header.</param>
    /// <param name="Version">The broker's DataVersion from the body.</param>
    /// <param name="Reply">Where the answer goes.</param>
    public sealed record QueryDataVersion(QueryDataVersionRequestHeader Header, DataVersion Version, RemotingReply Reply) : IRequest;

    /// <summary>GET_ROUTEINFO_BY_TOPIC (105).</summary>
    /// <param name="Topic">The topic.</param>
    /// <param name="BareIntegerKeys">Answer with fastjson's bare brokerAddrs keys (old clients, reference §6.2).</param>
    /// <param name="Reply">Where the answer goes.</param>
    public sealed record GetRoute(string Topic, bool BareIntegerKeys, RemotingReply Reply) : IRequest;

    /// <summary>GET_BROKER_CLUSTER_INFO (106).</summary>
    /// <param name="BareIntegerKeys">Answer with fastjson's bare brokerAddrs keys.</param>
    /// <param name="Reply">Where the answer goes.</param>
    public sealed record GetClusterInfo(bool BareIntegerKeys, RemotingReply Reply) : IRequest;

    /// <summary>GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206).</summary>
    /// <param name="Reply">Where the answer goes.</param>
    public sealed record GetAllTopics(RemotingReply Reply) : IRequest;

    /// <summary>GET_TOPICS_BY_CLUSTER (224).</summary>
    /// <param name="Cluster">The cluster.</param>
    /// <param name="Reply">Where the answer goes.</param>
    public sealed record GetTopicsByCluster(string Cluster, RemotingReply Reply) : IRequest;

    /// <summary>DELETE_TOPIC_IN_NAMESRV (216).</summary>
    /// <param name="Topic">The topic.</param>
    /// <param name="Reply">Where the answer goes.</param>
    public sealed record DeleteTopic(string Topic, RemotingReply Reply) : IRequest;

    /// <summary>PUT_KV_CONFIG (100).</summary>
    /// <param name="Namespace">KV namespace.</param>
    /// <param name="Key">Key.</param>
    /// <param name="Value">Value.</param>
    /// <param name="Reply">Where the answer goes.</param>
    public sealed record PutKv(string Namespace, string Key, string Value, RemotingReply Reply) : IRequest;

    /// <summary>GET_KV_CONFIG (101).</summary>
    /// <param name="Namespace">KV namespace.</param>
    /// <param name="Key">Key.</param>
    /// <param name="Reply">Where the answer goes.</param>
    public sealed record GetKv(string Namespace, string Key, RemotingReply Reply) : IRequest;

    /// <summary>DELETE_KV_CONFIG (102).</summary>
    /// <param name="Namespace">KV namespace.</param>
    /// <param name="Key">Key.</param>
    /// <param name="Reply">Where the answer goes.</param>
    public sealed record DeleteKv(string Namespace, string Key, RemotingReply Reply) : IRequest;

    /// <summary>GET_KVLIST_BY_NAMESPACE (219).</summary>
    /// <param name="Namespace">KV namespace.</param>
    /// <param name="Reply">Where the answer goes.</param>
    public sealed record GetKvList(string Namespace, RemotingReply Reply) : IRequest;

    private sealed record ConnectionClosed(RemotingConnection Connection);

    private sealed record ScanTick
    {
        public static readonly ScanTick Instance = new();
    }

    private readonly NameServerSettings _settings;
    private readonly RouteTable _routes = new();
    private readonly KvConfigTable _kv;
    private readonly IKvConfigStore? _kvStore;
    private readonly HashSet<RemotingConnection> _watched = [];

    /// <summary>
    /// Creates the registry for the given settings, starting from <paramref name="kv"/> (as loaded) and saving its
    /// changes to <paramref name="kvStore"/> (null: memory only).
    /// </summary>
    public RouteRegistry(NameServerSettings settings, KvConfigTable? kv = null, IKvConfigStore? kvStore = null)
    {
        _settings = settings;
        _kv = kv ?? new KvConfigTable();
        _kvStore = kvStore;
    }

    /// <summary>Props for a registry of these settings.</summary>
    public static Props Props(NameServerSettings settings, KvConfigTable? kv = null, IKvConfigStore? kvStore = null) =>
        Actors.Props.Create(() => new RouteRegistry(settings, kv, kvStore));

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    /// <inheritdoc />
    protected override void PreStart() =>
        Timers.StartPeriodicTimer(ScanTick.Instance, ScanTick.Instance, _settings.ScanNotActiveBrokerInterval);

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        try
        {
            Handle(message);
        }
        catch (Exception e) when (message is IRequest request)
        {
            // A bug answering one request must neither lose the route state (a restart would) nor leave the peer waiting.
            Log.LogError(e, "Name server request {Request} failed", request.Reply.Request);
            request.Reply.Send(ResponseCode.SystemError, e.Message);
        }
    }

    // Answers a KV change once it is in the file; a failed write is reported (the change holds in memory only).
    private void PersistKv(RemotingReply reply)
    {
        try
        {
            _kvStore?.Save(_kv.Snapshot());
            reply.Send(ResponseCode.Success);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.LogError(e, "Could not save the KV config to {Location}", _kvStore!.Location);
            reply.Send(ResponseCode.SystemError, $"applied in memory, but saving {_kvStore.Location} failed: {e.Message}");
        }
    }

    private void Handle(object message)
    {
        switch (message)
        {
            case RegisterBroker m: OnRegister(m); break;
            case UnregisterBroker m: OnUnregister(m); break;
            case QueryDataVersion m: OnQueryDataVersion(m); break;
            case GetRoute m: OnGetRoute(m); break;
            case GetClusterInfo m: m.Reply.SendBody(_routes.ClusterInfo(), m.BareIntegerKeys); break;
            case GetAllTopics m: m.Reply.SendBody(new TopicList { Topics = _routes.TopicNames.Order(StringComparer.Ordinal).ToList() }); break;
            case GetTopicsByCluster m: m.Reply.SendBody(new TopicList { Topics = _routes.TopicsOfCluster(m.Cluster) }); break;
            case DeleteTopic m:
                if (_routes.DeleteTopic(m.Topic)) Log.LogInformation("Topic {Topic} deleted from the name server", m.Topic);
                m.Reply.Send(ResponseCode.Success);
                break;
            case PutKv m:
                _kv.Put(m.Namespace, m.Key, m.Value);
                PersistKv(m.Reply);
                break;
            case GetKv m: OnGetKv(m); break;
            case DeleteKv m:
                if (_kv.Delete(m.Namespace, m.Key)) PersistKv(m.Reply);
                else m.Reply.Send(ResponseCode.Success);
                break;
            case GetKvList m:
                if (_kv.List(m.Namespace) is { } table) m.Reply.SendBody(table);
                else m.Reply.Send(ResponseCode.QueryNotFound, $"No config item, Namespace: {m.Namespace}");
                break;
            case ConnectionClosed m: OnConnectionClosed(m.Connection); break;
            case ScanTick: ScanNotActiveBrokers(); break;
            default: Unhandled(message); break;
        }
    }

    private void OnRegister(RegisterBroker m)
    {
        var h = m.Header;
        var isNew = !_routes.LiveBrokers.ContainsKey(h.BrokerAddr);
        var connection = m.Reply.Connection;
        var result = _routes.Register(
            new RouteTable.Registration(h.ClusterName, h.BrokerName, h.BrokerAddr, h.BrokerId, h.HaServerAddr, m.Body), Now, connection);
        if (isNew)
        {
            Log.LogInformation("Broker registered: {Cluster}/{BrokerName} id {BrokerId} at {BrokerAddr} ({Topics} topics, from {Remote})",
                h.ClusterName, h.BrokerName, h.BrokerId, h.BrokerAddr, m.Body.TopicConfigSerializeWrapper.TopicConfigTable.Count, connection.RemoteAddress);
        }

        WatchConnection(connection);
        var response = RemotingCommand.CreateResponse(m.Reply.Request, ResponseCode.Success);
        response.WriteHeader(new RegisterBrokerResponseHeader(result.HaServerAddr, result.MasterAddr));
        if (_kv.List(KvConfigTable.OrderTopicConfigNamespace) is { } orderTopics) response.Body = RemotingJson.Serialize(orderTopics);
        m.Reply.Send(response);
    }

    private void OnUnregister(UnregisterBroker m)
    {
        var h = m.Header;
        if (_routes.Unregister(h.ClusterName, h.BrokerName, h.BrokerAddr, h.BrokerId))
            Log.LogInformation("Broker unregistered: {Cluster}/{BrokerName} id {BrokerId} at {BrokerAddr}", h.ClusterName, h.BrokerName, h.BrokerId, h.BrokerAddr);
        m.Reply.Send(ResponseCode.Success);
    }

    private void OnQueryDataVersion(QueryDataVersion m)
    {
        var addr = m.Header.BrokerAddr;
        var changed = _routes.IsTopicConfigChanged(addr, m.Version);
        if (!changed) _routes.Touch(addr, Now);
        var response = RemotingCommand.CreateResponse(m.Reply.Request, ResponseCode.Success);
        response.WriteHeader(new QueryDataVersionResponseHeader(changed));
        if (_routes.DataVersionOf(addr) is { } version) response.Body = RemotingJson.Serialize(version);
        m.Reply.Send(response);
    }

    private void OnGetRoute(GetRoute m)
    {
        var orderConf = _settings.OrderMessageEnable ? _kv.Get(KvConfigTable.OrderTopicConfigNamespace, m.Topic) : null;
        if (_routes.Route(m.Topic, orderConf) is { } route) m.Reply.SendBody(route, m.BareIntegerKeys);
        else m.Reply.Send(ResponseCode.TopicNotExist, $"No topic route info in name server for the topic: {m.Topic}");
    }

    private void OnGetKv(GetKv m)
    {
        if (_kv.Get(m.Namespace, m.Key) is not { } value)
        {
            m.Reply.Send(ResponseCode.QueryNotFound, $"No config item, Namespace: {m.Namespace} Key: {m.Key}");
            return;
        }

        var response = RemotingCommand.CreateResponse(m.Reply.Request, ResponseCode.Success);
        response.WriteHeader(new GetKvConfigResponseHeader(value));
        m.Reply.Send(response);
    }

    private void WatchConnection(RemotingConnection connection)
    {
        if (!_watched.Add(connection)) return;
        // Closed never faults; an already-closed connection reports at once, so a registration racing a close still leaves.
        connection.Closed.ContinueWith(
            static (_, state) =>
            {
                var (self, closed) = ((IActorRef, RemotingConnection))state!;
                self.Tell(new ConnectionClosed(closed));
            },
            (Self, connection), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnConnectionClosed(RemotingConnection connection)
    {
        _watched.Remove(connection);
        foreach (var addr in _routes.AddressesOn(connection))
        {
            _routes.RemoveAddress(addr);
            Log.LogInformation("Broker {BrokerAddr} removed: its connection {Remote} closed ({Reason})", addr, connection.RemoteAddress, connection.CloseReason);
        }
    }

    private void ScanNotActiveBrokers()
    {
        foreach (var addr in _routes.ExpiredAddresses(Now, _settings.BrokerChannelExpiredTime))
        {
            _routes.RemoveAddress(addr);
            Log.LogWarning("Broker {BrokerAddr} removed: not registered for {Expiry}", addr, _settings.BrokerChannelExpiredTime);
        }
    }
}
