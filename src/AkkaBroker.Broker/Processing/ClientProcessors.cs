using AkkaBroker.Actors;
using AkkaBroker.Broker.Consumers;
using AkkaBroker.Broker.Storage;
using AkkaBroker.Broker.Topics;
using AkkaBroker.Common.Naming;
using AkkaBroker.Protocol;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Broker.Processing;

/// <summary>
/// The client-facing codes besides send and pull: heartbeats and consumer membership (RocketMQ's
/// ClientManageProcessor), consumer offsets (ConsumerManageProcessor), queue offsets by position or time, and
/// CONSUMER_SEND_MSG_BACK (retry and dead letters, reference §4.8).
/// </summary>
public sealed class ClientProcessors
{
    private readonly BrokerServices _broker;

    /// <summary>Processors over the broker's services.</summary>
    public ClientProcessors(BrokerServices broker) => _broker = broker;

    /// <summary>HEART_BEAT (34): registers the client's consumer groups (creating their retry topics) and producer groups.</summary>
    public ValueTask<RemotingCommand?> HeartbeatAsync(RemotingCommand request, RemotingConnection connection)
    {
        if (!RemotingJson.TryDeserialize<HeartbeatData>(request.Body.Span, out var data, out var error) || data is null)
            return Done(request, ResponseCode.SystemError, $"bad HEART_BEAT body: {error}");
        if (string.IsNullOrEmpty(data.ClientId)) return Done(request, ResponseCode.SystemError, "HEART_BEAT without clientID");

        foreach (var consumer in data.ConsumerDataSet)
        {
            if (ResourceNames.ValidateGroup(consumer.GroupName) is { } invalid) return Done(request, ResponseCode.SystemError, invalid);
        }

        return RegisterAsync(request, connection, data);
    }

    // A client asks for the group's members right after its heartbeat (ali-ons does), and its retry topic's route:
    // both must be in place before the answer.
    private async ValueTask<RemotingCommand?> RegisterAsync(RemotingCommand request, RemotingConnection connection, HeartbeatData data)
    {
        var created = false;
        var acks = new List<Task<ConsumerGroups.HeartbeatAck>>();
        foreach (var consumer in data.ConsumerDataSet)
        {
            var before = _broker.Topics.Count;
            _broker.Topics.GetOrCreateRetryTopic(consumer.GroupName);
            created |= _broker.Topics.Count != before;
            acks.Add(_broker.ConsumerGroups.Ask<ConsumerGroups.HeartbeatAck>(
                new ConsumerGroups.Heartbeat(data.ClientId, connection, consumer, request.Version, request.Language), GroupActorTimeout));
        }

        try
        {
            await Task.WhenAll(acks).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return BrokerServices.Reply(request, ResponseCode.SystemBusy, "consumer group registration timed out; retry the heartbeat");
        }

        if (created) await RegisterRetryTopicsAsync().ConfigureAwait(false);
        return BrokerServices.Reply(request, ResponseCode.Success);
    }

    // How long a heartbeat, an assignment or an unregistration waits for the consumer group's actor.
    private static readonly TimeSpan GroupActorTimeout = TimeSpan.FromSeconds(5);

    private async Task RegisterRetryTopicsAsync()
    {
        try
        {
            await _broker.Registrar.Ask<Registration.NameServerRegistrar.Registered>(Registration.NameServerRegistrar.RegisterNow.Instance,
                TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            _broker.Log.LogWarning("Registering a new retry topic with the name servers took over 10 s");
        }
    }

    /// <summary>
    /// QUERY_ASSIGNMENT (400): the asking member's share of the topic's queues on this broker, computed by the
    /// group's Rebalance actor (average allocation over the live members; every queue when broadcasting). A client
    /// that is not a live member gets an empty set, so it never reads queues another member owns.
    /// </summary>
    public async ValueTask<RemotingCommand?> QueryAssignmentAsync(RemotingCommand request, RemotingConnection connection)
    {
        if (!RemotingJson.TryDeserialize<QueryAssignmentRequestBody>(request.Body.Span, out var body, out var error) || body is null)
            return BrokerServices.Reply(request, ResponseCode.SystemError, $"bad QUERY_ASSIGNMENT body: {error}");
        if (ResourceNames.ValidateGroup(body.ConsumerGroup) is { } invalid) return BrokerServices.Reply(request, ResponseCode.SystemError, invalid);
        var topic = _broker.Topics.Find(body.Topic);
        if (topic is null) return BrokerServices.Reply(request, ResponseCode.TopicNotExist, $"topic[{body.Topic}] not exist");
        var queues = Enumerable.Range(0, topic.ReadQueueNums)
            .Select(i => new MessageQueue { Topic = body.Topic, BrokerName = _broker.Broker.BrokerName, QueueId = i }).ToList();
        IReadOnlyList<MessageQueue> mine;
        if (body.MessageModel == MessageModel.Broadcasting)
        {
            mine = queues;
        }
        else
        {
            var assignment = await _broker.ConsumerGroups.Ask<Rebalance.Assignment>(
                new ConsumerGroups.ForGroup(body.ConsumerGroup, new Rebalance.GetAssignment(body.Topic, queues)), GroupActorTimeout).ConfigureAwait(false);
            mine = assignment.ByClient.GetValueOrDefault(body.ClientId) ?? [];
        }

        var response = BrokerServices.Reply(request, ResponseCode.Success);
        response.Body = RemotingJson.Serialize(new QueryAssignmentResponseBody
        {
            MessageQueueAssignments = mine.Select(q => new MessageQueueAssignment { MessageQueue = q }).ToList(),
        });
        return response;
    }

    /// <summary>
    /// UNREGISTER_CLIENT (35). Answered once the group without the client is published (as the Java broker removes it
    /// before answering), so a client that stops and a tool that then lists the group agree.
    /// </summary>
    public async ValueTask<RemotingCommand?> UnregisterClientAsync(RemotingCommand request, RemotingConnection connection)
    {
        var header = request.ReadHeader<UnregisterClientRequestHeader>(out var error);
        if (header is null) return BrokerServices.Reply(request, ResponseCode.SystemError, $"bad UNREGISTER_CLIENT header: {error}");
        if (header.ConsumerGroup is { Length: > 0 } group)
        {
            try
            {
                await _broker.ConsumerGroups.Ask<ConsumerGroups.UnregisterAck>(new ConsumerGroups.Unregister(header.ClientId, group), GroupActorTimeout)
                    .ConfigureAwait(false);
            }
            catch (AskTimeoutException)
            {
                return BrokerServices.Reply(request, ResponseCode.SystemBusy, "consumer group unregistration timed out; retry");
            }
        }

        return BrokerServices.Reply(request, ResponseCode.Success);
    }

    /// <summary>GET_CONSUMER_LIST_BY_GROUP (38): the live members' client ids.</summary>
    public ValueTask<RemotingCommand?> GetConsumerListAsync(RemotingCommand request, RemotingConnection connection)
    {
        var header = request.ReadHeader<ConsumerGroupRequestHeader>(out var error);
        if (header is null) return Done(request, ResponseCode.SystemError, $"bad GET_CONSUMER_LIST_BY_GROUP header: {error}");
        var group = _broker.Consumers.Find(header.ConsumerGroup);
        if (group is null || group.Members.Count == 0)
            return Done(request, ResponseCode.SystemError, $"no consumer for this group, {header.ConsumerGroup}");
        var response = BrokerServices.Reply(request, ResponseCode.Success);
        response.Body = RemotingJson.Serialize(new GetConsumerListByGroupResponseBody { ConsumerIdList = group.Members.Select(m => m.ClientId).ToList() });
        return new(response);
    }

    /// <summary>UPDATE_CONSUMER_OFFSET (15).</summary>
    public ValueTask<RemotingCommand?> UpdateConsumerOffsetAsync(RemotingCommand request, RemotingConnection connection)
    {
        var header = request.ReadHeader<UpdateConsumerOffsetRequestHeader>(out var error);
        if (header is null) return Done(request, ResponseCode.SystemError, $"bad UPDATE_CONSUMER_OFFSET header: {error}");
        if (ResourceNames.ValidateGroup(header.ConsumerGroup) is { } invalid) return Done(request, ResponseCode.SystemError, invalid);
        if (_broker.Topics.Find(header.Topic) is null) return Done(request, ResponseCode.TopicNotExist, $"topic[{header.Topic}] not exist");
        _broker.Offsets.Commit(header.ConsumerGroup, header.Topic, header.QueueId, header.CommitOffset);
        return Done(request, ResponseCode.Success);
    }

    /// <summary>
    /// QUERY_CONSUMER_OFFSET (14): the stored offset; without one, 0 when the queue still starts at 0 (a new group
    /// then reads the queue from its start, as RocketMQ does), else QUERY_NOT_FOUND.
    /// </summary>
    public ValueTask<RemotingCommand?> QueryConsumerOffsetAsync(RemotingCommand request, RemotingConnection connection)
    {
        var header = request.ReadHeader<QueryConsumerOffsetRequestHeader>(out var error);
        if (header is null) return Done(request, ResponseCode.SystemError, $"bad QUERY_CONSUMER_OFFSET header: {error}");
        var offset = _broker.Offsets.Query(header.ConsumerGroup, header.Topic, header.QueueId);
        if (offset < 0 && _broker.Store.GetMinOffset(header.Topic, header.QueueId) <= 0) offset = 0;
        if (offset < 0)
            return Done(request, ResponseCode.QueryNotFound, "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first");
        return WithOffset(request, offset);
    }

    /// <summary>GET_MAX_OFFSET (30).</summary>
    public ValueTask<RemotingCommand?> GetMaxOffsetAsync(RemotingCommand request, RemotingConnection connection)
    {
        var header = request.ReadHeader<TopicQueueRequestHeader>(out var error);
        return header is null ? Done(request, ResponseCode.SystemError, $"bad GET_MAX_OFFSET header: {error}")
            : WithOffset(request, _broker.Store.GetMaxOffset(header.Topic, header.QueueId));
    }

    /// <summary>GET_MIN_OFFSET (31).</summary>
    public ValueTask<RemotingCommand?> GetMinOffsetAsync(RemotingCommand request, RemotingConnection connection)
    {
        var header = request.ReadHeader<TopicQueueRequestHeader>(out var error);
        return header is null ? Done(request, ResponseCode.SystemError, $"bad GET_MIN_OFFSET header: {error}")
            : WithOffset(request, _broker.Store.GetMinOffset(header.Topic, header.QueueId));
    }

    /// <summary>SEARCH_OFFSET_BY_TIMESTAMP (29).</summary>
    public ValueTask<RemotingCommand?> SearchOffsetAsync(RemotingCommand request, RemotingConnection connection)
    {
        var header = request.ReadHeader<SearchOffsetRequestHeader>(out var error);
        return header is null ? Done(request, ResponseCode.SystemError, $"bad SEARCH_OFFSET_BY_TIMESTAMP header: {error}")
            : WithOffset(request, _broker.Store.GetOffsetByTime(header.Topic, header.QueueId, header.Timestamp));
    }

    /// <summary>GET_EARLIEST_MSG_STORETIME (32).</summary>
    public ValueTask<RemotingCommand?> GetEarliestStoreTimeAsync(RemotingCommand request, RemotingConnection connection)
    {
        var header = request.ReadHeader<TopicQueueRequestHeader>(out var error);
        if (header is null) return Done(request, ResponseCode.SystemError, $"bad GET_EARLIEST_MSG_STORETIME header: {error}");
        var response = BrokerServices.Reply(request, ResponseCode.Success);
        response.WriteHeader(new GetEarliestMsgStoretimeResponseHeader(_broker.Store.GetEarliestStoreTime(header.Topic, header.QueueId)));
        return new(response);
    }

    /// <summary>
    /// CONSUMER_SEND_MSG_BACK (36): stores a copy of a consumed message in the group's retry topic with the next
    /// delay level, or in its dead-letter topic past the reconsume limit (reference §4.8).
    /// </summary>
    public async ValueTask<RemotingCommand?> SendMessageBackAsync(RemotingCommand request, RemotingConnection connection)
    {
        var header = request.ReadHeader<ConsumerSendMsgBackRequestHeader>(out var error);
        if (header is null) return BrokerServices.Reply(request, ResponseCode.SystemError, $"bad CONSUMER_SEND_MSG_BACK header: {error}");
        if (ResourceNames.ValidateGroup(header.Group) is { } invalid) return BrokerServices.Reply(request, ResponseCode.SystemError, invalid);
        if (!_broker.IsMaster) return BrokerServices.Reply(request, ResponseCode.ServiceNotAvailable, "the broker is a slave");

        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        if (!await LookUpAsync(header.Offset, buffer).ConfigureAwait(false))
            return BrokerServices.Reply(request, ResponseCode.SystemError, $"look message by offset failed, {header.Offset}");
        // The record view is a span over the buffer: everything read from it happens in a method without awaits.
        var put = BuildSendBack(request, header, buffer.WrittenSpan);
        if (put is null) return BrokerServices.Reply(request, ResponseCode.SystemError, $"look message by offset failed, {header.Offset}");
        var result = await _broker.Store.PutAsync(put).ConfigureAwait(false);
        var code = SendMessageProcessor.CodeOf(result.Status, out var remark);
        return BrokerServices.Reply(request, code, result.Reason ?? remark);
    }

    // The retry or dead-letter copy of the record, as a put ready for the store; null when the record is unreadable.
    private PutMessageRequest? BuildSendBack(RemotingCommand request, ConsumerSendMsgBackRequestHeader header, ReadOnlySpan<byte> record)
    {
        if (MessageRecord.TryRead(record, checkCrc: false, out var original) != RecordReadStatus.Ok) return null;

        var properties = MessageProperties.Parse(original.Properties);
        var originalTopic = System.Text.Encoding.UTF8.GetString(original.Topic);
        properties.TryAdd(MessageProperties.RetryTopic, originalTopic);
        // Java reads maxReconsumeTimes from the header only for clients of version 117 and later.
        var limit = request.Version >= 117 && header.MaxReconsumeTimes is { } max and >= 0 ? max : SubscriptionDefaults.RetryMaxTimes;
        var reconsumeTimes = original.ReconsumeTimes;

        TopicConfig target;
        int queueId;
        if (reconsumeTimes >= limit || header.DelayLevel < 0)
        {
            target = _broker.Topics.GetOrCreateDlqTopic(header.Group);
            queueId = 0;
            properties.Remove(MessageProperties.DelayLevel);
        }
        else
        {
            target = _broker.Topics.GetOrCreateRetryTopic(header.Group);
            queueId = Random.Shared.Next(Math.Max(target.WriteQueueNums, 1));
            var level = header.DelayLevel == 0 ? 3 + reconsumeTimes : header.DelayLevel;
            properties[MessageProperties.DelayLevel] = level.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        // A retry copy sent back again keeps the first message's id (Java reads the stored property first).
        if (!properties.TryGetValue(MessageProperties.OriginMessageId, out var knownOrigin) || knownOrigin.Length == 0)
            properties[MessageProperties.OriginMessageId] = header.OriginMsgId is { Length: > 0 } origin
                ? origin
                : MessageId.CreateOffsetId(original.StoreHost, original.PhysicalOffset);
        properties[MessageProperties.ReconsumeTime] = (reconsumeTimes + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

        var put = PutMessageRequest.CopyOf(original, target.TopicName, queueId, reconsumeTimes + 1);
        var text = MessageProperties.FormatText(properties);
        if (properties.ContainsKey(MessageProperties.DelayLevel))
            MessageRewrite.ToSchedule(put, ref text, int.Parse(properties[MessageProperties.DelayLevel], System.Globalization.CultureInfo.InvariantCulture),
                _broker.Store.Settings.MessageDelayLevels.Count);
        put.Properties = MessageRewrite.Normalize(text);
        return put;
    }

    // A consumer can send back a message it has just pulled before the Dispatcher publishes its progress past it
    // (the ConsumeQueue unit is visible first, and the first record of a node also creates the index file), and the
    // store looks records up only below that progress: wait for it briefly instead of refusing a record that exists.
    private async Task<bool> LookUpAsync(long offset, System.Buffers.ArrayBufferWriter<byte> buffer)
    {
        var store = _broker.Store;
        for (var attempt = 0; ; attempt++)
        {
            if (store.LookUpByPhysicalOffset(offset, buffer)) return true;
            if (attempt >= 100 || offset < store.DispatchedOffset || offset >= store.MaxPhysicalOffset) return false;
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    private static ValueTask<RemotingCommand?> WithOffset(RemotingCommand request, long offset)
    {
        var response = BrokerServices.Reply(request, ResponseCode.Success);
        response.WriteHeader(new OffsetResponseHeader(offset));
        return new(response);
    }

    private static ValueTask<RemotingCommand?> Done(RemotingCommand request, int code, string? remark = null) =>
        new(BrokerServices.Reply(request, code, remark));
}
