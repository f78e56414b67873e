using AkkaBroker.Protocol.Json;

namespace AkkaBroker.Protocol.Tests.Json;

public class AdminBodyTests
{
    // fastjson writes a map key that is a Java object as that object's JSON (not strict JSON); Java's admin reads it so.
    private const string ConsumeStatsFastjson =
        """{"consumeTps":2.5,"offsetTable":{{"brokerName":"broker-a","queueId":0,"topic":"T"}:{"brokerOffset":100,"consumerOffset":90,"lastTimestamp":1700000000000},{"brokerName":"broker-a","queueId":1,"topic":"T"}:{"brokerOffset":7,"consumerOffset":7,"lastTimestamp":0}}}""";

    [Fact]
    public void Consume_stats_write_message_queue_keys_as_objects()
    {
        var stats = new ConsumeStats
        {
            ConsumeTps = 2.5,
            OffsetTable =
            {
                [new MessageQueue { BrokerName = "broker-a", QueueId = 0, Topic = "T" }] = new OffsetWrapper { BrokerOffset = 100, ConsumerOffset = 90, LastTimestamp = 1700000000000 },
                [new MessageQueue { BrokerName = "broker-a", QueueId = 1, Topic = "T" }] = new OffsetWrapper { BrokerOffset = 7, ConsumerOffset = 7 },
            },
        };

        Assert.Equal(ConsumeStatsFastjson, JsonAssert.Text(stats));
        Assert.Equal(ConsumeStatsFastjson, JsonAssert.Text(stats, bareIntegerKeys: true));
    }

    [Fact]
    public void Consume_stats_read_object_keys()
    {
        var stats = JsonAssert.RoundTrips<ConsumeStats>(ConsumeStatsFastjson);

        Assert.Equal(2.5, stats.ConsumeTps);
        var first = stats.OffsetTable[new MessageQueue { BrokerName = "broker-a", QueueId = 0, Topic = "T" }];
        Assert.Equal((100L, 90L, 1700000000000L), (first.BrokerOffset, first.ConsumerOffset, first.LastTimestamp));
    }

    [Fact]
    public void Consume_stats_keys_with_spaces_escapes_and_extra_fields_read()
    {
        const string json = """{"consumeTps":0.0,"offsetTable":{ { "topic" : "T\"q", "queueId":"3", "brokerName":"b", "x":[1,{}] } : {"brokerOffset":1,"consumerOffset":0,"lastTimestamp":0}}}""";

        var stats = JsonAssert.Parses<ConsumeStats>(json);

        Assert.Equal(1, stats.OffsetTable[new MessageQueue { BrokerName = "b", QueueId = 3, Topic = "T\"q" }].BrokerOffset);
    }

    [Fact]
    public void Consume_stats_with_a_string_key_that_is_not_a_queue_is_rejected() =>
        JsonAssert.Rejects<ConsumeStats>("""{"offsetTable":{"T":{"brokerOffset":1}}}""");

    [Fact]
    public void Consumer_connection_round_trips()
    {
        const string golden =
            """{"connectionSet":[{"clientAddr":"10.0.0.5:50312","clientId":"10.0.0.5@1","language":"JAVA","version":399}],"consumeFromWhere":"CONSUME_FROM_FIRST_OFFSET","consumeType":"CONSUME_PASSIVELY","messageModel":"BROADCASTING","subscriptionTable":{"T":{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*","subVersion":5,"tagsSet":[],"topic":"T"}}}""";

        var connection = JsonAssert.RoundTrips<ConsumerConnection>(golden);

        Assert.Equal(MessageModel.Broadcasting, connection.MessageModel);
        Assert.Equal(399, Assert.Single(connection.ConnectionSet).Version);
        Assert.Equal("*", connection.SubscriptionTable["T"].SubString);
    }

    [Fact]
    public void Consumer_connection_without_members_leaves_the_enums_out() =>
        Assert.Equal("""{"connectionSet":[],"subscriptionTable":{}}""", JsonAssert.Text(new ConsumerConnection()));
}
