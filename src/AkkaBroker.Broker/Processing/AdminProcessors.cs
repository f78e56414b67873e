using System.Buffers;
using AkkaBroker.Actors;
using AkkaBroker.Broker.Registration;
using AkkaBroker.Broker.Topics;
using AkkaBroker.Common.Naming;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;
using AkkaBroker.Store.Config;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Broker.Processing;

/// <summary>
/// Query and admin codes (RocketMQ 4.9's QueryMessageProcessor and AdminBrokerProcessor): QUERY_MESSAGE,
/// VIEW_MESSAGE_BY_ID, topic and subscription-group management, consume stats, consumer connections, runtime info,
/// whole-table dumps and orderly-consumption locks. Every handler answers bad input with an error response.
/// </summary>
public sealed partial class AdminProcessors
{
    /// <summary>RocketMQ's maxMsgsNumBatch: a query by key never returns more than this many messages.</summary>
    private const int MaxQueryResults = 64;

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);

    /// <summary>RocketMQ 4.9's TopicValidator system topics, which admin requests may neither create nor delete.</summary>
    private static readonly HashSet<string> SystemTopicNames = new(StringComparer.Ordinal)
    {
        SystemTopics.AutoCreateTemplate, SystemTopics.Schedule, "BenchmarkTest", "RMQ_SYS_TRANS_HALF_TOPIC", "RMQ_SYS_TRACE_TOPIC",
        "RMQ_SYS_TRANS_OP_HALF_TOPIC", "TRANS_CHECK_MAX_TIME_TOPIC", SystemTopics.SelfTest, SystemTopics.OffsetMoved,
    };

    private readonly BrokerServices _broker;
    private readonly long _bootTimestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private AdminProcessors(BrokerServices broker) => _broker = broker;

    /// <summary>Registers the query codes on <paramref name="query"/>, admin codes on <paramref name="admin"/> and lock codes on <paramref name="consumer"/>.</summary>
    public static void Register(RequestProcessorTable table, BrokerServices broker, RequestLane query, RequestLane admin, RequestLane consumer)
    {
        var p = new AdminProcessors(broker);
        table.Register(RequestCode.QueryMessage, p.QueryMessageAsync, query);
        table.Register(RequestCode.ViewMessageById, p.ViewMessageAsync, query);

        table.Register(RequestCode.UpdateAndCreateTopic, p.CreateTopicAsync, admin);
        table.Register(RequestCode.DeleteTopicInBroker, p.DeleteTopicAsync, admin);
        table.Register(RequestCode.GetAllTopicConfig, p.GetAllTopicConfigAsync, admin);
        table.Register(RequestCode.UpdateAndCreateSubscriptiongroup, p.CreateSubscriptionGroupAsync, admin);
        table.Register(RequestCode.GetAllSubscriptiongroupConfig, p.GetAllSubscriptionGroupsAsync, admin);
        table.Register(RequestCode.DeleteSubscriptiongroup, p.DeleteSubscriptionGroupAsync, admin);
        table.Register(RequestCode.GetConsumeStats, p.GetConsumeStatsAsync, admin);
        table.Register(RequestCode.GetConsumerConnectionList, p.GetConsumerConnectionListAsync, admin);
        table.Register(RequestCode.GetBrokerRuntimeInfo, p.GetBrokerRuntimeInfoAsync, admin);
        table.Register(RequestCode.GetAllConsumerOffset, p.GetAllConsumerOffsetAsync, admin);
        table.Register(RequestCode.GetAllDelayOffset, p.GetAllDelayOffsetAsync, admin);

        table.Register(RequestCode.LockBatchMq, p.LockBatchAsync, consumer);
        table.Register(RequestCode.UnlockBatchMq, p.UnlockBatchAsync, consumer);
    }

    /// <summary>
    /// QUERY_MESSAGE (12): records of the topic carrying the key, stored within [begin, end]. maxNum 0, or a UNIQ_KEY
    /// query (<c>_UNIQUE_KEY_QUERY=true</c>), means default-query-max-num; at most 64 either way. Nothing found is
    /// QUERY_NOT_FOUND, as in Java; the index position goes back in both cases.
    /// </summary>
    private ValueTask<RemotingCommand?> QueryMessageAsync(RemotingCommand request, RemotingConnection connection)
    {
        var header = request.ReadHeader<QueryMessageRequestHeader>(out var error);
        if (header is null) return Done(request, ResponseCode.SystemError, $"bad QUERY_MESSAGE header: {error}");
        var maxNum = header.MaxNum;
        if (maxNum <= 0 || request.GetExtField("_UNIQUE_KEY_QUERY") == "true") maxNum = _broker.Store.Settings.DefaultQueryMaxNum;
        maxNum = Math.Min(maxNum, MaxQueryResults);

        var output = new ArrayBufferWriter<byte>(4096);
        var found = _broker.Store.QueryByKey(header.Topic, header.Key, maxNum, header.BeginTimestamp, header.EndTimestamp, output);
        var response = found > 0
            ? BrokerServices.Reply(request, ResponseCode.Success)
            : BrokerServices.Reply(request, ResponseCode.QueryNotFound, "can not find message, maybe time range not correct");
        response.WriteHeader(new QueryMessageResponseHeader(_broker.Store.IndexLastUpdateTimestamp, _broker.Store.IndexLastUpdatePhyOffset));
        if (found > 0) response.Body = output.WrittenMemory;
        return new(response);
    }

    /// <summary>VIEW_MESSAGE_BY_ID (33): the record at a CommitLog offset (the offset msgId's second half).</summary>
    private ValueTask<RemotingCommand?> ViewMessageAsync(RemotingCommand request, RemotingConnection connection)
    {
        var header = request.ReadHeader<ViewMessageRequestHeader>(out var error);
        if (header is null) return Done(request, ResponseCode.SystemError, $"bad VIEW_MESSAGE_BY_ID header: {error}");
        var output = new ArrayBufferWriter<byte>(1024);
        if (header.Offset < 0 || !_broker.Store.LookUpByPhysicalOffset(header.Offset, output))
            return Done(request, ResponseCode.SystemError, $"can not find message by the offset, {header.Offset}");
        var response = BrokerServices.Reply(request, ResponseCode.Success);
        response.Body = output.WrittenMemory;
        return new(response);
    }

    /// <summary>
    /// UPDATE_AND_CREATE_TOPIC (17): validates and stores the topic (topics.json), then registers with the name
    /// servers before answering, as Java's synchronous incremental registration does, so the route is there at once.
    /// </summary>
    private async ValueTask<RemotingCommand?> CreateTopicAsync(RemotingCommand request, RemotingConnection connection)
    {
        var header = request.ReadHeader<CreateTopicRequestHeader>(out var error);
        if (header is null) return BrokerServices.Reply(request, ResponseCode.SystemError, $"bad UPDATE_AND_CREATE_TOPIC header: {error}");
        if (RefuseTopic(header.Topic) is { } refused) return BrokerServices.Reply(request, ResponseCode.SystemError, refused);
        TopicFilterType filterType;
        switch (header.TopicFilterType)
        {
            case "SINGLE_TAG":
                filterType = TopicFilterType.SingleTag;
                break;
            case "MULTI_TAG":
                filterType = TopicFilterType.MultiTag;
                break;
            default:
                return BrokerServices.Reply(request, ResponseCode.SystemError, $"topicFilterType '{header.TopicFilterType}' is neither SINGLE_TAG nor MULTI_TAG");
        }

        var invalid = _broker.Topics.CreateOrUpdate(new TopicConfig
        {
            TopicName = header.Topic, ReadQueueNums = header.ReadQueueNums, WriteQueueNums = header.WriteQueueNums, Perm = header.Perm,
            TopicFilterType = filterType, TopicSysFlag = header.TopicSysFlag ?? 0, Order = header.Order,
        });
        if (invalid is not null) return BrokerServices.Reply(request, ResponseCode.SystemError, invalid);

        try
        {
            await _broker.Registrar.Ask<NameServerRegistrar.Registered>(NameServerRegistrar.RegisterNow.Instance, AskTimeout).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            // The topic is stored; the periodic registration publishes it.
            _broker.Log.LogWarning("Registering topic {Topic} with the name servers took over {Seconds} s", header.Topic, AskTimeout.TotalSeconds);
        }

        return BrokerServices.Reply(request, ResponseCode.Success);
    }

    /// <summary>
    /// DELETE_TOPIC_IN_BROKER (215): removes the topic's config, every group's offsets in it and its ConsumeQueue
    /// files (the CommitLog keeps the records until they expire). SUCCESS even for an unknown topic, as in Java.
    /// </summary>
    private async ValueTask<RemotingCommand?> DeleteTopicAsync(RemotingCommand request, RemotingConnection connection)
    {
        var header = request.ReadHeader<DeleteTopicRequestHeader>(out var error);
        if (header is null) return BrokerServices.Reply(request, ResponseCode.SystemError, $"bad DELETE_TOPIC_IN_BROKER header: {error}");
        if (RefuseTopic(header.Topic) is { } refused) return BrokerServices.Reply(request, ResponseCode.SystemError, refused);

        _broker.Topics.Delete(header.Topic);
        _broker.Offsets.RemoveTopic(header.Topic);
        try
        {
            var deleted = await _broker.Store.DeleteTopicQueuesAsync(header.Topic, AskTimeout).ConfigureAwait(false);
            if (deleted.Problem is not null)
                _broker.Log.LogWarning("ConsumeQueues of deleted topic {Topic} left on disk: {Problem}", header.Topic, deleted.Problem);
        }
        catch (AskTimeoutException)
        {
            _broker.Log.LogWarning("Deleting the ConsumeQueues of topic {Topic} took over {Seconds} s", header.Topic, AskTimeout.TotalSeconds);
        }

        return BrokerServices.Reply(request, ResponseCode.Success);
    }

    /// <summary>GET_ALL_TOPIC_CONFIG (21): the topic table with its version (topics.json, compact).</summary>
    private ValueTask<RemotingCommand?> GetAllTopicConfigAsync(RemotingCommand request, RemotingConnection connection) =>
        WithBody(request, RemotingJson.Serialize(_broker.Topics.Snapshot()));

    /// <summary>UPDATE_AND_CREATE_SUBSCRIPTIONGROUP (200): body is a SubscriptionGroupConfig; stored in subscriptionGroup.json.</summary>
    private ValueTask<RemotingCommand?> CreateSubscriptionGroupAsync(RemotingCommand request, RemotingConnection connection)
    {
        if (_broker.SubscriptionGroups is not { } groups) return NoGroupTable(request);
        if (!RemotingJson.TryDeserialize<SubscriptionGroupConfig>(request.Body.Span, out var config, out var error) || config is null)
            return Done(request, ResponseCode.SystemError, $"bad UPDATE_AND_CREATE_SUBSCRIPTIONGROUP body: {error}");
        return groups.CreateOrUpdate(config) is { } invalid ? Done(request, ResponseCode.SystemError, invalid) : Done(request, ResponseCode.Success);
    }

    /// <summary>GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201): the group table with its version (subscriptionGroup.json, compact).</summary>
    private ValueTask<RemotingCommand?> GetAllSubscriptionGroupsAsync(RemotingCommand request, RemotingConnection connection) =>
        _broker.SubscriptionGroups is { } groups ? WithBody(request, RemotingJson.Serialize(groups.Snapshot())) : NoGroupTable(request);

    /// <summary>DELETE_SUBSCRIPTIONGROUP (207): removes the group's config, and its offsets when removeOffset is set. SUCCESS even for an unknown group, as in Java.</summary>
    private ValueTask<RemotingCommand?> DeleteSubscriptionGroupAsync(RemotingCommand request, RemotingConnection connection)
    {
        if (_broker.SubscriptionGroups is not { } groups) return NoGroupTable(request);
        var header = request.ReadHeader<DeleteSubscriptionGroupRequestHeader>(out var error);
        if (header is null) return Done(request, ResponseCode.SystemError, $"bad DELETE_SUBSCRIPTIONGROUP header: {error}");
        if (ResourceNames.ValidateGroup(header.GroupName) is { } invalid) return Done(request, ResponseCode.SystemError, invalid);
        groups.Delete(header.GroupName);
        if (header.RemoveOffset) _broker.Offsets.RemoveGroup(header.GroupName);
        return Done(request, ResponseCode.Success);
    }

    /// <summary>GET_ALL_CONSUMER_OFFSET (43): every committed offset, as consumerOffset.json holds them (compact).</summary>
    private ValueTask<RemotingCommand?> GetAllConsumerOffsetAsync(RemotingCommand request, RemotingConnection connection) =>
        WithBody(request, ConfigJson.ToJson(_broker.Offsets.Snapshot(), pretty: false));

    /// <summary>GET_ALL_DELAY_OFFSET (45): the next offset to deliver per delay level, as delayOffset.json holds them (compact).</summary>
    private async ValueTask<RemotingCommand?> GetAllDelayOffsetAsync(RemotingCommand request, RemotingConnection connection)
    {
        Dictionary<int, long> offsets;
        try
        {
            offsets = await _broker.Scheduler.Ask<Dictionary<int, long>>(Delay.ScheduleService.GetOffsets.Instance, AskTimeout).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return BrokerServices.Reply(request, ResponseCode.SystemBusy, $"the delay-level scheduler did not answer within {AskTimeout.TotalSeconds} s");
        }

        var table = new DelayOffsetTable { Offsets = offsets.OrderBy(o => o.Key).ToDictionary(o => o.Key, o => o.Value) };
        var response = BrokerServices.Reply(request, ResponseCode.Success);
        response.Body = ConfigJson.ToJson(table, pretty: false);
        return response;
    }

    // RocketMQ 4.9's TopicValidator.validateTopic and isSystemTopic, with the cluster and broker topics as system topics.
    private string? RefuseTopic(string topic)
    {
        if (ResourceNames.ValidateTopic(topic) is { } invalid) return invalid;
        var reserved = SystemTopicNames.Contains(topic) || topic.StartsWith("rmq_sys_", StringComparison.Ordinal) ||
                       topic == _broker.Broker.BrokerClusterName || topic == _broker.Broker.BrokerName;
        return reserved ? $"The topic[{topic}] is conflict with system topic." : null;
    }

    private static ValueTask<RemotingCommand?> NoGroupTable(RemotingCommand request) =>
        Done(request, ResponseCode.SystemError, "this broker keeps no subscription group table");

    private static ValueTask<RemotingCommand?> WithBody(RemotingCommand request, byte[] body)
    {
        var response = BrokerServices.Reply(request, ResponseCode.Success);
        response.Body = body;
        return new(response);
    }

    private static ValueTask<RemotingCommand?> Done(RemotingCommand request, int code, string? remark = null) =>
        new(BrokerServices.Reply(request, code, remark));
}
