using AkkaBroker.Actors;
using AkkaBroker.Common.Hashing;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.NameServer;

/// <summary>
/// The name server's request code -> processor table. Each processor parses and validates its request where it
/// arrives (a bad header or body is answered SYSTEM_ERROR at once, naming the problem), then tells the
/// <see cref="RouteRegistry"/>, which answers on the connection. Registrations (inflating and parsing a broker's whole
/// topic table) run on one "namesrv-register" lane worker, which also keeps one broker's register/unregister in order;
/// everything else is a small header read and runs on the read loop. Codes not listed here get
/// REQUEST_CODE_NOT_SUPPORTED, so clients fail fast instead of waiting for a timeout as the Java name server makes them.
/// </summary>
public static class NameServerProcessors
{
    /// <summary>Name of the lane that REGISTER_BROKER, UNREGISTER_BROKER and QUERY_DATA_VERSION run on.</summary>
    public const string RegisterLane = "namesrv-register";

    /// <summary>Builds the table for <paramref name="registry"/>; dispose it to stop its lane.</summary>
    public static RequestProcessorTable Create(IActorRef registry, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var table = new RequestProcessorTable(logger);
        var register = table.AddLane(RegisterLane, workers: 1, queueCapacity: 1024);

        table.Register(RequestCode.RegisterBroker, (request, connection) => RegisterBroker(registry, request, connection), register);
        table.Register(RequestCode.UnregisterBroker, (request, connection) =>
            With<UnregisterBrokerRequestHeader>(request, "UNREGISTER_BROKER", h => registry.Tell(new RouteRegistry.UnregisterBroker(h, new(request, connection)))), register);
        table.Register(RequestCode.QueryDataVersion, (request, connection) => QueryDataVersion(registry, request, connection), register);

        table.Register(RequestCode.GetRouteinfoByTopic, (request, connection) =>
            With<GetRouteInfoRequestHeader>(request, "GET_ROUTEINFO_BY_TOPIC", h => registry.Tell(new RouteRegistry.GetRoute(
                h.Topic, RemotingJson.NeedsBareIntegerKeys(request.Version, h.AcceptStandardJsonOnly == true), new(request, connection)))));
        // Java writes this body with bare keys whatever the version; the route's version rule keeps strict parsers working too.
        table.Register(RequestCode.GetBrokerClusterInfo, (request, connection) =>
            Tell(registry, new RouteRegistry.GetClusterInfo(RemotingJson.NeedsBareIntegerKeys(request.Version, false), new(request, connection))));
        table.Register(RequestCode.GetAllTopicListFromNameserver, (request, connection) =>
            Tell(registry, new RouteRegistry.GetAllTopics(new(request, connection))));
        table.Register(RequestCode.GetTopicsByCluster, (request, connection) =>
            With<GetTopicsByClusterRequestHeader>(request, "GET_TOPICS_BY_CLUSTER", h => registry.Tell(new RouteRegistry.GetTopicsByCluster(h.Cluster, new(request, connection)))));
        table.Register(RequestCode.DeleteTopicInNamesrv, (request, connection) =>
            With<DeleteTopicRequestHeader>(request, "DELETE_TOPIC_IN_NAMESRV", h => registry.Tell(new RouteRegistry.DeleteTopic(h.Topic, new(request, connection)))));

        table.Register(RequestCode.PutKvConfig, (request, connection) =>
            With<PutKvConfigRequestHeader>(request, "PUT_KV_CONFIG", h => registry.Tell(new RouteRegistry.PutKv(h.Namespace, h.Key, h.Value, new(request, connection)))));
        table.Register(RequestCode.GetKvConfig, (request, connection) =>
            With<GetKvConfigRequestHeader>(request, "GET_KV_CONFIG", h => registry.Tell(new RouteRegistry.GetKv(h.Namespace, h.Key, new(request, connection)))));
        table.Register(RequestCode.DeleteKvConfig, (request, connection) =>
            With<DeleteKvConfigRequestHeader>(request, "DELETE_KV_CONFIG", h => registry.Tell(new RouteRegistry.DeleteKv(h.Namespace, h.Key, new(request, connection)))));
        table.Register(RequestCode.GetKvlistByNamespace, (request, connection) =>
            With<GetKvListByNamespaceRequestHeader>(request, "GET_KVLIST_BY_NAMESPACE", h => registry.Tell(new RouteRegistry.GetKvList(h.Namespace, new(request, connection)))));
        return table;
    }

    private static ValueTask<RemotingCommand?> RegisterBroker(IActorRef registry, RemotingCommand request, RemotingConnection connection)
    {
        var header = request.ReadHeader<RegisterBrokerRequestHeader>(out var error);
        if (header is null) return Error(request, $"bad REGISTER_BROKER header: {error}");
        if (header.BodyCrc32 is { } crc && crc != 0 && crc != Crc32.ComputeRocketMq(request.Body.Span)) return Error(request, "crc32 not match");

        RegisterBrokerBody? body;
        if (request.Body.IsEmpty) body = new RegisterBrokerBody(); // Java registers the broker with no topics and version 0/0
        else if (header.Compressed ? !CompressedRegisterBrokerBody.TryDecode(request.Body.Span, out body, out error)
                 : !RemotingJson.TryDeserialize(request.Body.Span, out body, out error))
            return Error(request, $"bad REGISTER_BROKER body: {error}");

        registry.Tell(new RouteRegistry.RegisterBroker(header, body!, new(request, connection)));
        return new((RemotingCommand?)null);
    }

    private static ValueTask<RemotingCommand?> QueryDataVersion(IActorRef registry, RemotingCommand request, RemotingConnection connection)
    {
        var header = request.ReadHeader<QueryDataVersionRequestHeader>(out var error);
        if (header is null) return Error(request, $"bad QUERY_DATA_VERSION header: {error}");
        if (!RemotingJson.TryDeserialize<DataVersion>(request.Body.Span, out var version, out error))
            return Error(request, $"bad QUERY_DATA_VERSION body: {error}");
        registry.Tell(new RouteRegistry.QueryDataVersion(header, version!, new(request, connection)));
        return new((RemotingCommand?)null);
    }

    private static ValueTask<RemotingCommand?> With<THeader>(RemotingCommand request, string name, Action<THeader> tell)
        where THeader : class, IExtFieldsHeader<THeader>
    {
        var header = request.ReadHeader<THeader>(out var error);
        if (header is null) return Error(request, $"bad {name} header: {error}");
        tell(header);
        return new((RemotingCommand?)null);
    }

    private static ValueTask<RemotingCommand?> Tell(IActorRef registry, RouteRegistry.IRequest message)
    {
        registry.Tell(message);
        return new((RemotingCommand?)null);
    }

    private static ValueTask<RemotingCommand?> Error(RemotingCommand request, string remark) =>
        new(RemotingCommand.CreateResponse(request, ResponseCode.SystemError, remark));
}
