using AkkaBroker.Protocol.Json;

namespace AkkaBroker.Protocol.Tests.Json;

public class BrokerRegistrationBodyTests
{
    // Reference §5.4 topics.json entry and §6.1 REGISTER_BROKER body, compact as they go on the wire.
    private const string TopicT =
        """{"order":false,"perm":6,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","topicName":"T","topicSysFlag":0,"writeQueueNums":8}""";

    private const string Wrapper =
        """{"dataVersion":{"counter":3,"timestamp":1700000000000},"topicConfigTable":{"T":""" + TopicT + "}}";

    [Fact]
    public void Topic_config_wrapper_round_trips()
    {
        var wrapper = JsonAssert.RoundTrips<TopicConfigSerializeWrapper>(Wrapper);

        Assert.Equal(3, wrapper.DataVersion.Counter);
        Assert.Equal(1700000000000, wrapper.DataVersion.Timestamp);
        var topic = wrapper.TopicConfigTable["T"];
        Assert.Equal(("T", 8, 8, 6, TopicFilterType.SingleTag, false), (topic.TopicName, topic.ReadQueueNums, topic.WriteQueueNums, topic.Perm, topic.TopicFilterType, topic.Order));
    }

    [Fact]
    public void Register_broker_body_round_trips()
    {
        var golden = """{"filterServerList":[],"topicConfigSerializeWrapper":""" + Wrapper + "}";

        var body = JsonAssert.RoundTrips<RegisterBrokerBody>(golden);

        Assert.Empty(body.FilterServerList);
        Assert.Equal(6, body.TopicConfigSerializeWrapper.TopicConfigTable["T"].Perm);
    }

    [Fact]
    public void Pretty_topics_json_from_fastjson_reads()
    {
        const string pretty = "{\n\t\"dataVersion\":{\n\t\t\"counter\":1,\n\t\t\"timestamp\":5\n\t},\n\t\"topicConfigTable\":{\n\t\t\"T\":{\n\t\t\t\"order\":true,\n\t\t\t\"perm\":7,\n\t\t\t\"readQueueNums\":2,\n\t\t\t\"topicFilterType\":\"MULTI_TAG\",\n\t\t\t\"topicName\":\"T\",\n\t\t\t\"topicSysFlag\":0,\n\t\t\t\"writeQueueNums\":2\n\t\t}\n\t}\n}";

        var topic = JsonAssert.Parses<TopicConfigSerializeWrapper>(pretty).TopicConfigTable["T"];

        Assert.True(topic.Order);
        Assert.Equal(TopicFilterType.MultiTag, topic.TopicFilterType);
    }

    [Fact]
    public void Register_broker_result_omits_what_is_absent()
    {
        Assert.Equal("{}", JsonAssert.Text(new RegisterBrokerResult()));

        var result = new RegisterBrokerResult
        {
            HaServerAddr = "10.0.0.1:10912",
            MasterAddr = "10.0.0.1:10911",
            KvTable = new KVTable { Table = { ["T"] = "broker-a:8" } },
        };
        const string golden = """{"haServerAddr":"10.0.0.1:10912","kvTable":{"table":{"T":"broker-a:8"}},"masterAddr":"10.0.0.1:10911"}""";
        Assert.Equal(golden, JsonAssert.Text(result));
        Assert.Equal("broker-a:8", JsonAssert.Parses<RegisterBrokerResult>(golden).KvTable!.Table["T"]);
    }
}
