using System.Text;
using AkkaBroker.Protocol.Json;

namespace AkkaBroker.Protocol.Tests.Json;

public class LenientReadTests
{
    [Fact]
    public void Unknown_fields_are_ignored_at_every_level()
    {
        const string json =
            """{"future":{"a":[1,{"b":null}]},"brokerDatas":[{"brokerAddrs":{0:"h:1"},"brokerName":"b","cluster":"c","enableActingMaster":false,"zoneName":"z"}],"queueDatas":[{"brokerName":"b","perm":6,"readQueueNums":1,"writeQueueNums":1,"topicSysFlag":0,"x":1e3}],"filterServerTable":{}}""";

        var route = JsonAssert.Parses<TopicRouteData>(json);

        Assert.Equal("h:1", route.BrokerDatas[0].BrokerAddrs[0]);
        Assert.Equal(1, route.QueueDatas[0].ReadQueueNums);
    }

    [Fact]
    public void Missing_fields_take_their_defaults()
    {
        var route = JsonAssert.Parses<TopicRouteData>("{}");
        Assert.Empty(route.BrokerDatas);
        Assert.Empty(route.QueueDatas);

        var consumer = JsonAssert.Parses<ConsumerData>("""{"groupName":"G"}""");
        Assert.Equal((ConsumeType.ConsumePassively, MessageModel.Clustering), (consumer.ConsumeType, consumer.MessageModel));
    }

    [Fact]
    public void Numbers_and_booleans_may_arrive_as_strings()
    {
        var queue = JsonAssert.Parses<QueueData>("""{"brokerName":"b","perm":"6","readQueueNums":"4","writeQueueNums":"4"}""");
        Assert.Equal((6, 4, 4), (queue.Perm, queue.ReadQueueNums, queue.WriteQueueNums));

        var consumer = JsonAssert.Parses<ConsumerData>(
            """{"groupName":"G","unitMode":"true","subscriptionDataSet":[{"topic":"T","subVersion":"1700000000000","classFilterMode":"false","codeSet":["5"]}]}""");
        Assert.True(consumer.UnitMode);
        Assert.Equal(1700000000000, consumer.SubscriptionDataSet[0].SubVersion);
        Assert.Equal([5], consumer.SubscriptionDataSet[0].CodeSet);

        Assert.True(JsonAssert.Parses<TopicConfig>("""{"order":1}""").Order);
        Assert.False(JsonAssert.Parses<TopicConfig>("""{"order":"0"}""").Order);
    }

    [Fact]
    public void Strings_may_arrive_as_numbers_or_booleans()
    {
        var producer = JsonAssert.Parses<ProducerData>("""{"groupName":12345}""");
        Assert.Equal("12345", producer.GroupName);

        var table = JsonAssert.Parses<KVTable>("""{"table":{"a":1.5,"b":true}}""");
        Assert.Equal(("1.5", "true"), (table.Table["a"], table.Table["b"]));
    }

    [Fact]
    public void Enums_may_arrive_as_java_ordinals()
    {
        var consumer = JsonAssert.Parses<ConsumerData>("""{"consumeType":0,"messageModel":0,"consumeFromWhere":5}""");

        Assert.Equal((ConsumeType.ConsumeActively, MessageModel.Broadcasting, ConsumeFromWhere.ConsumeFromTimestamp),
            (consumer.ConsumeType, consumer.MessageModel, consumer.ConsumeFromWhere));
    }

    [Fact]
    public void Key_names_match_in_any_case_comments_and_trailing_commas_are_skipped()
    {
        var heartbeat = JsonAssert.Parses<HeartbeatData>("""{"clientId":"a@1", /* old client */ "ProducerDataSet":[{"groupName":"PG"},],}""");

        Assert.Equal("a@1", heartbeat.ClientId);
        Assert.Equal("PG", Assert.Single(heartbeat.ProducerDataSet).GroupName);
    }

    [Fact]
    public void Bare_keys_in_nested_maps_and_with_spaces_are_quoted()
    {
        var info = JsonAssert.Parses<ClusterInfo>(
            "{ brokerAddrTable : { \"b\" : { brokerAddrs : { 0 : \"h:1\" , 1:\"h:2\" , -1 : \"h:3\" } } } }");

        var addrs = info.BrokerAddrTable["b"].BrokerAddrs;
        Assert.Equal(("h:1", "h:2", "h:3"), (addrs[0], addrs[1], addrs[-1]));
    }

    [Theory]
    [InlineData("""{"a":"{0:\"x\"}","b":["{1:2}",{"c":"d"},{"e":{}}]}""")]
    [InlineData("""[{"a":1},{"b":2}]""")]
    [InlineData("""{"s":"quote \" and {0:1} and \\"}""")]
    public void Standard_json_passes_the_key_pass_unchanged(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        Assert.Equal(bytes, FastjsonText.QuoteKeys(bytes));
        Assert.Null(FastjsonText.QuoteKeysIfAny(bytes));
    }

    [Fact]
    public void Object_keys_become_escaped_strings()
    {
        var quoted = FastjsonText.QuoteKeys("""{{"t":"a\"b"}:1,[1,2]:2}"""u8);

        Assert.Equal("""{"{\"t\":\"a\\\"b\"}":1,"[1,2]":2}""", Encoding.UTF8.GetString(quoted));
    }

    public static TheoryData<string> Malformed => new()
    {
        "",
        " ",
        "null",
        "{",
        """{"brokerDatas":[{"brokerAddrs":{0:"10.0.0.1:10911",""",
        """{"brokerDatas":[{"brokerAddrs":{0:"10.0.0.1:10911"}""",
        """{"brokerDatas":{}}""",
        """{"brokerDatas":"x"}""",
        """{"brokerDatas":[{"brokerAddrs":{"master":"h:1"}}]}""",
        """{"brokerDatas":[{"brokerAddrs":{0:null}}]}""",
        """{"brokerDatas":[{"brokerAddrs":[]}]}""",
        """{"brokerDatas":[{"brokerName":null}]}""",
        """{"brokerDatas":null}""",
        """{"queueDatas":[{"perm":"six"}]}""",
        """{"queueDatas":[{"perm":99999999999}]}""",
        """{"queueDatas":[{"perm":1.5}]}""",
        """{"queueDatas":[{"perm":{}}]}""",
        """{"queueDatas":[null]}""",
        """{"filterServerTable":{"a":null}}""",
        """{"filterServerTable":{"a":[null]}}""",
        """{"orderTopicConf":["a"]}""",
        """{"filterServerTable":{"a":[1,{}]}}""",
        """[]""",
        """42""",
        """{"a":1}}""",
        """{"a" 1}""",
        """{0 1}""",
        """{{"x":1}}""",
        """{"queueDatas":[{"brokerName":"b"]}""",
        "{\"orderTopicConf\":\"\u0001\"}",
        "{\"orderTopicConf\":\"unterminated}",
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_route_bodies_are_rejected_with_an_error(string json) => JsonAssert.Rejects<TopicRouteData>(json);

    [Fact]
    public void Invalid_utf8_is_read_like_java_and_deep_nesting_is_rejected()
    {
        // Java decodes a body with new String(bytes, UTF_8), which replaces bad sequences; so may we, without throwing.
        byte[] badKey = [(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}'];
        byte[] badValue = [.. "{\"table\":{\"k\":\""u8, 0xFF, 0xFE, (byte)'"', (byte)'}', (byte)'}'];
        if (RemotingJson.TryDeserialize<KVTable>(badValue, out var table, out _)) Assert.Contains('\uFFFD', table!.Table["k"]);
        RemotingJson.TryDeserialize<KVTable>(badKey, out _, out _);

        var deep = new string('[', 5000) + new string(']', 5000);
        JsonAssert.Rejects<TopicRouteData>("{\"brokerDatas\":" + deep + "}");
        var deepObjects = string.Concat(Enumerable.Repeat("{a:", 5000)) + "1" + new string('}', 5000);
        JsonAssert.Rejects<TopicRouteData>(deepObjects);
    }

    [Fact]
    public void Wrong_shapes_in_other_bodies_are_rejected()
    {
        JsonAssert.Rejects<HeartbeatData>("""{"clientID":"a","consumerDataSet":[{"subscriptionDataSet":{"topic":"T"}}]}""");
        JsonAssert.Rejects<LockBatchRequestBody>("""{"mqSet":[{"queueId":"zero"}]}""");
        JsonAssert.Rejects<ConsumeStats>("""{"offsetTable":{{"queueId":"x"}:{}}}""");
        JsonAssert.Rejects<ConsumeStats>("""{"offsetTable":{{"queueId":1}:null}}""");
        JsonAssert.Rejects<ConsumeStats>("""{"offsetTable":{{"queueId":1}""");
        JsonAssert.Rejects<ConsumeStats>("""{"offsetTable":{[1]:{}}}""");
        JsonAssert.Rejects<ConsumeStats>("""{"offsetTable":{"null":{}}}""");
    }
}
