using AkkaBroker.Common.Hashing;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using static AkkaBroker.NameServer.Tests.NameServerFixture;

namespace AkkaBroker.NameServer.Tests;

public sealed class RouteTests
{
    private const string MasterA = "127.0.0.1:10911";
    private const string SlaveA = "127.0.0.2:10911";
    private const string MasterB = "127.0.0.3:10911";

    private const string StandardRoute =
        """{"brokerDatas":[{"brokerAddrs":{"0":"127.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":8,"topicSysFlag":0,"writeQueueNums":8}]}""";

    [Fact]
    public async Task Registered_topic_routes_with_quoted_keys_for_new_clients()
    {
        await using var ns = await StartAsync();
        await ns.RegisterAsync("broker-a", MasterA, 0, Body(1, Topic("T")));

        var response = await ns.RouteAsync("T", version: 405);

        Assert.Equal(ResponseCode.Success, response.Code);
        Assert.Null(response.Remark);
        Assert.Equal(StandardRoute, Text(response));
    }

    [Fact]
    public async Task Old_clients_get_bare_integer_keys_unless_they_accept_standard_json_only()
    {
        await using var ns = await StartAsync();
        await ns.RegisterAsync("broker-a", MasterA, 0, Body(1, Topic("T")));

        var aliOns = await ns.RouteAsync("T", version: 121);
        var justBelow = await ns.RouteAsync("T", version: 396);
        var asked = await ns.RouteAsync("T", version: 121, standardOnly: true);

        var bare = StandardRoute.Replace("{\"0\":", "{0:", StringComparison.Ordinal);
        Assert.Equal(bare, Text(aliOns));
        Assert.Equal(bare, Text(justBelow));
        Assert.Equal(StandardRoute, Text(asked));
        Assert.Equal(MasterA, Parse<TopicRouteData>(aliOns).BrokerDatas[0].BrokerAddrs[0]);
    }

    [Fact]
    public async Task Unknown_topic_is_topic_not_exist_with_java_remark()
    {
        await using var ns = await StartAsync();
        await ns.RegisterAsync("broker-a", MasterA, 0, Body(1, Topic("T")));

        var response = await ns.RouteAsync("Nope");

        Assert.Equal(ResponseCode.TopicNotExist, response.Code);
        Assert.Equal("No topic route info in name server for the topic: Nope", response.Remark);
        Assert.True(response.Body.IsEmpty);
    }

    [Fact]
    public async Task Queue_and_broker_datas_are_sorted_by_broker_name_with_each_groups_queue_settings()
    {
        await using var ns = await StartAsync();
        await ns.RegisterAsync("broker-b", MasterB, 0, Body(1, Topic("T", queues: 4, perm: 4, sysFlag: 1)));
        await ns.RegisterAsync("broker-a", MasterA, 0, Body(1, Topic("T", queues: 8)));

        var route = await ns.RouteDataAsync("T");

        Assert.Equal(["broker-a", "broker-b"], route.QueueDatas.Select(q => q.BrokerName));
        Assert.Equal(["broker-a", "broker-b"], route.BrokerDatas.Select(b => b.BrokerName));
        var b = route.QueueDatas[1];
        Assert.Equal((4, 4, 4, 1), (b.ReadQueueNums, b.WriteQueueNums, b.Perm, b.TopicSysFlag));
        Assert.Equal(MasterB, route.BrokerDatas[1].BrokerAddrs[0]);
        Assert.Empty(route.FilterServerTable);
        Assert.Null(route.OrderTopicConf);
    }

    [Fact]
    public async Task Slave_learns_its_master_and_adds_only_an_address()
    {
        await using var ns = await StartAsync();
        var masterReply = await ns.RegisterAsync("broker-a", MasterA, 0, Body(1, Topic("T", queues: 8)));
        // The slave's own topic table is ignored: queue data comes from the master only.
        var slaveReply = await ns.RegisterAsync("broker-a", SlaveA, 1, Body(1, Topic("T", queues: 2), Topic("SlaveOnly")));

        var masterHeader = masterReply.ReadHeader<RegisterBrokerResponseHeader>(out _)!;
        Assert.Null(masterHeader.MasterAddr);
        Assert.Null(masterHeader.HaServerAddr);
        Assert.True(masterReply.Body.IsEmpty); // no ORDER_TOPIC_CONFIG namespace: Java sends no body
        var slaveHeader = slaveReply.ReadHeader<RegisterBrokerResponseHeader>(out _)!;
        Assert.Equal(MasterA, slaveHeader.MasterAddr);
        Assert.Equal(HaAddr(MasterA), slaveHeader.HaServerAddr);

        var route = await ns.RouteDataAsync("T");
        Assert.Equal(8, Assert.Single(route.QueueDatas).ReadQueueNums);
        var group = Assert.Single(route.BrokerDatas);
        Assert.Equal([(0L, MasterA), (1L, SlaveA)], group.BrokerAddrs.Select(e => (e.Key, e.Value)).OrderBy(e => e.Key));
        Assert.Equal(ResponseCode.TopicNotExist, (await ns.RouteAsync("SlaveOnly")).Code);
    }

    [Fact]
    public async Task A_new_data_version_updates_queues_and_the_same_version_does_not()
    {
        await using var ns = await StartAsync();
        await ns.RegisterAsync("broker-a", MasterA, 0, Body(1, Topic("T", queues: 8)));

        // Same DataVersion: Java skips the topic table, so the changed queue count is not applied.
        await ns.RegisterAsync("broker-a", MasterA, 0, Body(1, Topic("T", queues: 2)));
        Assert.Equal(8, (await ns.RouteDataAsync("T")).QueueDatas[0].WriteQueueNums);

        await ns.RegisterAsync("broker-a", MasterA, 0, Body(2, Topic("T", queues: 2), Topic("U")));
        Assert.Equal(2, (await ns.RouteDataAsync("T")).QueueDatas[0].WriteQueueNums);
        Assert.Equal(8, (await ns.RouteDataAsync("U")).QueueDatas[0].WriteQueueNums);
    }

    [Fact]
    public async Task Compressed_registration_with_crc_is_decoded()
    {
        await using var ns = await StartAsync();
        var payload = Body(3, Topic("T", queues: 3, perm: 7), Topic("U", queues: 5));
        payload.TopicConfigSerializeWrapper.TopicConfigTable["U"].TopicFilterType = TopicFilterType.MultiTag;
        var bytes = CompressedRegisterBrokerBody.Encode(payload);
        var header = new RegisterBrokerRequestHeader("broker-a", MasterA, Cluster, HaAddr(MasterA), 0, Compressed: true,
            BodyCrc32: Crc32.ComputeRocketMq(bytes));

        var response = await ns.InvokeAsync(Request(RequestCode.RegisterBroker, header, bytes));

        Assert.Equal(ResponseCode.Success, response.Code);
        var t = Assert.Single((await ns.RouteDataAsync("T")).QueueDatas);
        Assert.Equal((3, 3, 7), (t.ReadQueueNums, t.WriteQueueNums, t.Perm));
        Assert.Equal(5, (await ns.RouteDataAsync("U")).QueueDatas[0].ReadQueueNums);
    }

    [Fact]
    public async Task Crc_mismatch_is_refused_and_registers_nothing()
    {
        await using var ns = await StartAsync();
        var bytes = RemotingJson.Serialize(Body(1, Topic("T")));
        var header = new RegisterBrokerRequestHeader("broker-a", MasterA, Cluster, HaAddr(MasterA), 0,
            BodyCrc32: Crc32.ComputeRocketMq(bytes) ^ 1);

        var response = await ns.InvokeAsync(Request(RequestCode.RegisterBroker, header, bytes));

        Assert.Equal(ResponseCode.SystemError, response.Code);
        Assert.Equal("crc32 not match", response.Remark);
        Assert.Equal(ResponseCode.TopicNotExist, (await ns.RouteAsync("T")).Code);
        Assert.Empty((await ns.ClusterInfoAsync()).BrokerAddrTable);
    }

    [Fact]
    public async Task Registration_without_body_adds_the_broker_with_no_topics()
    {
        await using var ns = await StartAsync();
        var header = new RegisterBrokerRequestHeader("broker-a", MasterA, Cluster, HaAddr(MasterA), 0);

        Assert.Equal(ResponseCode.Success, (await ns.InvokeAsync(Request(RequestCode.RegisterBroker, header))).Code);

        var info = await ns.ClusterInfoAsync();
        Assert.Equal(MasterA, info.BrokerAddrTable["broker-a"].BrokerAddrs[0]);
        Assert.Empty(Parse<TopicList>(await ns.InvokeAsync(Request(RequestCode.GetAllTopicListFromNameserver))).Topics);
    }

    [Fact]
    public async Task Cluster_info_lists_groups_and_clusters()
    {
        await using var ns = await StartAsync();
        await ns.RegisterAsync("broker-b", MasterB, 0, Body(1, Topic("T")));
        await ns.RegisterAsync("broker-a", MasterA, 0, Body(1, Topic("T")));
        await ns.RegisterAsync("broker-a", SlaveA, 1, Body(1));
        await ns.RegisterAsync("broker-c", "127.0.0.9:10911", 0, Body(1), cluster: "Other");

        var response = await ns.InvokeAsync(Request(RequestCode.GetBrokerClusterInfo));
        var info = Parse<ClusterInfo>(response);

        Assert.Equal(["broker-a", "broker-b", "broker-c"], info.BrokerAddrTable.Keys);
        Assert.Equal(["broker-a", "broker-b"], info.ClusterAddrTable[Cluster]);
        Assert.Equal(["broker-c"], info.ClusterAddrTable["Other"]);
        Assert.Equal("Other", info.BrokerAddrTable["broker-c"].Cluster);
        Assert.Equal(SlaveA, info.BrokerAddrTable["broker-a"].BrokerAddrs[1]);
        Assert.Contains("\"brokerAddrs\":{\"0\":\"127.0.0.1:10911\",\"1\":\"127.0.0.2:10911\"}", Text(response), StringComparison.Ordinal);

        var old = await ns.InvokeAsync(Request(RequestCode.GetBrokerClusterInfo, version: 121));
        Assert.Contains("\"brokerAddrs\":{0:\"127.0.0.1:10911\",1:\"127.0.0.2:10911\"}", Text(old), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Topic_lists_all_and_by_cluster()
    {
        await using var ns = await StartAsync();
        await ns.RegisterAsync("broker-a", MasterA, 0, Body(1, Topic("B"), Topic("A")));
        await ns.RegisterAsync("broker-c", "127.0.0.9:10911", 0, Body(1, Topic("C"), Topic("A")), cluster: "Other");

        var all = await ns.InvokeAsync(Request(RequestCode.GetAllTopicListFromNameserver));
        Assert.Equal("""{"topicList":["A","B","C"]}""", Text(all));

        var other = await ns.InvokeAsync(Request(RequestCode.GetTopicsByCluster, new GetTopicsByClusterRequestHeader("Other")));
        Assert.Equal(["A", "C"], Parse<TopicList>(other).Topics);
        var none = await ns.InvokeAsync(Request(RequestCode.GetTopicsByCluster, new GetTopicsByClusterRequestHeader("Nowhere")));
        Assert.Equal(ResponseCode.Success, none.Code);
        Assert.Empty(Parse<TopicList>(none).Topics);
    }

    [Fact]
    public async Task Delete_topic_removes_its_route_and_listing()
    {
        await using var ns = await StartAsync();
        await ns.RegisterAsync("broker-a", MasterA, 0, Body(1, Topic("T"), Topic("Keep")));

        var response = await ns.InvokeAsync(Request(RequestCode.DeleteTopicInNamesrv, new DeleteTopicRequestHeader("T")));

        Assert.Equal(ResponseCode.Success, response.Code);
        Assert.Equal(ResponseCode.TopicNotExist, (await ns.RouteAsync("T")).Code);
        Assert.Equal(["Keep"], Parse<TopicList>(await ns.InvokeAsync(Request(RequestCode.GetAllTopicListFromNameserver))).Topics);
    }

    [Fact]
    public async Task Query_data_version_says_whether_the_broker_changed()
    {
        await using var ns = await StartAsync();
        var body = Body(5, Topic("T"));
        await ns.RegisterAsync("broker-a", MasterA, 0, body);
        var header = new QueryDataVersionRequestHeader("broker-a", MasterA, Cluster, 0);

        var same = await ns.InvokeAsync(Request(RequestCode.QueryDataVersion, header, RemotingJson.Serialize(body.TopicConfigSerializeWrapper.DataVersion)));
        var newer = await ns.InvokeAsync(Request(RequestCode.QueryDataVersion, header, RemotingJson.Serialize(new DataVersion { Counter = 6, Timestamp = 1 })));

        Assert.Equal(ResponseCode.Success, same.Code);
        Assert.False(same.ReadHeader<QueryDataVersionResponseHeader>(out _)!.Changed);
        Assert.True(newer.ReadHeader<QueryDataVersionResponseHeader>(out _)!.Changed);
        Assert.Equal(5, Parse<DataVersion>(newer).Counter);
    }

    [Fact]
    public async Task Order_topic_conf_is_published_when_enabled()
    {
        await using var ns = await StartAsync(Settings(orderMessageEnable: true));
        await ns.InvokeAsync(Request(RequestCode.PutKvConfig, new PutKvConfigRequestHeader("ORDER_TOPIC_CONFIG", "T", "broker-a:8")));

        var register = await ns.RegisterAsync("broker-a", MasterA, 0, Body(1, Topic("T"), Topic("U")));

        Assert.Equal("""{"table":{"T":"broker-a:8"}}""", Text(register));
        Assert.Equal("broker-a:8", (await ns.RouteDataAsync("T")).OrderTopicConf);
        Assert.DoesNotContain("orderTopicConf", Text(await ns.RouteAsync("U")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Order_topic_conf_is_not_published_when_disabled()
    {
        await using var ns = await StartAsync(Settings(orderMessageEnable: false));
        await ns.InvokeAsync(Request(RequestCode.PutKvConfig, new PutKvConfigRequestHeader("ORDER_TOPIC_CONFIG", "T", "broker-a:8")));
        await ns.RegisterAsync("broker-a", MasterA, 0, Body(1, Topic("T")));

        Assert.Null((await ns.RouteDataAsync("T")).OrderTopicConf);
    }
}
