using AkkaBroker.Common.Naming;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;

namespace AkkaBroker.Client;

/// <summary>
/// Cluster administration over the remoting protocol (RocketMQ's DefaultMQAdminExt, the parts operators use):
/// cluster layout from the name servers, topic creation and deletion on every master of a cluster, routes.
/// </summary>
public sealed class AdminClient : IAsyncDisposable
{
    private readonly ClientInstance _client;

    /// <summary>An admin client for the name servers in <paramref name="options"/>.</summary>
    public AdminClient(ClientOptions options) => _client = new ClientInstance(options);

    /// <summary>The clusters and their broker groups (GET_BROKER_CLUSTER_INFO from the first name server that answers).</summary>
    public async Task<ClusterInfo> GetClusterInfoAsync(CancellationToken cancellationToken = default)
    {
        var response = await NameServerAsync(RemotingCommand.CreateRequest(RequestCode.GetBrokerClusterInfo), cancellationToken).ConfigureAwait(false);
        if (!RemotingJson.TryDeserialize<ClusterInfo>(response.Body.Span, out var info, out var error) || info is null)
            throw new MQClientException($"unreadable cluster info: {error}");
        return info;
    }

    /// <summary>The master addresses of <paramref name="cluster"/> (every cluster when null).</summary>
    public async Task<IReadOnlyList<(string BrokerName, string Address)>> GetMastersAsync(string? cluster, CancellationToken cancellationToken = default)
    {
        var info = await GetClusterInfoAsync(cancellationToken).ConfigureAwait(false);
        var names = cluster is null
            ? (IEnumerable<string>)info.BrokerAddrTable.Keys
            : info.ClusterAddrTable.TryGetValue(cluster, out var inCluster) ? inCluster : throw new MQClientException($"cluster {cluster} is unknown to the name servers");
        return names.Where(info.BrokerAddrTable.ContainsKey)
            .Select(n => (n, info.BrokerAddrTable[n].BrokerAddrs.GetValueOrDefault(0)))
            .Where(b => b.Item2 is not null)
            .Select(b => (b.n, b.Item2!))
            .OrderBy(b => b.n, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Creates or updates <paramref name="topic"/> on every master of <paramref name="cluster"/> (all clusters when null).</summary>
    /// <returns>The broker names that took it.</returns>
    public async Task<IReadOnlyList<string>> CreateTopicAsync(string topic, int queues, string? cluster = null, int perm = 6, bool order = false,
        CancellationToken cancellationToken = default)
    {
        if (ResourceNames.ValidateTopic(topic) is { } invalid) throw new ArgumentException(invalid, nameof(topic));
        ArgumentOutOfRangeException.ThrowIfLessThan(queues, 1);
        var masters = await GetMastersAsync(cluster, cancellationToken).ConfigureAwait(false);
        if (masters.Count == 0) throw new MQClientException("no master broker is registered with the name servers");
        var header = new CreateTopicRequestHeader(topic, "TBW102", queues, queues, perm, "SINGLE_TAG", 0, order);
        foreach (var (name, address) in masters)
        {
            var response = await _client.InvokeAsync(address, RemotingCommand.CreateRequest(RequestCode.UpdateAndCreateTopic, header.ToExtFields()),
                _client.Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            if (response.Code != ResponseCode.Success) throw new MQBrokerException(response.Code, response.Remark, $"{name} ({address})");
        }

        return masters.Select(m => m.BrokerName).ToList();
    }

    /// <summary>The route of <paramref name="topic"/>, or null when no name server knows it.</summary>
    public Task<TopicRouteData?> GetRouteAsync(string topic, CancellationToken cancellationToken = default) =>
        _client.GetRouteAsync(topic, refresh: true, cancellationToken);

    /// <summary>Waits until the name servers route <paramref name="topic"/> (a broker registers new topics asynchronously).</summary>
    public async Task<TopicRouteData> WaitForRouteAsync(string topic, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await GetRouteAsync(topic, cancellationToken).ConfigureAwait(false) is { QueueDatas.Count: > 0 } route) return route;
            if (DateTime.UtcNow > deadline) throw new MQClientException($"topic {topic} has no route after {timeout.TotalSeconds:0} s");
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _client.DisposeAsync();

    private async Task<RemotingCommand> NameServerAsync(RemotingCommand request, CancellationToken cancellationToken)
    {
        Exception? last = null;
        foreach (var address in _client.Options.NamesrvAddr)
        {
            try
            {
                var response = await _client.InvokeAsync(address, request, _client.Options.RequestTimeout, cancellationToken).ConfigureAwait(false);
                if (response.Code != ResponseCode.Success) throw new MQBrokerException(response.Code, response.Remark, address);
                return response;
            }
            catch (Exception e) when (e is Remoting.RemotingConnectionException or Remoting.RemotingTimeoutException)
            {
                last = e;
            }
        }

        throw new MQClientException("no name server answered", last);
    }
}
