using System.Text.Json;
using AkkaBroker.Protocol.Json;

namespace AkkaBroker.Protocol.Tests.Json;

public class StandardOutputTests
{
    [Theory]
    [InlineData(121, false, true)]   // ali-ons
    [InlineData(396, false, true)]
    [InlineData(396, true, false)]   // asked for standard JSON
    [InlineData(397, false, false)]  // V4_9_4
    [InlineData(453, false, false)]
    public void Bare_keys_go_only_to_old_clients(int version, bool acceptStandardJsonOnly, bool bare) =>
        Assert.Equal(bare, RemotingJson.NeedsBareIntegerKeys(version, acceptStandardJsonOnly));

    private static TopicRouteData Route() => new()
    {
        BrokerDatas = [new BrokerData { BrokerAddrs = new() { [0] = "a:1", [2] = "b:1" }, BrokerName = "b", Cluster = "c" }],
        QueueDatas = [new QueueData { BrokerName = "b", ReadQueueNums = 4, WriteQueueNums = 4 }],
    };

    public static TheoryData<object> Bodies => new()
    {
        Route(),
        new ClusterInfo
        {
            BrokerAddrTable = { ["b"] = new BrokerData { BrokerAddrs = new() { [0] = "a:1" } } },
            ClusterAddrTable = { ["c"] = ["b"] },
        },
        new HeartbeatData { ClientId = "x@1", ConsumerDataSet = [new ConsumerData { GroupName = "G", SubscriptionDataSet = [new SubscriptionData { Topic = "T" }] }] },
        new RegisterBrokerBody { TopicConfigSerializeWrapper = { TopicConfigTable = { ["T"] = new TopicConfig { TopicName = "T" } } } },
        new ConsumerConnection { ConnectionSet = [new Connection { ClientId = "x@1" }], ConsumeType = ConsumeType.ConsumeActively },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Default_output_is_strict_json(object body)
    {
        using var document = JsonDocument.Parse(RemotingJson.Serialize(body));
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
    }

    [Fact]
    public void Bare_key_output_is_not_strict_json_but_reads_back()
    {
        var bytes = RemotingJson.Serialize(Route(), bareIntegerKeys: true);

        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(bytes));
        Assert.True(RemotingJson.TryDeserialize<TopicRouteData>(bytes, out var back, out _));
        Assert.Equal("b:1", back!.BrokerDatas[0].BrokerAddrs[2]);
    }
}
