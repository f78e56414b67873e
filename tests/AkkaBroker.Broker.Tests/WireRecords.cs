using System.Diagnostics;
using System.Text;
using AkkaBroker.Protocol;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;

namespace AkkaBroker.Broker.Tests;

/// <summary>A stored record as a pull returned it, copied out of the ref-struct view.</summary>
public sealed record PulledRecord(
    string Topic, int QueueId, long QueueOffset, long PhysicalOffset, string Body, int ReconsumeTimes, long StoreTimestamp,
    long BornTimestamp, string OffsetMsgId, Dictionary<string, string> Properties);

/// <summary>Helpers shared by the consumer-side wire tests.</summary>
internal static class WireRecords
{
    /// <summary>The records of a pull body, each CRC-checked.</summary>
    public static List<PulledRecord> Parse(ReadOnlySpan<byte> records)
    {
        var list = new List<PulledRecord>();
        while (!records.IsEmpty)
        {
            Assert.Equal(RecordReadStatus.Ok, MessageRecord.TryRead(records, checkCrc: true, out var v));
            list.Add(new PulledRecord(Encoding.UTF8.GetString(v.Topic), v.QueueId, v.QueueOffset, v.PhysicalOffset, Encoding.UTF8.GetString(v.Body),
                v.ReconsumeTimes, v.StoreTimestamp, v.BornTimestamp, MessageId.CreateOffsetId(v.StoreHost, v.PhysicalOffset),
                MessageProperties.Parse(v.Properties)));
            records = records[v.TotalSize..];
        }

        return list;
    }

    /// <summary>
    /// Pulls <paramref name="topic"/> queue <paramref name="queueId"/> from <paramref name="offset"/> with held pulls until
    /// something is found or <paramref name="within"/> passes; returns the records (empty when nothing came).
    /// </summary>
    public static async Task<List<PulledRecord>> PullUntilAsync(WireNode node, string group, string topic, int queueId, long offset, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            var left = (long)Math.Max(50, (within - clock.Elapsed).TotalMilliseconds);
            var response = await node.PullAsync(group, topic, queueId, offset, suspendMillis: Math.Min(left, 5_000));
            if (response.Code == ResponseCode.Success) return Parse(response.Body.Span);
            Assert.True(response.Code is ResponseCode.PullNotFound or ResponseCode.PullRetryImmediately,
                $"pull {topic}/{queueId}@{offset}: code {response.Code} {response.Remark}");
        }

        return [];
    }

    /// <summary>HEART_BEAT of one consumer <paramref name="clientId"/> in <paramref name="group"/> subscribing <paramref name="topics"/>.</summary>
    public static RemotingCommand Heartbeat(string clientId, string group, params string[] topics)
    {
        var data = new HeartbeatData
        {
            ClientId = clientId,
            ConsumerDataSet =
            [
                new ConsumerData
                {
                    GroupName = group,
                    ConsumeType = ConsumeType.ConsumePassively,
                    MessageModel = MessageModel.Clustering,
                    SubscriptionDataSet = topics.Select(t => new SubscriptionData { Topic = t, SubString = "*", SubVersion = 1 }).ToList(),
                },
            ],
        };
        return RemotingCommand.CreateRequest(RequestCode.HeartBeat, body: RemotingJson.Serialize(data));
    }

    /// <summary>A request with the header <paramref name="header"/>.</summary>
    public static RemotingCommand Request<T>(int code, T header) where T : class, IExtFieldsHeader<T>
    {
        var request = RemotingCommand.CreateRequest(code);
        request.WriteHeader(header);
        return request;
    }

    /// <summary>The offset of an OffsetResponseHeader answer, asserting SUCCESS.</summary>
    public static long OffsetOf(RemotingCommand response)
    {
        Assert.True(response.Code == ResponseCode.Success, $"code {response.Code} {response.Remark}");
        var header = response.ReadHeader<OffsetResponseHeader>(out var error);
        Assert.True(header is not null, error);
        return header.Offset;
    }

    /// <summary>Polls <paramref name="probe"/> until it returns true or <paramref name="within"/> passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> probe, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (await probe()) return true;
            if (deadline.Elapsed > within) return false;
            await Task.Delay(20);
        }
    }
}
