using AkkaBroker.Protocol.Remoting;

namespace AkkaBroker.Protocol.Tests.Remoting;

public class HeaderTests
{
    private static readonly SendMessageRequestHeader Send = new(
        "pg", "T", "TBW102", 4, 1, 0, 1700000000123, 0, "TAGS\u0001a\u0002", 0, false, 16, false, "broker-a");

    [Fact]
    public void Send_v2_maps_the_one_letter_keys_both_ways()
    {
        var ext = Send.ToExtFields(v2: true);

        Assert.Equal(
            "a=pg b=T c=TBW102 d=4 e=1 f=0 g=1700000000123 h=0 i=TAGS\u0001a\u0002 j=0 k=false l=16 m=false n=broker-a",
            string.Join(' ', ext.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")));
        Assert.Equal(Send, SendMessageRequestHeader.FromExtFields(ext, v2: true, out var error));
        Assert.Null(error);
    }

    [Fact]
    public void Send_v1_uses_the_long_names_and_bname()
    {
        var ext = Send.ToExtFields(v2: false);

        Assert.Equal("pg", ext["producerGroup"]);
        Assert.Equal("1700000000123", ext["bornTimestamp"]);
        Assert.Equal("broker-a", ext["bname"]);
        Assert.Equal(14, ext.Count);
        Assert.Equal(Send, SendMessageRequestHeader.FromExtFields(ext, v2: false, out _));
    }

    [Fact]
    public void Send_v2_from_an_ali_ons_frame_with_numbers_and_booleans()
    {
        const string header = """{"code":310,"language":"JAVA","opaque":1,"flag":0,"version":121,"extFields":{"a":"pg","b":"T","c":"TBW102","d":4,"e":2,"f":0,"g":1700000000123,"h":0,"i":"TAGS\u0001a\u0002","j":0,"k":false}}""";
        var command = RemotingCodecTests.Decode(RemotingCodecTests.JsonFrame(header, [1]));

        var send = SendMessageRequestHeader.FromCommand(command, out var error);

        Assert.Null(error);
        Assert.Equal(new SendMessageRequestHeader("pg", "T", "TBW102", 4, 2, 0, 1700000000123, 0, "TAGS\u0001a\u0002", 0), send);
        Assert.True(SendMessageRequestHeader.UsesShortKeys(RequestCode.SendBatchMessage));
        Assert.False(SendMessageRequestHeader.UsesShortKeys(RequestCode.SendMessage));
    }

    [Fact]
    public void Send_errors_name_the_field()
    {
        var ext = Send.ToExtFields(v2: true);
        ext["e"] = "x";
        Assert.Null(SendMessageRequestHeader.FromExtFields(ext, v2: true, out var error));
        Assert.Equal("queueId (e): 'x' is not an integer", error);

        ext = Send.ToExtFields(v2: false);
        ext.Remove("topic");
        ext["queueId"] = "x";
        Assert.Null(SendMessageRequestHeader.FromExtFields(ext, v2: false, out error));
        Assert.Equal("missing required field topic", error);

        ext = Send.ToExtFields(v2: false);
        ext["bornTimestamp"] = "1.5";
        SendMessageRequestHeader.FromExtFields(ext, v2: false, out error);
        Assert.Equal("bornTimestamp: '1.5' is not a long integer", error);
    }

    [Fact]
    public void Send_optional_fields_may_be_absent()
    {
        var minimal = new SendMessageRequestHeader("pg", "T", "TBW102", 4, -1, 0, 1, 0);
        var ext = minimal.ToExtFields(v2: true);

        Assert.False(ext.ContainsKey("i") || ext.ContainsKey("j") || ext.ContainsKey("l") || ext.ContainsKey("n"));
        Assert.Equal(("false", "false"), (ext["k"], ext["m"]));
        ext.Remove("k");
        ext.Remove("m");
        Assert.Equal(minimal, SendMessageRequestHeader.FromExtFields(ext, v2: true, out _));
    }

    [Fact]
    public void Send_response_carries_region_and_trace()
    {
        var header = new SendMessageResponseHeader("0A00000100002A9F0000000000001000", 3, 42);
        var ext = header.ToExtFields();

        Assert.Equal(("3", "42", "DefaultRegion", "true"), (ext["queueId"], ext["queueOffset"], ext["MSG_REGION"], ext["TRACE_ON"]));
        Assert.False(ext.ContainsKey("transactionId"));
        Assert.Equal(header, SendMessageResponseHeader.FromExtFields(ext, out _));
    }

    [Fact]
    public void Pull_request_round_trips_and_reads_sysflag_bits()
    {
        var pull = new PullMessageRequestHeader("cg", "T", 0, 10, 32, 7, -1, 15000, "*", 0);
        var ext = pull.ToExtFields();

        Assert.False(ext.ContainsKey("expressionType"));
        Assert.Equal("-1", ext["commitOffset"]);
        var back = PullMessageRequestHeader.FromExtFields(ext, out _)!;
        Assert.Equal(pull, back);
        Assert.True(back.HasCommitOffset && back.HasSuspend && back.HasSubscription && !back.HasClassFilter);
        Assert.Equal((1, 2, 4, 8, 16), (PullSysFlag.FlagCommitOffset, PullSysFlag.FlagSuspend, PullSysFlag.FlagSubscription,
            PullSysFlag.FlagClassFilter, PullSysFlag.FlagLitePull));
    }

    [Fact]
    public void Pull_response_requires_all_four_offsets()
    {
        var header = new PullMessageResponseHeader(0, 12, 0, 40);
        var ext = header.ToExtFields();
        Assert.Equal(header, PullMessageResponseHeader.FromExtFields(ext, out _));

        ext.Remove("maxOffset");
        Assert.Null(PullMessageResponseHeader.FromExtFields(ext, out var error));
        Assert.Equal("missing required field maxOffset", error);
    }

    [Fact]
    public void Headers_read_from_and_write_to_commands()
    {
        var command = RemotingCommand.CreateRequest(RequestCode.QueryConsumerOffset);
        command.WriteHeader(new QueryConsumerOffsetRequestHeader("cg", "T", 3));
        command.SetExtField("extra", "kept");
        var decoded = RemotingCodecTests.Decode(RemotingCodec.EncodeToArray(command));

        Assert.Equal(new QueryConsumerOffsetRequestHeader("cg", "T", 3), decoded.ReadHeader<QueryConsumerOffsetRequestHeader>(out _));
        Assert.Null(RemotingCommand.CreateRequest(RequestCode.GetMaxOffset).ReadHeader<TopicQueueRequestHeader>(out var error));
        Assert.Equal("missing required field topic", error);

        var response = RemotingCommand.CreateResponse(decoded, ResponseCode.Success);
        response.WriteHeader(new OffsetResponseHeader(5));
        response.WriteHeader(new GetKvConfigResponseHeader("v"));
        Assert.Equal(("5", "v"), (response.ExtFields!["offset"], response.ExtFields["value"]));
    }

    public static TheoryData<object> Headers() =>
    [
        new QueryConsumerOffsetRequestHeader("cg", "T", 1),
        new UpdateConsumerOffsetRequestHeader("cg", "T", 1, -1),
        new TopicQueueRequestHeader("T", 2),
        new SearchOffsetRequestHeader("T", 2, 1700000000000),
        new OffsetResponseHeader(long.MaxValue),
        new GetEarliestMsgStoretimeResponseHeader(1),
        new ConsumerSendMsgBackRequestHeader(4096, "cg", 0, "id", "T", false, 16),
        new ConsumerSendMsgBackRequestHeader(4096, "cg", 3),
        new UnregisterClientRequestHeader("10.0.0.1@1", null, "cg"),
        new ConsumerGroupRequestHeader("cg"),
        new GetConsumeStatsRequestHeader("cg"),
        new QueryMessageRequestHeader("T", "k", 32, 0, long.MaxValue),
        new QueryMessageResponseHeader(1, 2),
        new ViewMessageRequestHeader(8),
        new EndTransactionRequestHeader("pg", 1, 2, 8, true, "id", "tx"),
        new CheckTransactionStateRequestHeader(1, 2, "id"),
        new CreateTopicRequestHeader("T", "TBW102", 8, 8, 6, "SINGLE_TAG", 0, true),
        new DeleteTopicRequestHeader("T"),
        new GetRouteInfoRequestHeader("T", true),
        new RegisterBrokerRequestHeader("b", "10.0.0.1:10911", "DefaultCluster", "10.0.0.1:10912", 0, false, 123),
        new RegisterBrokerResponseHeader(null, "10.0.0.1:10911"),
        new UnregisterBrokerRequestHeader("b", "10.0.0.1:10911", "DefaultCluster", 1),
        new QueryDataVersionRequestHeader("b", "10.0.0.1:10911", "DefaultCluster", 0),
        new QueryDataVersionResponseHeader(true),
        new GetKvConfigRequestHeader("ORDER_TOPIC_CONFIG", "T"),
        new GetKvConfigResponseHeader(null),
        new PutKvConfigRequestHeader("ORDER_TOPIC_CONFIG", "T", "broker-a:8"),
        new DeleteKvConfigRequestHeader("NS", "k"),
        new GetKvListByNamespaceRequestHeader("NS"),
        new GetTopicsByClusterRequestHeader("DefaultCluster"),
    ];

    [Theory]
    [MemberData(nameof(Headers))]
    public void Every_header_round_trips_through_both_serialize_types(object header)
    {
        var method = typeof(HeaderTests).GetMethod(nameof(RoundTrip), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        method.MakeGenericMethod(header.GetType()).Invoke(null, [header]);
    }

    private static void RoundTrip<T>(T header) where T : class, IExtFieldsHeader<T>
    {
        foreach (var type in new[] { SerializeType.Json, SerializeType.Rocketmq })
        {
            var command = RemotingCommand.CreateRequest(1);
            command.SerializeType = type;
            command.WriteHeader(header);
            var decoded = RemotingCodecTests.Decode(RemotingCodec.EncodeToArray(command));
            Assert.Equal(header, decoded.ReadHeader<T>(out var error));
            Assert.Null(error);
        }
    }

    [Fact]
    public void Typed_header_errors_name_the_field()
    {
        var fields = new Dictionary<string, string> { ["consumerGroup"] = "cg", ["topic"] = "T", ["queueId"] = "x" };
        Assert.Null(QueryConsumerOffsetRequestHeader.FromExtFields(fields, out var error));
        Assert.Equal("queueId: 'x' is not an integer", error);

        Assert.Null(UnregisterClientRequestHeader.FromExtFields(new Dictionary<string, string>(), out error));
        Assert.Equal("missing required field clientID", error);

        // Java's Boolean.parseBoolean: anything but "true" (any case) is false; absent optional booleans stay null.
        var route = GetRouteInfoRequestHeader.FromExtFields(new Dictionary<string, string> { ["topic"] = "T", ["acceptStandardJsonOnly"] = "TRUE" }, out _)!;
        Assert.True(route.AcceptStandardJsonOnly);
        Assert.Null(GetRouteInfoRequestHeader.FromExtFields(new Dictionary<string, string> { ["topic"] = "T" }, out _)!.AcceptStandardJsonOnly);
    }
}
