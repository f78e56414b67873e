using System.Reflection;
using AkkaBroker.Protocol.Remoting;

namespace AkkaBroker.Protocol.Tests.Remoting;

public class CodeTableTests
{
    private static List<(string Field, int Value)> Constants(Type type) => type
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral)
        .Select(f => (f.Name, (int)f.GetRawConstantValue()!))
        .ToList();

    private static string Pascal(string javaName) =>
        string.Concat(javaName.Split('_').Select(p => p[..1] + p[1..].ToLowerInvariant()));

    [Theory]
    [InlineData(typeof(RequestCode), 78)]
    [InlineData(typeof(ResponseCode), 37)]
    public void Every_constant_is_unique_and_named_after_rocketmq(Type type, int count)
    {
        var constants = Constants(type);
        var nameOf = type.GetMethod("NameOf")!;

        Assert.Equal(count, constants.Count);
        Assert.Equal(constants.Count, constants.Select(c => c.Value).Distinct().Count());
        foreach (var (field, value) in constants)
            Assert.Equal(field, Pascal((string)nameOf.Invoke(null, [value])!));
    }

    [Fact]
    public void Spot_check_codes_against_the_reference()
    {
        Assert.Equal((10, 11, 34, 38, 105, 310, 320, 41, 53, 328),
            (RequestCode.SendMessage, RequestCode.PullMessage, RequestCode.HeartBeat, RequestCode.GetConsumerListByGroup,
             RequestCode.GetRouteinfoByTopic, RequestCode.SendMessageV2, RequestCode.SendBatchMessage, RequestCode.LockBatchMq,
             RequestCode.UpdateGlobalWhiteAddrsConfig, RequestCode.GetAllProducerInfo));
        Assert.Equal((0, 3, 17, 19, 20, 21, 22, 26, 206, 215),
            (ResponseCode.Success, ResponseCode.RequestCodeNotSupported, ResponseCode.TopicNotExist, ResponseCode.PullNotFound,
             ResponseCode.PullRetryImmediately, ResponseCode.PullOffsetMoved, ResponseCode.QueryNotFound,
             ResponseCode.SubscriptionGroupNotExist, ResponseCode.ConsumerNotOnline, ResponseCode.FlowControl));
    }

    [Fact]
    public void Command_to_string_is_readable_in_logs()
    {
        var request = RemotingCommand.CreateRequest(RequestCode.PullMessage, new() { ["topic"] = "T" });
        request.Opaque = 3;
        var response = RemotingCommand.CreateResponse(request, ResponseCode.PullNotFound, "OFFSET_OVERFLOW_ONE");

        Assert.Equal("PULL_MESSAGE(11) opaque=3 flag=0 Json ext=1 body=0", request.ToString());
        Assert.Equal("PULL_NOT_FOUND(19) opaque=3 flag=1 Json ext=0 body=0 remark=OFFSET_OVERFLOW_ONE", response.ToString());
    }
}
