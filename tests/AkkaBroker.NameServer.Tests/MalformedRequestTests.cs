using System.Text;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using static AkkaBroker.NameServer.Tests.NameServerFixture;

namespace AkkaBroker.NameServer.Tests;

/// <summary>Bad requests get a SYSTEM_ERROR naming the problem, and the same connection keeps being served.</summary>
public sealed class MalformedRequestTests
{
    private const string Addr = "127.0.0.1:10911";

    public static TheoryData<int, string> MissingHeaders => new()
    {
        { RequestCode.GetRouteinfoByTopic, "bad GET_ROUTEINFO_BY_TOPIC header: missing required field topic" },
        { RequestCode.RegisterBroker, "bad REGISTER_BROKER header: missing required field brokerName" },
        { RequestCode.UnregisterBroker, "bad UNREGISTER_BROKER header: missing required field brokerName" },
        { RequestCode.QueryDataVersion, "bad QUERY_DATA_VERSION header: missing required field brokerName" },
        { RequestCode.DeleteTopicInNamesrv, "bad DELETE_TOPIC_IN_NAMESRV header: missing required field topic" },
        { RequestCode.GetTopicsByCluster, "bad GET_TOPICS_BY_CLUSTER header: missing required field cluster" },
        { RequestCode.PutKvConfig, "bad PUT_KV_CONFIG header: missing required field namespace" },
        { RequestCode.GetKvConfig, "bad GET_KV_CONFIG header: missing required field namespace" },
        { RequestCode.DeleteKvConfig, "bad DELETE_KV_CONFIG header: missing required field namespace" },
        { RequestCode.GetKvlistByNamespace, "bad GET_KVLIST_BY_NAMESPACE header: missing required field namespace" },
    };

    [Theory]
    [MemberData(nameof(MissingHeaders))]
    public async Task Missing_header_fields_are_system_error(int code, string remark)
    {
        await using var ns = await StartAsync();

        var response = await ns.InvokeAsync(Request(code));

        Assert.Equal(ResponseCode.SystemError, response.Code);
        Assert.Equal(remark, response.Remark);
        await AssertStillServingAsync(ns);
    }

    [Fact]
    public async Task Unparseable_broker_id_is_named()
    {
        await using var ns = await StartAsync();
        var ext = new RegisterBrokerRequestHeader("broker-a", Addr, Cluster, Addr, 0).ToExtFields();
        ext["brokerId"] = "master";

        var response = await ns.InvokeAsync(Request(RequestCode.RegisterBroker, ext, RemotingJson.Serialize(Body(1, Topic("T")))));

        Assert.Equal(ResponseCode.SystemError, response.Code);
        Assert.Equal("bad REGISTER_BROKER header: brokerId: 'master' is not a long integer", response.Remark);
        await AssertStillServingAsync(ns);
    }

    [Theory]
    [InlineData(false, "{\"topicConfigSerializeWrapper\":")]
    [InlineData(false, "[1,2,3]")]
    [InlineData(false, "{\"topicConfigSerializeWrapper\":{\"topicConfigTable\":{\"T\":{\"perm\":\"rw\"}}}}")]
    [InlineData(true, "not a zlib stream")]
    public async Task Bad_register_bodies_are_system_error_and_register_nothing(bool compressed, string body)
    {
        await using var ns = await StartAsync();
        var header = new RegisterBrokerRequestHeader("broker-a", Addr, Cluster, Addr, 0, Compressed: compressed);

        var response = await ns.InvokeAsync(Request(RequestCode.RegisterBroker, header, Encoding.UTF8.GetBytes(body)));

        Assert.Equal(ResponseCode.SystemError, response.Code);
        Assert.StartsWith("bad REGISTER_BROKER body: bad ", response.Remark, StringComparison.Ordinal);
        Assert.Empty((await ns.ClusterInfoAsync()).BrokerAddrTable);
        await AssertStillServingAsync(ns);
    }

    [Fact]
    public async Task A_plain_body_sent_as_compressed_is_refused()
    {
        await using var ns = await StartAsync();
        var header = new RegisterBrokerRequestHeader("broker-a", Addr, Cluster, Addr, 0, Compressed: true);

        var response = await ns.InvokeAsync(Request(RequestCode.RegisterBroker, header, RemotingJson.Serialize(Body(1, Topic("T")))));

        Assert.Equal(ResponseCode.SystemError, response.Code);
        Assert.Contains("compressed RegisterBrokerBody", response.Remark, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_data_version_without_a_body_is_system_error()
    {
        await using var ns = await StartAsync();

        var response = await ns.InvokeAsync(Request(RequestCode.QueryDataVersion, new QueryDataVersionRequestHeader("broker-a", Addr, Cluster, 0)));

        Assert.Equal(ResponseCode.SystemError, response.Code);
        Assert.StartsWith("bad QUERY_DATA_VERSION body: ", response.Remark, StringComparison.Ordinal);
        await AssertStillServingAsync(ns);
    }

    [Theory]
    [InlineData(RequestCode.GetKvConfigByValue)] // what ali-ons may send: it fails fast instead of timing out
    [InlineData(RequestCode.SendMessageV2)]
    [InlineData(9999)]
    public async Task Unknown_codes_are_not_supported(int code)
    {
        await using var ns = await StartAsync();

        var response = await ns.InvokeAsync(Request(code));

        Assert.Equal(ResponseCode.RequestCodeNotSupported, response.Code);
        await AssertStillServingAsync(ns);
    }

    [Fact]
    public async Task Binary_header_requests_get_binary_header_replies()
    {
        await using var ns = await StartAsync();
        await ns.RegisterAsync("broker-a", Addr, 0, Body(1, Topic("T")));
        var request = Request(RequestCode.GetRouteinfoByTopic, new GetRouteInfoRequestHeader("T"));
        request.SerializeType = SerializeType.Rocketmq;

        var response = await ns.InvokeAsync(request);

        Assert.Equal(SerializeType.Rocketmq, response.SerializeType);
        Assert.Equal(ResponseCode.Success, response.Code);
        Assert.Equal(Addr, Parse<TopicRouteData>(response).BrokerDatas[0].BrokerAddrs[0]);
    }

    private static async Task AssertStillServingAsync(NameServerFixture ns)
    {
        await ns.RegisterAsync("broker-z", "127.0.0.99:10911", 0, Body(1, Topic("Alive")));
        Assert.Equal("broker-z", (await ns.RouteDataAsync("Alive")).BrokerDatas[0].BrokerName);
        Assert.False(ns.Client.IsClosed);
    }
}
