using System.CommandLine;
using AkkaBroker.Client;
using AkkaBroker.Protocol.Json;

namespace AkkaBroker.Server.Admin;

// message query, send and consume.
internal static partial class AdminCommand
{
    /// <summary>The producer group of <c>admin send</c>.</summary>
    internal const string ToolsProducerGroup = "TOOLS_PRODUCER";

    private static Command MessageQuery()
    {
        var topic = new Option<string?>("--topic", "-t") { Description = "the topic (required with --key; with --id, enables the unique-id lookup)" };
        var key = new Option<string?>("--key", "-k") { Description = "find the messages carrying this key" };
        var id = new Option<string?>("--id", "-i") { Description = "find the message with this msgId (the broker's offset id, or with --topic a producer's unique id)" };
        var max = new Option<int>("--max") { Description = "with --key: at most this many messages per broker (up to 64)", DefaultValueFactory = _ => 32 };
        var begin = new Option<string?>("--begin") { Description = "with --key: only messages stored at or after this time: " + TimeForms };
        var end = new Option<string?>("--end") { Description = "with --key: only messages stored at or before this time (same forms)" };
        return Leaf("query", "Look messages up by key (--topic and --key, optionally within --begin/--end) or by id (--id).", async (c, ct) =>
        {
            var (k, i, t) = (c.Get(key), c.Get(id), c.Get(topic));
            if ((k is null) == (i is null)) throw new UsageException("give either --key or --id");
            if (t is not null) RequireTopic(t);
            IReadOnlyList<MessageExt> found;
            DateTimeOffset? from = c.Get(begin) is { } b ? ParseTime(b, "--begin") : null;
            DateTimeOffset? to = c.Get(end) is { } e ? ParseTime(e, "--end") : null;
            if (k is not null)
            {
                if (t is null) throw new UsageException("--key needs --topic");
                if (c.Get(max) is < 1 or > 64) throw new UsageException("--max must be between 1 and 64");
                if (from > to) throw new UsageException("--begin is after --end");
                found = await c.Client.QueryMessagesByKeyAsync(t, k, c.Get(max), from, to, ct);
            }
            else
            {
                if (from is not null || to is not null) throw new UsageException("--begin and --end go with --key, not --id");
                found = await QueryByIdAsync(c.Client, i!, t, ct);
                if (found.Count == 0) return await Fail($"no message has id {i}{(t is null ? " (a producer's unique id needs --topic)" : $" in topic {t}")}");
            }

            if (c.Output.IsJson) c.Output.WriteJson(new { topic = t, key = k, id = i, messages = found.Select(AdminOutput.MessageJson) });
            else if (found.Count == 0) c.Output.Line($"no message of topic {t} carries key {k}{(from is null && to is null ? "" : " in that time window")}");
            else c.Output.MessageTable(found);
            return 0;
        }, topic, key, id, max, begin, end);
    }

    // RocketMQ's queryMsgById: the offset msgId first (it names the broker and the CommitLog offset); a producer's
    // unique id (UNIQ_KEY) looks the same, so with a topic the key index is asked when the first try finds nothing.
    private static async Task<IReadOnlyList<MessageExt>> QueryByIdAsync(AdminClient client, string id, string? topic, CancellationToken ct)
    {
        try
        {
            if (await client.ViewMessageAsync(id, ct) is { } message && (topic is null || message.Topic == topic)) return [message];
        }
        catch (Exception e) when (topic is not null && e is MQClientException or Remoting.RemotingConnectionException or Remoting.RemotingTimeoutException)
        {
            // Not an offset id of a live broker: try it as a unique id.
        }

        return topic is null ? [] : await client.QueryMessagesByUniqueIdAsync(topic, id, ct);
    }

    private static Command Send()
    {
        var topic = TopicOption("the topic (must exist)");
        var body = new Option<string>("--body", "-b") { Description = "the message body (UTF-8 text)", Required = true };
        var tags = new Option<string?>("--tags") { Description = "the message's tag" };
        var keys = new Option<string?>("--keys") { Description = "the message's keys, separated by spaces" };
        return Leaf("send", "Send one message and print where it was stored.", async (c, ct) =>
        {
            var message = new Message(RequireTopic(c.Get(topic)), c.Get(body)) { Tags = c.Get(tags), Keys = c.Get(keys) };
            await using var producer = new Producer(new ProducerOptions
            {
                NamesrvAddr = c.NameServers, ProducerGroup = ToolsProducerGroup, InstanceName = "admin-" + Environment.ProcessId, RetryTimesWhenSendFailed = 0,
            });
            await producer.StartAsync(ct);
            var result = await producer.SendAsync(message, ct);
            if (c.Output.IsJson)
            {
                c.Output.WriteJson(new
                {
                    status = StatusText(result.Status), msgId = result.MsgId, topic = result.Queue.Topic, brokerName = result.Queue.BrokerName,
                    queueId = result.Queue.QueueId, queueOffset = result.QueueOffset,
                });
            }
            else
            {
                c.Output.Line($"{StatusText(result.Status)} msgId {result.MsgId} queue {result.Queue} offset {result.QueueOffset}");
            }

            return 0;
        }, topic, body, tags, keys);
    }

    private static Command Consume()
    {
        var topic = TopicOption();
        var group = new Option<string?>("--group", "-g")
        {
            Description = "consume as this group: from its committed offsets (the first message when it has none), committing what was printed; " +
                          "without it every queue is read from its first message and nothing is committed",
        };
        var count = new Option<int>("--count", "-n") { Description = "messages to print before exiting", DefaultValueFactory = _ => 1 };
        var timeout = new Option<int>("--timeout") { Description = "seconds to wait for them (exit code 1 when fewer arrive)", DefaultValueFactory = _ => 10 };
        var tags = new Option<string>("--tags") { Description = "tag expression, e.g. 'a || b'", DefaultValueFactory = _ => "*" };
        return Leaf("consume", "Print the next messages of a topic and exit.", async (c, ct) =>
        {
            var name = RequireTopic(c.Get(topic));
            var groupName = c.Get(group) is { } g ? RequireGroup(g) : null;
            var wanted = c.Get(count);
            if (wanted < 1) throw new UsageException("--count must be at least 1");
            if (c.Get(timeout) < 1) throw new UsageException("--timeout must be at least 1 second");
            if (await c.Client.GetRouteAsync(name, ct) is not { QueueDatas.Count: > 0 }) return await Fail($"topic {name} does not exist");

            await using var consumer = new LitePullConsumer(new LitePullConsumerOptions
            {
                NamesrvAddr = c.NameServers, ConsumerGroup = groupName ?? AdminClient.ToolsGroup, ConsumeFromWhere = ConsumeFromWhere.ConsumeFromFirstOffset,
                InstanceName = "admin-" + Environment.ProcessId, BrokerSuspendMaxTime = TimeSpan.FromMilliseconds(500),
            });
            if (groupName is not null)
            {
                consumer.Subscribe(name, c.Get(tags));
                await consumer.StartAsync(ct);
            }
            else
            {
                // Without a group, every queue is read; the tools group never commits, so each run starts at the beginning.
                await consumer.StartAsync(ct);
                consumer.Assign(await consumer.FetchQueuesAsync(name, ct));
                if (c.Get(tags) != "*") throw new UsageException("--tags needs --group");
            }

            var printed = new List<MessageExt>();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(c.Get(timeout));
            while (printed.Count < wanted && DateTime.UtcNow < deadline)
            {
                var batch = await consumer.PollAsync(deadline - DateTime.UtcNow, ct);
                printed.AddRange(batch.Take(wanted - printed.Count));
            }

            if (groupName is not null)
            {
                // A poll returns whole batches; commit only past what was printed, so the rest stays for the next run.
                foreach (var done in printed.GroupBy(m => new MessageQueueRef(m.PulledTopic, m.BrokerName, m.QueueId)))
                {
                    consumer.Seek(done.Key, done.Max(m => m.QueueOffset) + 1);
                    await consumer.CommitAsync([done.Key], ct);
                }
            }

            if (c.Output.IsJson) c.Output.WriteJson(new { topic = name, group = groupName, messages = printed.Select(AdminOutput.MessageJson) });
            else if (printed.Count > 0) c.Output.MessageTable(printed);
            return printed.Count < wanted ? await Fail($"received {printed.Count} of {wanted} message(s) within {c.Get(timeout)} s") : 0;
        }, topic, group, count, timeout, tags);
    }

    private static string StatusText(SendStatus status) => status switch
    {
        SendStatus.SendOk => "SEND_OK",
        SendStatus.FlushDiskTimeout => "FLUSH_DISK_TIMEOUT",
        SendStatus.FlushSlaveTimeout => "FLUSH_SLAVE_TIMEOUT",
        _ => "SLAVE_NOT_AVAILABLE",
    };
}
