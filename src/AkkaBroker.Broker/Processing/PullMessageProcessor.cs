using System.Buffers;
using AkkaBroker.Broker.Polling;
using AkkaBroker.Broker.Topics;
using AkkaBroker.Common.Naming;
using AkkaBroker.Protocol;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;
using AkkaBroker.Store;

namespace AkkaBroker.Broker.Processing;

/// <summary>A pull that is being answered, possibly after being held (long polling).</summary>
/// <param name="Request">The PULL_MESSAGE command.</param>
/// <param name="Connection">Where the answer goes.</param>
/// <param name="Header">Its decoded header.</param>
/// <param name="Filter">The tag filter in force for it.</param>
public sealed record PullContext(RemotingCommand Request, RemotingConnection Connection, PullMessageRequestHeader Header, TagFilter Filter);

/// <summary>
/// PULL_MESSAGE (11), RocketMQ's PullMessageProcessor (DESIGN.md §4 "Consume"): validates the request, reads up
/// to maxMsgNums records straight from the store, maps the store's status to the pull response codes, stores a
/// piggybacked commit offset, and hands a pull that found nothing to its queue's actor to wait for messages when
/// the consumer allows suspension.
/// </summary>
public sealed class PullMessageProcessor : IRequestProcessor
{
    private readonly BrokerServices _broker;

    /// <summary>A processor over the broker's services.</summary>
    public PullMessageProcessor(BrokerServices broker) => _broker = broker;

    /// <inheritdoc />
    public ValueTask<RemotingCommand?> ProcessAsync(RemotingCommand request, RemotingConnection connection)
    {
        var header = request.ReadHeader<PullMessageRequestHeader>(out var error);
        if (header is null) return Reply(request, ResponseCode.SystemError, $"bad PULL_MESSAGE header: {error}");
        var refusal = Validate(request, connection, header, out var filter);
        if (refusal is not null) return new(refusal);
        return new(Execute(new PullContext(request, connection, header, filter!), allowSuspend: true));
    }

    /// <summary>
    /// Reads and answers the pull. With <paramref name="allowSuspend"/> a pull that finds nothing is handed to
    /// the queue's actor and null is returned (the actor answers later); without it (a held pull's second try)
    /// the answer is always returned.
    /// </summary>
    public RemotingCommand? Execute(PullContext pull, bool allowSuspend)
    {
        var h = pull.Header;
        var output = new ArrayBufferWriter<byte>(Math.Clamp(h.MaxMsgNums, 1, 64) * 1024);
        var result = _broker.Store.GetMessages(h.Topic, h.QueueId, h.QueueOffset, Math.Max(h.MaxMsgNums, 1), pull.Filter, output);
        var code = CodeOf(result.Status, h.QueueOffset);
        if (result.Status == GetMessageStatus.Found) _broker.ConsumeRates.Record(h.ConsumerGroup, h.Topic, result.MessageCount);
        _broker.TrafficRates.Got(result.Status == GetMessageStatus.Found ? result.MessageCount : 0);

        // The consumer's own progress rides along; store it whatever this pull finds (RocketMQ's order).
        if (allowSuspend && h.HasCommitOffset && _broker.IsMaster) _broker.Offsets.Commit(h.ConsumerGroup, h.Topic, h.QueueId, h.CommitOffset);

        if (code == ResponseCode.PullNotFound && allowSuspend && h.HasSuspend)
        {
            var wait = _broker.Broker.LongPollingEnable ? TimeSpan.FromMilliseconds(Math.Max(h.SuspendTimeoutMillis, 0)) : _broker.Broker.ShortPollingTime;
            _broker.QueueRegion.Tell(new QueueRegion.Hold(pull, wait));
            return null;
        }

        var response = RemotingCommand.CreateResponse(pull.Request, code, RemarkOf(result.Status));
        // Slaves only serve reads when slave-read-enable is on, so without it every consumer is told "master".
        response.WriteHeader(new PullMessageResponseHeader(0, result.NextBeginOffset, result.MinOffset, result.MaxOffset));
        if (code == ResponseCode.Success) response.Body = output.WrittenMemory;
        return response;
    }

    private RemotingCommand? Validate(RemotingCommand request, RemotingConnection connection, PullMessageRequestHeader h, out TagFilter? filter)
    {
        filter = null;
        if (!TopicPerm.IsReadable(_broker.Broker.BrokerPermission))
            return BrokerServices.Reply(request, ResponseCode.NoPermission, $"the broker[{_broker.Broker.BrokerIp1}] pulling message is forbidden");
        if (ResourceNames.ValidateGroup(h.ConsumerGroup) is { } badGroup)
            return BrokerServices.Reply(request, ResponseCode.SubscriptionGroupNotExist, badGroup);
        var topic = _broker.Topics.Find(h.Topic);
        if (topic is null)
            return BrokerServices.Reply(request, ResponseCode.TopicNotExist, $"topic[{h.Topic}] not exist, apply first please!");
        if (!TopicPerm.IsReadable(topic.Perm))
            return BrokerServices.Reply(request, ResponseCode.NoPermission, $"the topic[{h.Topic}] pulling message is forbidden");
        if (h.QueueId < 0 || h.QueueId >= topic.ReadQueueNums)
            return BrokerServices.Reply(request, ResponseCode.SystemError,
                $"queueId[{h.QueueId}] is illegal, topic:[{h.Topic}] topicConfig.readQueueNums:[{topic.ReadQueueNums}] consumer:[{connection.RemoteAddress}]");

        string? expression;
        string? type;
        if (h.HasSubscription)
        {
            expression = h.Subscription;
            type = h.ExpressionType;
        }
        else
        {
            var group = _broker.Consumers.Find(h.ConsumerGroup);
            if (group is null)
                return BrokerServices.Reply(request, ResponseCode.SubscriptionNotExist, $"the consumer's group info not exist, group: {h.ConsumerGroup}");
            if (!group.Subscriptions.TryGetValue(h.Topic, out var subscription))
                return BrokerServices.Reply(request, ResponseCode.SubscriptionNotExist, $"the consumer's subscription not exist, topic: {h.Topic}");
            expression = subscription.SubString;
            type = subscription.ExpressionType;
        }

        if (type is not null && !string.Equals(type, SubscriptionData.TagExpression, StringComparison.OrdinalIgnoreCase))
            return BrokerServices.Reply(request, ResponseCode.SubscriptionParseFailed, $"expression type {type} is not supported; use TAG");
        filter = TagFilter.Parse(expression);
        return null;
    }

    /// <summary>RocketMQ's mapping from the store's read status to a pull response code (master behaviour).</summary>
    public static int CodeOf(GetMessageStatus status, long requestedOffset) => status switch
    {
        GetMessageStatus.Found => ResponseCode.Success,
        GetMessageStatus.MessageWasRemoving or GetMessageStatus.NoMatchedMessage => ResponseCode.PullRetryImmediately,
        GetMessageStatus.NoMatchedLogicQueue or GetMessageStatus.NoMessageInQueue =>
            requestedOffset != 0 ? ResponseCode.PullOffsetMoved : ResponseCode.PullNotFound,
        GetMessageStatus.OffsetFoundNull or GetMessageStatus.OffsetOverflowOne => ResponseCode.PullNotFound,
        GetMessageStatus.OffsetOverflowBadly or GetMessageStatus.OffsetTooSmall => ResponseCode.PullOffsetMoved,
        _ => ResponseCode.SystemError,
    };

    // The Java broker's remark is the status name, e.g. OFFSET_FOUND_NULL.
    private static string RemarkOf(GetMessageStatus status) => StatusNames[(int)status];

    private static readonly string[] StatusNames = Enum.GetValues<GetMessageStatus>()
        .OrderBy(s => (int)s)
        .Select(s => string.Concat(s.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : char.ToUpperInvariant(c).ToString())))
        .ToArray();

    private static ValueTask<RemotingCommand?> Reply(RemotingCommand request, int code, string remark) =>
        new(BrokerServices.Reply(request, code, remark));
}
