using AkkaBroker.Protocol.Json;

namespace AkkaBroker.Protocol.Tests.Json;

public class ClientBodyTests
{
    // Reference §6.1, the Java client's HEART_BEAT body (the elided sets filled in).
    private const string JavaHeartbeat =
        """{"clientID":"10.0.0.5@12345#8872345","consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY","groupName":"G","messageModel":"CLUSTERING","subscriptionDataSet":[{"classFilterMode":false,"codeSet":[2598919,2598920],"expressionType":"TAG","subString":"TagA || TagB","subVersion":1700000000000,"tagsSet":["TagA","TagB"],"topic":"T"}],"unitMode":false}],"producerDataSet":[{"groupName":"PG"},{"groupName":"CLIENT_INNER_PRODUCER"}]}""";

    // Reference §9.3: ali-ons builds the body with JSON.stringify in its own key order, without expressionType.
    private const string AliOnsHeartbeat =
        """{"clientID":"192.168.1.10@4242","consumerDataSet":[{"groupName":"CG","consumeType":"CONSUME_PASSIVELY","messageModel":"CLUSTERING","consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","subscriptionDataSet":[{"topic":"TopicTest","subString":"*","classFilterMode":false,"tagsSet":[],"codeSet":[],"subVersion":1700000000123}],"unitMode":false}],"producerDataSet":[{"groupName":"CLIENT_INNER_PRODUCER"}]}""";

    [Fact]
    public void Java_heartbeat_round_trips()
    {
        var heartbeat = JsonAssert.RoundTrips<HeartbeatData>(JavaHeartbeat);

        Assert.Equal("10.0.0.5@12345#8872345", heartbeat.ClientId);
        var consumer = Assert.Single(heartbeat.ConsumerDataSet);
        Assert.Equal(("G", ConsumeType.ConsumePassively, MessageModel.Clustering, ConsumeFromWhere.ConsumeFromLastOffset, false),
            (consumer.GroupName, consumer.ConsumeType, consumer.MessageModel, consumer.ConsumeFromWhere, consumer.UnitMode));
        var subscription = Assert.Single(consumer.SubscriptionDataSet);
        Assert.Equal(["TagA", "TagB"], subscription.TagsSet);
        Assert.Equal([2598919, 2598920], subscription.CodeSet);
        Assert.Equal(1700000000000, subscription.SubVersion);
        Assert.Equal("TAG", subscription.ExpressionType);
        Assert.Equal(["PG", "CLIENT_INNER_PRODUCER"], heartbeat.ProducerDataSet.Select(p => p.GroupName));
    }

    [Fact]
    public void Ali_ons_heartbeat_parses_and_is_rewritten_in_java_order()
    {
        var heartbeat = JsonAssert.Parses<HeartbeatData>(AliOnsHeartbeat);

        Assert.Equal("192.168.1.10@4242", heartbeat.ClientId);
        var subscription = Assert.Single(Assert.Single(heartbeat.ConsumerDataSet).SubscriptionDataSet);
        Assert.Equal(("TopicTest", "*", 1700000000123L), (subscription.Topic, subscription.SubString, subscription.SubVersion));
        Assert.Null(subscription.ExpressionType);
        Assert.Equal(
            """{"clientID":"192.168.1.10@4242","consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY","groupName":"CG","messageModel":"CLUSTERING","subscriptionDataSet":[{"classFilterMode":false,"codeSet":[],"subString":"*","subVersion":1700000000123,"tagsSet":[],"topic":"TopicTest"}],"unitMode":false}],"producerDataSet":[{"groupName":"CLIENT_INNER_PRODUCER"}]}""",
            JsonAssert.Text(heartbeat));
    }

    [Fact]
    public void Producer_only_heartbeat_parses()
    {
        var heartbeat = JsonAssert.Parses<HeartbeatData>("""{"clientID":"1.2.3.4@1","consumerDataSet":[],"producerDataSet":[{"groupName":"PG"}]}""");
        Assert.Empty(heartbeat.ConsumerDataSet);
    }

    [Theory]
    [InlineData("CONSUME_ACTIVELY", "BROADCASTING", "CONSUME_FROM_FIRST_OFFSET")]
    [InlineData("CONSUME_PASSIVELY", "CLUSTERING", "CONSUME_FROM_TIMESTAMP")]
    [InlineData("CONSUME_PASSIVELY", "CLUSTERING", "CONSUME_FROM_LAST_OFFSET_AND_FROM_MIN_WHEN_BOOT_FIRST")]
    [InlineData("CONSUME_PASSIVELY", "CLUSTERING", "CONSUME_FROM_MIN_OFFSET")]
    [InlineData("CONSUME_PASSIVELY", "CLUSTERING", "CONSUME_FROM_MAX_OFFSET")]
    public void Enums_round_trip_by_rocketmq_name(string consumeType, string messageModel, string fromWhere)
    {
        var golden = $$"""{"consumeFromWhere":"{{fromWhere}}","consumeType":"{{consumeType}}","groupName":"G","messageModel":"{{messageModel}}","subscriptionDataSet":[],"unitMode":true}""";
        var consumer = JsonAssert.RoundTrips<ConsumerData>(golden);
        Assert.True(consumer.UnitMode);
    }

    [Theory]
    [InlineData("""{"consumeType":"CONSUME_SOMETIMES"}""")]
    [InlineData("""{"consumeType":2}""")]
    [InlineData("""{"consumeType":-1}""")]
    [InlineData("""{"consumeFromWhere":6}""")]
    [InlineData("""{"messageModel":1.5}""")]
    [InlineData("""{"messageModel":null}""")]
    [InlineData("""{"messageModel":{}}""")]
    public void Unknown_enum_names_and_ordinals_are_rejected(string json) =>
        Assert.Contains("ConsumerData", JsonAssert.Rejects<ConsumerData>(json));

    [Fact]
    public void Lock_batch_request_and_response_use_rocketmq_names()
    {
        // Reference §3.3: {"consumerGroup","clientId","mqSet":[{"brokerName","queueId","topic"}]}, in fastjson's order.
        const string request =
            """{"clientId":"10.0.0.5@1","consumerGroup":"G","mqSet":[{"brokerName":"broker-a","queueId":0,"topic":"T"},{"brokerName":"broker-a","queueId":1,"topic":"T"}]}""";
        var lockRequest = JsonAssert.RoundTrips<LockBatchRequestBody>(request);
        Assert.Equal(new MessageQueue { BrokerName = "broker-a", QueueId = 1, Topic = "T" }, lockRequest.MqSet[1]);

        var unlock = JsonAssert.RoundTrips<UnlockBatchRequestBody>(request);
        Assert.Equal(2, unlock.MqSet.Count);

        var response = new LockBatchResponseBody { LockOkMqSet = [lockRequest.MqSet[0]] };
        const string golden = """{"lockOKMQSet":[{"brokerName":"broker-a","queueId":0,"topic":"T"}]}""";
        Assert.Equal(golden, JsonAssert.Text(response));
        Assert.Equal(lockRequest.MqSet[0], Assert.Single(JsonAssert.Parses<LockBatchResponseBody>(golden).LockOkMqSet));
    }

    [Fact]
    public void Consumer_list_matches_the_reference_shape()
    {
        var body = JsonAssert.RoundTrips<GetConsumerListByGroupResponseBody>("""{"consumerIdList":["10.0.0.5@1","10.0.0.6@2"]}""");
        Assert.Equal(["10.0.0.5@1", "10.0.0.6@2"], body.ConsumerIdList);
    }
}
