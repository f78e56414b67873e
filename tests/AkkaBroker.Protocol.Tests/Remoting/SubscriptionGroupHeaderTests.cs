using AkkaBroker.Protocol.Remoting;

namespace AkkaBroker.Protocol.Tests.Remoting;

public class SubscriptionGroupHeaderTests
{
    [Theory]
    [InlineData(SerializeType.Json)]
    [InlineData(SerializeType.Rocketmq)]
    public void Delete_subscription_group_round_trips_with_Java_field_names(SerializeType type)
    {
        var header = new DeleteSubscriptionGroupRequestHeader("cg", RemoveOffset: true);
        var command = RemotingCommand.CreateRequest(RequestCode.DeleteSubscriptiongroup);
        command.SerializeType = type;
        command.WriteHeader(header);

        Assert.Equal("cg", command.ExtFields!["groupName"]);
        Assert.Equal("true", command.ExtFields["removeOffset"]);
        var decoded = RemotingCodecTests.Decode(RemotingCodec.EncodeToArray(command));
        Assert.Equal(header, decoded.ReadHeader<DeleteSubscriptionGroupRequestHeader>(out var error));
        Assert.Null(error);
    }

    [Fact]
    public void Delete_subscription_group_defaults_removeOffset_and_requires_groupName()
    {
        var fields = new Dictionary<string, string> { ["groupName"] = "cg" };
        Assert.Equal(new DeleteSubscriptionGroupRequestHeader("cg"), DeleteSubscriptionGroupRequestHeader.FromExtFields(fields, out _));

        Assert.Null(DeleteSubscriptionGroupRequestHeader.FromExtFields(new Dictionary<string, string>(), out var error));
        Assert.Equal("missing required field groupName", error);
    }
}
