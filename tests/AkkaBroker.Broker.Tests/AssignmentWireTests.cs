using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;

namespace AkkaBroker.Broker.Tests;

/// <summary>QUERY_ASSIGNMENT: the broker's Rebalance actor divides a topic's queues among a group's live members.</summary>
public sealed class AssignmentWireTests
{
    private const string Topics = "akkabroker.broker.topics = [ { name = \"Shared\", read-queue-nums = 5, write-queue-nums = 5 } ]";

    private static async Task<List<int>> AssignmentAsync(RemotingConnection connection, string clientId, MessageModel model = MessageModel.Clustering)
    {
        var body = new QueryAssignmentRequestBody { Topic = "Shared", ConsumerGroup = "CG_ASSIGN", ClientId = clientId, MessageModel = model };
        var response = await connection.InvokeAsync(RemotingCommand.CreateRequest(RequestCode.QueryAssignment, body: RemotingJson.Serialize(body)), TimeSpan.FromSeconds(10));
        Assert.Equal(ResponseCode.Success, response.Code);
        Assert.True(RemotingJson.TryDeserialize<QueryAssignmentResponseBody>(response.Body.Span, out var answer, out var error), error);
        Assert.All(answer!.MessageQueueAssignments, a => Assert.Equal(("Shared", "broker-a", "PULL"), (a.MessageQueue.Topic, a.MessageQueue.BrokerName, a.Mode)));
        return answer.MessageQueueAssignments.Select(a => a.MessageQueue.QueueId).Order().ToList();
    }

    [Fact]
    public async Task Live_members_get_disjoint_average_shares_and_strangers_get_nothing()
    {
        await using var node = await WireNode.StartAsync(null, Topics);
        var first = await RemotingClient.OpenAsync("127.0.0.1", node.BrokerPort);
        var second = await RemotingClient.OpenAsync("127.0.0.1", node.BrokerPort);
        try
        {
            Assert.Equal(ResponseCode.Success, (await first.InvokeAsync(WireRecords.Heartbeat("10.0.0.1@a", "CG_ASSIGN", "Shared"), TimeSpan.FromSeconds(10))).Code);
            Assert.Equal(ResponseCode.Success, (await second.InvokeAsync(WireRecords.Heartbeat("10.0.0.2@b", "CG_ASSIGN", "Shared"), TimeSpan.FromSeconds(10))).Code);

            var a = await AssignmentAsync(first, "10.0.0.1@a");
            var b = await AssignmentAsync(second, "10.0.0.2@b");
            // Average allocation over sorted members: the first takes the extra queue.
            Assert.Equal([0, 1, 2], a);
            Assert.Equal([3, 4], b);
            Assert.Empty(await AssignmentAsync(first, "10.0.0.9@stranger"));
            Assert.Equal([0, 1, 2, 3, 4], await AssignmentAsync(first, "10.0.0.9@stranger", MessageModel.Broadcasting));

            // When a member leaves, the survivor's share becomes everything.
            await second.DisposeAsync();
            Assert.True(await WireRecords.EventuallyAsync(async () => (await AssignmentAsync(first, "10.0.0.1@a")).Count == 5, TimeSpan.FromSeconds(10)));
        }
        finally
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
        }
    }
}
