using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using AkkaBroker.Broker.Consumers;
using AkkaBroker.Broker.Storage;
using AkkaBroker.Broker.Topics;
using AkkaBroker.Common.Metrics;
using AkkaBroker.Common.Naming;
using AkkaBroker.Protocol;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;
using AkkaBroker.Store;

namespace AkkaBroker.Broker.Processing;

/// <summary>
/// SEND_MESSAGE (10), SEND_MESSAGE_V2 (310) and SEND_BATCH_MESSAGE (320), RocketMQ's SendMessageProcessor
/// (DESIGN.md §4 "Produce"): checks the broker and topic (creating it from TBW102 when allowed), turns a send to a
/// retry topic past its reconsume limit into a dead letter and a delayed message into a scheduled one, stores it
/// through the CommitLogWriter and answers with the offset msgId, queue and queue offset.
/// </summary>
public sealed class SendMessageProcessor : IRequestProcessor
{
    private static readonly ConditionalWeakTable<RemotingConnection, StrongBox<HostAndPort>> BornHosts = new();
    private readonly BrokerServices _broker;

    /// <summary>A processor over the broker's services.</summary>
    public SendMessageProcessor(BrokerServices broker) => _broker = broker;

    /// <inheritdoc />
    public async ValueTask<RemotingCommand?> ProcessAsync(RemotingCommand request, RemotingConnection connection)
    {
        try
        {
            var header = SendMessageRequestHeader.FromCommand(request, out var error);
            if (header is null) return BrokerServices.Reply(request, ResponseCode.SystemError, $"bad send header: {error}");
            var checkedTopic = Check(request, header, out var topic, out var queueId);
            if (checkedTopic is not null) return checkedTopic;

            var bornHost = BornHostOf(connection);
            var properties = header.Properties ?? "";
            var batch = request.Code == RequestCode.SendBatchMessage;
            if (batch) return await PutBatchAsync(request, header, topic!, queueId, properties, bornHost).ConfigureAwait(false);

            var reconsumeTimes = header.ReconsumeTimes ?? 0;
            if (SystemTopics.IsRetry(topic!.TopicName))
            {
                var group = topic.TopicName[SystemTopics.RetryPrefix.Length..];
                var limit = header.MaxReconsumeTimes ?? SubscriptionDefaults.RetryMaxTimes;
                if (reconsumeTimes >= limit)
                {
                    topic = _broker.Topics.GetOrCreateDlqTopic(group);
                    queueId = 0;
                    properties = MessageRewrite.WithoutDelay(properties);
                }
            }

            var put = PutMessageRequest.Rent();
            put.Topic = topic.TopicName;
            put.QueueId = queueId;
            put.Body = request.Body;
            put.Flag = header.Flag;
            put.SysFlag = header.SysFlag;
            put.BornTimestamp = header.BornTimestamp;
            put.BornHost = bornHost;
            put.ReconsumeTimes = reconsumeTimes;
            put.WaitStoreMsgOk = !properties.Contains("WAIT\u0001false", StringComparison.Ordinal);
            if (MessageRewrite.TryGetDelayLevel(properties, out var level) && MessageSysFlag.TransactionType(header.SysFlag) == 0)
                MessageRewrite.ToSchedule(put, ref properties, level, _broker.Store.Settings.MessageDelayLevels.Count);
            put.Properties = MessageRewrite.Normalize(properties);

            var started = Stopwatch.GetTimestamp();
            var result = await _broker.Store.PutAsync(put).ConfigureAwait(false);
            if (result.IsStored) RecordStored(started, 1, request.Body.Length);
            return Answer(request, result, queueId);
        }
        finally
        {
            // The store is done with the body once the put is answered (PutMessageRequest's contract), and every
            // path above waits for that answer or never hands the body over.
            request.ReleaseBody();
        }
    }

    private RemotingCommand? Check(RemotingCommand request, SendMessageRequestHeader header, out TopicConfig? topic, out int queueId)
    {
        topic = null;
        queueId = header.QueueId;
        if (!_broker.IsMaster)
            return BrokerServices.Reply(request, ResponseCode.ServiceNotAvailable, $"the broker[{_broker.Broker.BrokerName}] is a slave and takes no messages");
        if (!TopicPerm.IsWriteable(_broker.Broker.BrokerPermission))
            return BrokerServices.Reply(request, ResponseCode.NoPermission, $"the broker[{_broker.Broker.BrokerIp1}] sending message is forbidden");
        if (ResourceNames.ValidateTopic(header.Topic) is { } badTopic)
            return BrokerServices.Reply(request, ResponseCode.SystemError, badTopic);
        if (header.Topic == SystemTopics.AutoCreateTemplate || header.Topic == SystemTopics.Schedule)
            return BrokerServices.Reply(request, ResponseCode.SystemError, $"the topic[{header.Topic}] is a system topic; sending to it is not allowed");

        topic = _broker.Topics.FindOrCreateForSend(header.Topic, header.DefaultTopic, header.DefaultTopicQueueNums, 0);
        if (topic is null && SystemTopics.IsRetry(header.Topic))
            topic = _broker.Topics.GetOrCreateRetryTopic(header.Topic[SystemTopics.RetryPrefix.Length..]);
        if (topic is null)
            return BrokerServices.Reply(request, ResponseCode.TopicNotExist, $"topic[{header.Topic}] not exist, apply first please!");
        if (!TopicPerm.IsWriteable(topic.Perm))
            return BrokerServices.Reply(request, ResponseCode.NoPermission, $"the topic[{header.Topic}] sending message is forbidden");

        var queues = Math.Max(topic.WriteQueueNums, topic.ReadQueueNums);
        if (queueId >= queues)
            return BrokerServices.Reply(request, ResponseCode.SystemError, $"request queueId[{queueId}] is illegal, topic {header.Topic} has {queues} queues");
        if (queueId < 0) queueId = Random.Shared.Next(Math.Max(topic.WriteQueueNums, 1));
        return null;
    }

    private async Task<RemotingCommand> PutBatchAsync(RemotingCommand request, SendMessageRequestHeader header, TopicConfig topic, int queueId,
        string properties, HostAndPort bornHost)
    {
        if (SystemTopics.IsRetry(topic.TopicName))
            return BrokerServices.Reply(request, ResponseCode.MessageIllegal, "batch messages cannot go to a retry topic");
        if (MessageRewrite.TryGetDelayLevel(properties, out _))
            return BrokerServices.Reply(request, ResponseCode.MessageIllegal, "batch messages cannot be delayed");
        var put = new PutMessageBatchRequest
        {
            Topic = topic.TopicName, QueueId = queueId, Batch = request.Body, BatchProperties = MessageRewrite.Normalize(properties),
            SysFlag = header.SysFlag, BornTimestamp = header.BornTimestamp, BornHost = bornHost,
            WaitStoreMsgOk = !properties.Contains("WAIT\u0001false", StringComparison.Ordinal),
        };
        var started = Stopwatch.GetTimestamp();
        var result = await _broker.Store.PutBatchAsync(put).ConfigureAwait(false);
        var stored = result.Messages.Count > 0 && IsStored(result.Status);
        if (stored) RecordStored(started, result.Messages.Count, request.Body.Length);
        var code = CodeOf(result.Status, out var remark);
        var response = BrokerServices.Reply(request, code, result.Reason ?? remark);
        if (stored)
        {
            var ids = string.Join(',', result.Messages.Select(m => MessageId.CreateOffsetId(_broker.StoreHost, m.PhysicalOffset)));
            response.WriteHeader(new SendMessageResponseHeader(ids, queueId, result.Messages[0].QueueOffset));
        }

        return response;
    }

    private RemotingCommand Answer(RemotingCommand request, PutMessageResult result, int queueId)
    {
        var code = CodeOf(result.Status, out var remark);
        var response = BrokerServices.Reply(request, code, result.Reason ?? remark);
        if (result.IsStored)
            response.WriteHeader(new SendMessageResponseHeader(MessageId.CreateOffsetId(_broker.StoreHost, result.PhysicalOffset), queueId, result.QueueOffset));
        return response;
    }

    // Both send paths count what they stored the same way: its time in the store, and the put rates.
    private void RecordStored(long started, int messages, int bodyBytes)
    {
        _broker.PutStats.Record(LatencyHistogram.MicrosSince(started), messages, bodyBytes);
        _broker.TrafficRates.Put(messages);
    }

    private static bool IsStored(PutMessageStatus status) => status is PutMessageStatus.PutOk or PutMessageStatus.FlushDiskTimeout
        or PutMessageStatus.FlushSlaveTimeout or PutMessageStatus.SlaveNotAvailable;

    /// <summary>RocketMQ's mapping from a put status to the send response code, with Java's remark for failures.</summary>
    public static int CodeOf(PutMessageStatus status, out string? remark)
    {
        remark = null;
        switch (status)
        {
            case PutMessageStatus.PutOk: return ResponseCode.Success;
            case PutMessageStatus.FlushDiskTimeout: return ResponseCode.FlushDiskTimeout;
            case PutMessageStatus.FlushSlaveTimeout: return ResponseCode.FlushSlaveTimeout;
            case PutMessageStatus.SlaveNotAvailable: return ResponseCode.SlaveNotAvailable;
            case PutMessageStatus.CreateMappedFileFailed:
                remark = "create mapped file failed, server is busy or broken.";
                return ResponseCode.SystemError;
            case PutMessageStatus.MessageIllegal:
            case PutMessageStatus.PropertiesSizeExceeded:
                remark = "the message is illegal, maybe msg body or properties length not matched. msg body length limit 128k, msg properties length limit 32k.";
                return ResponseCode.MessageIllegal;
            case PutMessageStatus.ServiceNotAvailable:
                remark = "service not available now. It may be caused by one of the following reasons: the broker's disk is full, messages are put to the slave, permission denied, or the broker is shutting down.";
                return ResponseCode.ServiceNotAvailable;
            case PutMessageStatus.OsPageCacheBusy:
                remark = "[PC_SYNCHRONIZED]broker busy, start flow control for a while";
                return ResponseCode.SystemError;
            default:
                remark = "UNKNOWN_ERROR";
                return ResponseCode.SystemError;
        }
    }

    /// <summary>The client's address as stored in records (parsed once per connection).</summary>
    internal static HostAndPort BornHostOf(RemotingConnection connection) =>
        BornHosts.GetValue(connection, static c => new StrongBox<HostAndPort>(HostAndPort.TryParse(c.RemoteAddress, out var host) ? host : default)).Value;
}

/// <summary>Defaults of a subscription group (RocketMQ's SubscriptionGroupConfig).</summary>
public static class SubscriptionDefaults
{
    /// <summary>Reconsume limit when the client names none.</summary>
    public const int RetryMaxTimes = 16;
}

/// <summary>Property rewrites the broker applies to messages (delay, dead letter), on the properties string.</summary>
public static class MessageRewrite
{
    /// <summary>Reads a positive DELAY property.</summary>
    public static bool TryGetDelayLevel(string properties, out int level)
    {
        level = 0;
        // Most messages are not delayed: skip the UTF-8 copy unless the name is there at all.
        if (!properties.Contains("DELAY\u0001", StringComparison.Ordinal)) return false;
        return MessageProperties.TryGetValue(Encoding.UTF8.GetBytes(properties), "DELAY"u8, out var value)
               && System.Buffers.Text.Utf8Parser.TryParse(value, out level, out _) && level > 0;
    }

    /// <summary>Redirects a delayed message to SCHEDULE_TOPIC_XXXX queue level-1, keeping its real topic and queue in properties.</summary>
    public static void ToSchedule(PutMessageRequest put, ref string properties, int level, int levelCount)
    {
        level = Math.Min(level, levelCount);
        var map = MessageProperties.Parse(Encoding.UTF8.GetBytes(properties));
        map[MessageProperties.DelayLevel] = level.ToString(System.Globalization.CultureInfo.InvariantCulture);
        map[MessageProperties.RealTopic] = put.Topic;
        map[MessageProperties.RealQueueId] = put.QueueId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        properties = MessageProperties.FormatText(map);
        put.Topic = SystemTopics.Schedule;
        put.QueueId = level - 1;
    }

    /// <summary>The properties without DELAY (a dead letter is never delayed).</summary>
    public static string WithoutDelay(string properties)
    {
        if (!properties.Contains("DELAY\u0001", StringComparison.Ordinal)) return properties;
        var map = MessageProperties.Parse(Encoding.UTF8.GetBytes(properties));
        map.Remove(MessageProperties.DelayLevel);
        return MessageProperties.FormatText(map);
    }

    /// <summary>The properties bytes as stored: UTF-8, without the trailing 0x02 older clients send.</summary>
    public static byte[] Normalize(string properties)
    {
        var bytes = Encoding.UTF8.GetBytes(properties);
        var length = bytes.Length;
        while (length > 0 && bytes[length - 1] == MessageProperties.PropertySeparator) length--;
        return length == bytes.Length ? bytes : bytes[..length];
    }
}
