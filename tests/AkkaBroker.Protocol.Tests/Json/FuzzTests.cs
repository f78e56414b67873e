using System.Text;
using AkkaBroker.Protocol.Json;

namespace AkkaBroker.Protocol.Tests.Json;

public class FuzzTests
{
    private const int Iterations = 24_000;

    private static readonly string[] Samples =
    [
        """{"brokerDatas":[{"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}],"filterServerTable":{},"orderTopicConf":"broker-a:8","queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":8,"topicSysFlag":0,"writeQueueNums":8}]}""",
        """{"brokerAddrTable":{"broker-a":{"brokerAddrs":{"0":"10.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}""",
        """{"clientID":"10.0.0.5@12345#8872345","consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_LAST_OFFSET","consumeType":"CONSUME_PASSIVELY","groupName":"G","messageModel":"CLUSTERING","subscriptionDataSet":[{"classFilterMode":false,"codeSet":[2598919],"expressionType":"TAG","subString":"TagA","subVersion":1700000000000,"tagsSet":["TagA"],"topic":"T"}],"unitMode":false}],"producerDataSet":[{"groupName":"PG"}]}""",
        """{"consumeTps":2.5,"offsetTable":{{"brokerName":"broker-a","queueId":0,"topic":"T"}:{"brokerOffset":100,"consumerOffset":90,"lastTimestamp":1700000000000}}}""",
        """{"clientId":"10.0.0.5@1","consumerGroup":"G","mqSet":[{"brokerName":"broker-a","queueId":0,"topic":"T"}]}""",
        """{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":3,"timestamp":1700000000000},"topicConfigTable":{"T":{"order":false,"perm":6,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","topicName":"T","topicSysFlag":0,"writeQueueNums":8}}}}""",
        """{"connectionSet":[{"clientAddr":"10.0.0.5:50312","clientId":"10.0.0.5@1","language":"JAVA","version":399}],"consumeType":"CONSUME_PASSIVELY","subscriptionTable":{"T":{"subString":"*","topic":"T"}}}""",
        """{"table":{"k":"v"},"consumerIdList":["a@1"],"lockOKMQSet":[{"brokerName":"b","queueId":"1","topic":"T"}],"topicList":["A"],"brokerAddr":"h:1"}""",
    ];

    private static readonly byte[] Interesting = "{}[]:,\"\\0123456789-+.eE tfn{:\u00ff"u8.ToArray();

    [Fact]
    public void Try_deserialize_never_throws_on_mutated_samples()
    {
        var random = new Random(20240611);
        var accepted = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var sample = Encoding.UTF8.GetBytes(Samples[random.Next(Samples.Length)]);
            var mutated = Mutate(sample, random, mutations: 1 + random.Next(4));
            accepted += Check<TopicRouteData>(mutated) + Check<ClusterInfo>(mutated) + Check<HeartbeatData>(mutated)
                + Check<ConsumeStats>(mutated) + Check<LockBatchRequestBody>(mutated) + Check<RegisterBrokerBody>(mutated)
                + Check<ConsumerConnection>(mutated) + Check<KVTable>(mutated) + Check<LockBatchResponseBody>(mutated);
        }

        // Most single-byte mutations of a lenient format still parse; both outcomes must have been exercised.
        Assert.InRange(accepted, 1, Iterations * 9 - 1);
    }

    [Fact]
    public void Key_pass_never_throws_on_random_bytes()
    {
        var random = new Random(7);
        var buffer = new byte[64];
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(buffer.Length);
            for (var j = 0; j < length; j++) buffer[j] = Interesting[random.Next(Interesting.Length)];
            FastjsonText.QuoteKeys(buffer.AsSpan(0, length));
            RemotingJson.TryDeserialize<ConsumeStats>(buffer.AsSpan(0, length), out _, out _);
        }
    }

    /// <summary>Whatever is accepted is a usable body: it serializes in both forms and reads back.</summary>
    private static int Check<T>(byte[] json)
        where T : class
    {
        if (!RemotingJson.TryDeserialize<T>(json, out var body, out var error))
        {
            Assert.Null(body);
            Assert.False(string.IsNullOrEmpty(error));
            return 0;
        }

        Assert.NotNull(body);
        Assert.Null(error);
        foreach (var bare in new[] { false, true })
        {
            var written = RemotingJson.Serialize(body, bare);
            Assert.True(RemotingJson.TryDeserialize<T>(written, out _, out var again), again);
        }

        return 1;
    }

    private static byte[] Mutate(byte[] sample, Random random, int mutations)
    {
        var bytes = new List<byte>(sample);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 1:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(8)));
                    break;
                case 2:
                    bytes.Insert(at, Interesting[random.Next(Interesting.Length)]);
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4:
                    var length = Math.Min(bytes.Count - at, 1 + random.Next(16));
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
                default:
                    bytes[at] = (byte)random.Next(256);
                    break;
            }
        }

        return [.. bytes];
    }
}
