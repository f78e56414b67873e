using AkkaBroker.Protocol.Json;

namespace AkkaBroker.Protocol.Tests.Json;

public class RouteBodyTests
{
    // Reference §6.1, the TopicRouteData sample as fastjson writes it for a client below V4_9_4 (orderTopicConf absent).
    private const string RouteFastjson =
        """{"brokerDatas":[{"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":8,"topicSysFlag":0,"writeQueueNums":8}]}""";

    private const string RouteStandard =
        """{"brokerDatas":[{"brokerAddrs":{"0":"10.0.0.1:10911","1":"10.0.0.2:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":8,"topicSysFlag":0,"writeQueueNums":8}]}""";

    private static TopicRouteData SampleRoute() => new()
    {
        BrokerDatas =
        [
            new BrokerData
            {
                BrokerAddrs = new() { [0] = "10.0.0.1:10911", [1] = "10.0.0.2:10911" },
                BrokerName = "broker-a",
                Cluster = "DefaultCluster",
            },
        ],
        QueueDatas = [new QueueData { BrokerName = "broker-a", Perm = 6, ReadQueueNums = 8, WriteQueueNums = 8 }],
    };

    [Fact]
    public void Route_is_written_with_bare_broker_ids_for_old_clients() =>
        Assert.Equal(RouteFastjson, JsonAssert.Text(SampleRoute(), bareIntegerKeys: true));

    [Fact]
    public void Route_is_written_as_standard_json_by_default() =>
        Assert.Equal(RouteStandard, JsonAssert.Text(SampleRoute()));

    [Theory]
    [InlineData(RouteFastjson)]
    [InlineData(RouteStandard)]
    public void Route_reads_both_key_forms(string json)
    {
        var route = JsonAssert.Parses<TopicRouteData>(json);

        var broker = Assert.Single(route.BrokerDatas);
        Assert.Equal("10.0.0.1:10911", broker.BrokerAddrs[0]);
        Assert.Equal("10.0.0.2:10911", broker.BrokerAddrs[1]);
        Assert.Equal("DefaultCluster", broker.Cluster);
        var queues = Assert.Single(route.QueueDatas);
        Assert.Equal((6, 8, 8, 0), (queues.Perm, queues.ReadQueueNums, queues.WriteQueueNums, queues.TopicSysFlag));
        Assert.Null(route.OrderTopicConf);
        Assert.Empty(route.FilterServerTable);
    }

    [Fact]
    public void Route_round_trips_in_both_forms()
    {
        JsonAssert.RoundTrips<TopicRouteData>(RouteFastjson, bareIntegerKeys: true);
        JsonAssert.RoundTrips<TopicRouteData>(RouteStandard);
    }

    [Fact]
    public void The_minimal_bare_key_sample_parses_and_is_written_back()
    {
        var broker = JsonAssert.Parses<BrokerData>("""{"brokerAddrs":{0:"127.0.0.1:10911"}}""");

        Assert.Equal("127.0.0.1:10911", broker.BrokerAddrs[0]);
        Assert.Equal("""{"brokerAddrs":{0:"127.0.0.1:10911"},"brokerName":"","cluster":""}""", JsonAssert.Text(broker, bareIntegerKeys: true));
        Assert.Equal("""{"brokerAddrs":{"0":"127.0.0.1:10911"},"brokerName":"","cluster":""}""", JsonAssert.Text(broker));
    }

    [Fact]
    public void Order_topic_conf_and_filter_servers_are_written_when_present()
    {
        var route = SampleRoute();
        route.OrderTopicConf = "broker-a:8";
        route.FilterServerTable["10.0.0.1:10911"] = ["10.0.0.1:30000"];

        var text = JsonAssert.Text(route);

        Assert.Contains("""
            "filterServerTable":{"10.0.0.1:10911":["10.0.0.1:30000"]},"orderTopicConf":"broker-a:8","queueDatas"
            """, text);
        Assert.Equal("broker-a:8", JsonAssert.Parses<TopicRouteData>(text).OrderTopicConf);
    }

    [Fact]
    public void Old_brokers_topicSynFlag_is_read_but_never_written()
    {
        var queue = JsonAssert.Parses<QueueData>("""{"brokerName":"b","perm":6,"readQueueNums":4,"topicSynFlag":3,"writeQueueNums":4}""");

        Assert.Equal(3, queue.TopicSysFlag);
        Assert.Equal("""{"brokerName":"b","perm":6,"readQueueNums":4,"topicSysFlag":3,"writeQueueNums":4}""", JsonAssert.Text(queue));
    }

    [Fact]
    public void Cluster_info_matches_the_reference_shape()
    {
        // Reference §6.1: {"brokerAddrTable":{"broker-a":{BrokerData}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}
        const string golden =
            """{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"10.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}""";

        var info = JsonAssert.RoundTrips<ClusterInfo>(golden, bareIntegerKeys: true);

        Assert.Equal("10.0.0.1:10911", info.BrokerAddrTable["broker-a"].BrokerAddrs[0]);
        Assert.Equal(["broker-a"], info.ClusterAddrTable["DefaultCluster"]);
        Assert.Contains("""{"0":"10.0.0.1:10911"}""", JsonAssert.Text(info));
    }

    [Fact]
    public void Topic_list_omits_the_broker_address_unless_set()
    {
        var list = new TopicList { Topics = ["TopicA", "%RETRY%G"] };
        Assert.Equal("""{"topicList":["TopicA","%RETRY%G"]}""", JsonAssert.Text(list));

        list.BrokerAddr = "10.0.0.1:10911";
        Assert.Equal("""{"brokerAddr":"10.0.0.1:10911","topicList":["TopicA","%RETRY%G"]}""", JsonAssert.Text(list));
        Assert.Equal(["TopicA", "%RETRY%G"], JsonAssert.Parses<TopicList>(JsonAssert.Text(list)).Topics);
    }

    [Fact]
    public void KV_table_matches_the_reference_shape()
    {
        var table = JsonAssert.RoundTrips<KVTable>("""{"table":{"k":"v"}}""");
        Assert.Equal("v", table.Table["k"]);
    }

    [Fact]
    public void Digit_only_string_keys_stay_quoted_in_bare_key_mode()
    {
        // Only integer-keyed maps lose their quotes: a broker or topic named "123" is a string key in Java.
        var info = new ClusterInfo { ClusterAddrTable = { ["123"] = ["456"] } };

        Assert.Equal("""{"brokerAddrTable":{},"clusterAddrTable":{"123":["456"]}}""", JsonAssert.Text(info, bareIntegerKeys: true));
    }
}
