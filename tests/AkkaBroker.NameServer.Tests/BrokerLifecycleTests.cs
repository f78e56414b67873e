using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using static AkkaBroker.NameServer.Tests.NameServerFixture;

namespace AkkaBroker.NameServer.Tests;

/// <summary>How brokers leave: unregister, expiry on the (virtual) clock, and their connection closing.</summary>
public sealed class BrokerLifecycleTests
{
    private const string MasterA = "127.0.0.1:10911";
    private const string SlaveA = "127.0.0.2:10911";
    private const string MasterB = "127.0.0.3:10911";

    [Fact]
    public async Task Unregistering_the_only_broker_removes_group_cluster_and_topics()
    {
        await using var ns = await StartAsync();
        await ns.RegisterAsync("broker-a", MasterA, 0, Body(1, Topic("T")));

        var response = await ns.InvokeAsync(Request(RequestCode.UnregisterBroker, new UnregisterBrokerRequestHeader("broker-a", MasterA, Cluster, 0)));

        Assert.Equal(ResponseCode.Success, response.Code);
        Assert.Equal(ResponseCode.TopicNotExist, (await ns.RouteAsync("T")).Code);
        var info = await ns.ClusterInfoAsync();
        Assert.Empty(info.BrokerAddrTable);
        Assert.Empty(info.ClusterAddrTable);
        Assert.Empty(Parse<TopicList>(await ns.InvokeAsync(Request(RequestCode.GetAllTopicListFromNameserver))).Topics);
    }

    [Fact]
    public async Task When_the_master_leaves_its_slaves_keep_the_group_and_its_queues()
    {
        await using var ns = await StartAsync();
        await ns.RegisterAsync("broker-a", MasterA, 0, Body(1, Topic("T")));
        await ns.RegisterAsync("broker-a", SlaveA, 1, Body(1));
        await ns.RegisterAsync("broker-b", MasterB, 0, Body(1, Topic("T")));

        await ns.InvokeAsync(Request(RequestCode.UnregisterBroker, new UnregisterBrokerRequestHeader("broker-a", MasterA, Cluster, 0)));

        var route = await ns.RouteDataAsync("T");
        Assert.Equal(["broker-a", "broker-b"], route.QueueDatas.Select(q => q.BrokerName));
        var a = route.BrokerDatas.Single(b => b.BrokerName == "broker-a");
        Assert.Equal([(1L, SlaveA)], a.BrokerAddrs.Select(e => (e.Key, e.Value)));

        // The slave leaving too takes the group's queues away; broker-b still serves the topic.
        await ns.InvokeAsync(Request(RequestCode.UnregisterBroker, new UnregisterBrokerRequestHeader("broker-a", SlaveA, Cluster, 1)));
        route = await ns.RouteDataAsync("T");
        Assert.Equal(["broker-b"], route.QueueDatas.Select(q => q.BrokerName));
        Assert.Equal(["broker-b"], route.BrokerDatas.Select(b => b.BrokerName));
        Assert.Equal(["broker-b"], (await ns.ClusterInfoAsync()).ClusterAddrTable[Cluster]);
    }

    [Fact]
    public async Task A_broker_expires_after_the_channel_expired_time_without_registering()
    {
        await using var ns = await StartAsync();
        await ns.RegisterAsync("broker-a", MasterA, 0, Body(1, Topic("T")));
        await ns.RegisterAsync("broker-b", MasterB, 0, Body(1, Topic("T")));

        ns.Advance(TimeSpan.FromSeconds(60));
        await ns.RegisterAsync("broker-b", MasterB, 0, Body(1, Topic("T")));

        // Scans run every 10 s; at 110 s broker-a (last seen at 0) is still inside its 120 s.
        ns.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(2, (await ns.RouteDataAsync("T")).BrokerDatas.Count);

        ns.Advance(TimeSpan.FromSeconds(20));
        var route = await ns.RouteDataAsync("T");
        Assert.Equal(["broker-b"], route.BrokerDatas.Select(b => b.BrokerName));
        Assert.Equal(["broker-b"], route.QueueDatas.Select(q => q.BrokerName));
        Assert.False((await ns.ClusterInfoAsync()).BrokerAddrTable.ContainsKey("broker-a"));

        // broker-b, refreshed at 60 s, goes once 180 s have passed.
        ns.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(ResponseCode.TopicNotExist, (await ns.RouteAsync("T")).Code);
        Assert.Empty((await ns.ClusterInfoAsync()).BrokerAddrTable);
    }

    [Fact]
    public async Task Query_data_version_without_change_keeps_a_broker_alive()
    {
        await using var ns = await StartAsync();
        var body = Body(1, Topic("T"));
        await ns.RegisterAsync("broker-a", MasterA, 0, body);

        ns.Advance(TimeSpan.FromSeconds(100));
        var query = await ns.InvokeAsync(Request(RequestCode.QueryDataVersion, new QueryDataVersionRequestHeader("broker-a", MasterA, Cluster, 0),
            RemotingJson.Serialize(body.TopicConfigSerializeWrapper.DataVersion)));
        Assert.Equal(ResponseCode.Success, query.Code);
        ns.Advance(TimeSpan.FromSeconds(100));

        Assert.Single((await ns.RouteDataAsync("T")).BrokerDatas);
    }

    [Fact]
    public async Task A_broker_leaves_at_once_when_its_connection_closes()
    {
        await using var ns = await StartAsync();
        var brokerConnection = await ns.ConnectAsync();
        await ns.RegisterAsync("broker-a", MasterA, 0, Body(1, Topic("T")), brokerConnection);
        await ns.RegisterAsync("broker-b", MasterB, 0, Body(1, Topic("T"))); // on the fixture's own connection
        Assert.Equal(2, (await ns.RouteDataAsync("T")).BrokerDatas.Count);

        brokerConnection.Close("broker stopped");
        var end = DateTime.UtcNow + Deadline;
        while ((await ns.RouteDataAsync("T")).BrokerDatas.Count != 1)
        {
            Assert.True(DateTime.UtcNow < end, "broker-a was not removed after its connection closed");
            await Task.Delay(10);
        }

        Assert.Equal(["broker-b"], (await ns.RouteDataAsync("T")).BrokerDatas.Select(b => b.BrokerName));
        Assert.Equal(["broker-b"], (await ns.ClusterInfoAsync()).ClusterAddrTable[Cluster]);
    }

    [Fact]
    public async Task Closing_an_old_connection_does_not_remove_a_broker_that_re_registered_elsewhere()
    {
        await using var ns = await StartAsync();
        var first = await ns.ConnectAsync();
        var second = await ns.ConnectAsync();
        await ns.RegisterAsync("broker-a", MasterA, 0, Body(1, Topic("T")), first);
        // broker-b stays on the first connection: its removal shows the close was handled, in the same step as broker-a.
        await ns.RegisterAsync("broker-b", MasterB, 0, Body(1, Topic("B")), first);
        await ns.RegisterAsync("broker-a", MasterA, 0, Body(1, Topic("T")), second);

        first.Close("reconnected");
        await ns.WaitUntilNoRouteAsync("B");

        Assert.Equal(MasterA, Assert.Single((await ns.RouteDataAsync("T")).BrokerDatas).BrokerAddrs[0]);
    }

    [Fact]
    public async Task A_promoted_slave_re_registering_as_master_holds_one_id()
    {
        await using var ns = await StartAsync();
        await ns.RegisterAsync("broker-a", MasterA, 0, Body(1, Topic("T")));
        await ns.RegisterAsync("broker-a", SlaveA, 1, Body(1));
        await ns.InvokeAsync(Request(RequestCode.UnregisterBroker, new UnregisterBrokerRequestHeader("broker-a", MasterA, Cluster, 0)));

        await ns.RegisterAsync("broker-a", SlaveA, 0, Body(2, Topic("T", queues: 4)));

        var route = await ns.RouteDataAsync("T");
        Assert.Equal([(0L, SlaveA)], route.BrokerDatas[0].BrokerAddrs.Select(e => (e.Key, e.Value)));
        Assert.Equal(4, route.QueueDatas[0].ReadQueueNums);
    }
}
