using System.Text.Json;
using AkkaBroker.Client;
using AkkaBroker.TestKit;

namespace AkkaBroker.Server.Tests;

/// <summary><c>akkabroker admin ...</c> run as a process against an embedded node; values are checked through <c>--json</c>.</summary>
public sealed class AdminCommandTests
{
    [Fact]
    public async Task Topic_create_list_route_status_update_delete()
    {
        await using var node = await EmbeddedNode.StartAsync();

        var created = await JsonAsync(node, "topic", "create", "--topic", "AdminTopic", "--queues", "3");
        Assert.Equal(3, created.GetProperty("readQueueNums").GetInt32());
        var brokerName = Assert.Single(created.GetProperty("brokers").EnumerateArray()).GetString();

        var list = await JsonAsync(node, "topic", "list");
        Assert.Contains("AdminTopic", list.GetProperty("topics").EnumerateArray().Select(t => t.GetString()));

        var route = await JsonAsync(node, "topic", "route", "--topic", "AdminTopic");
        var queues = Assert.Single(route.GetProperty("queues").EnumerateArray());
        Assert.Equal(brokerName, queues.GetProperty("brokerName").GetString());
        Assert.Equal(3, queues.GetProperty("readQueueNums").GetInt32());
        Assert.Equal(3, queues.GetProperty("writeQueueNums").GetInt32());
        Assert.Equal(node.BrokerAddress, route.GetProperty("brokers")[0].GetProperty("addresses").GetProperty("0").GetString());

        var status = await JsonAsync(node, "topic", "status", "--topic", "AdminTopic");
        Assert.Equal([0, 1, 2], status.GetProperty("queues").EnumerateArray().Select(q => q.GetProperty("queueId").GetInt32()));
        Assert.All(status.GetProperty("queues").EnumerateArray(), q => Assert.Equal(0, q.GetProperty("maxOffset").GetInt64()));

        // The table form names its columns and every queue.
        var (code, text, _) = await AdminAsync(node, "topic", "status", "--topic", "AdminTopic");
        Assert.Equal(0, code);
        Assert.Contains("MAX OFFSET", text);
        Assert.Equal(4, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var again = await AdminAsync(node, "topic", "create", "--topic", "AdminTopic");
        Assert.Equal(1, again.Code);
        Assert.Equal("akkabroker admin: topic AdminTopic already exists (use topic update)", again.Stderr.Trim());

        var updated = await JsonAsync(node, "topic", "update", "--topic", "AdminTopic", "--write-queues", "2");
        Assert.Equal(3, updated.GetProperty("readQueueNums").GetInt32());
        Assert.Equal(2, updated.GetProperty("writeQueueNums").GetInt32());
        route = await JsonAsync(node, "topic", "route", "--topic", "AdminTopic");
        Assert.Equal(2, route.GetProperty("queues")[0].GetProperty("writeQueueNums").GetInt32());
        Assert.Equal(3, route.GetProperty("queues")[0].GetProperty("readQueueNums").GetInt32());
        Assert.Equal(2, node.Node.Broker!.Topics.Find("AdminTopic")!.WriteQueueNums);

        var deleted = await JsonAsync(node, "topic", "delete", "--topic", "AdminTopic");
        Assert.True(deleted.GetProperty("deleted").GetBoolean());
        var gone = await AdminAsync(node, "topic", "route", "--topic", "AdminTopic");
        Assert.Equal(1, gone.Code);
        Assert.Equal("akkabroker admin: topic AdminTopic does not exist", gone.Stderr.Trim());
        list = await JsonAsync(node, "topic", "list");
        Assert.DoesNotContain("AdminTopic", list.GetProperty("topics").EnumerateArray().Select(t => t.GetString()));
        Assert.Null(node.Node.Broker.Topics.Find("AdminTopic"));
    }

    [Fact]
    public async Task Cluster_list_shows_the_broker()
    {
        await using var node = await EmbeddedNode.StartAsync();
        await JsonAsync(node, "topic", "create", "--topic", "ClusterSends", "--queues", "1");
        await JsonAsync(node, "send", "--topic", "ClusterSends", "--body", "one");

        var cluster = await JsonAsync(node, "cluster", "list");
        var broker = Assert.Single(cluster.GetProperty("brokers").EnumerateArray());
        Assert.Equal(node.BrokerAddress, broker.GetProperty("address").GetString());
        Assert.Equal(0, broker.GetProperty("brokerId").GetInt64());
        Assert.Equal("broker-a", broker.GetProperty("brokerName").GetString());
        Assert.Equal("DefaultCluster", broker.GetProperty("cluster").GetString());
        // Runtime figures come from GET_BROKER_RUNTIME_INFO; when the broker cannot answer it, its reason is shown instead.
        if (broker.GetProperty("error").ValueKind == JsonValueKind.Null)
        {
            Assert.Equal("V4_9_8", broker.GetProperty("version").GetString());
            Assert.True(broker.GetProperty("bootTimestamp").GetInt64() > 0);
            Assert.Equal(1, broker.GetProperty("sends").GetInt64());
            Assert.True(broker.GetProperty("sendP99Micros").GetInt64() > 0);
            // putTps and getTransferedTps over the last 10 s: the send, and no consumer yet.
            Assert.True(broker.GetProperty("inTps").GetDouble() > 0);
            Assert.Equal(0, broker.GetProperty("outTps").GetDouble());
            // Day totals since local midnight (a broker booted today has both mornings at 0).
            Assert.Equal(1, broker.GetProperty("inToday").GetInt64());
            Assert.Equal(0, broker.GetProperty("inYesterday").GetInt64());
            Assert.Equal(0, broker.GetProperty("outToday").GetInt64());
        }

        var (code, text, _) = await AdminAsync(node, "cluster", "list");
        Assert.Equal(0, code);
        Assert.Contains(node.BrokerAddress, text);
        Assert.Contains("SEND P99 (US)", text);
        Assert.Contains("IN TPS", text);

        (code, text, _) = await AdminAsync(node, "cluster", "list", "--more");
        Assert.Equal(0, code);
        Assert.Contains("IN YESTERDAY", text);
        Assert.Contains("OUT TODAY", text);
        Assert.Contains(node.BrokerAddress, text);
    }

    [Fact]
    public async Task Send_then_query_by_key_and_id_and_consume_find_the_message()
    {
        await using var node = await EmbeddedNode.StartAsync();
        await JsonAsync(node, "topic", "create", "--topic", "AdminMsg", "--queues", "1");

        var sent = await JsonAsync(node, "send", "--topic", "AdminMsg", "--body", "hello admin", "--tags", "TagA", "--keys", "order-42 other");
        Assert.Equal("SEND_OK", sent.GetProperty("status").GetString());
        Assert.Equal(0, sent.GetProperty("queueOffset").GetInt64());
        var msgId = sent.GetProperty("msgId").GetString()!;

        // The key index is built after the store acknowledges, so the first queries may miss.
        JsonElement byKey = default;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            byKey = await JsonAsync(node, "message", "query", "--topic", "AdminMsg", "--key", "order-42");
            if (byKey.GetProperty("messages").GetArrayLength() > 0) break;
            await Task.Delay(250);
        }

        var found = Assert.Single(byKey.GetProperty("messages").EnumerateArray());
        Assert.Equal(msgId, found.GetProperty("msgId").GetString());
        Assert.Equal("hello admin", found.GetProperty("body").GetString());
        Assert.Equal("TagA", found.GetProperty("tags").GetString());
        Assert.Equal("order-42 other", found.GetProperty("keys").GetString());
        Assert.True(found.GetProperty("storeTimestamp").GetInt64() > 0);

        var none = await JsonAsync(node, "message", "query", "--topic", "AdminMsg", "--key", "order-4");
        Assert.Equal(0, none.GetProperty("messages").GetArrayLength());

        // A time window around the store time finds it; one that ends before it, or begins after it, does not.
        var stored = found.GetProperty("storeTimestamp").GetInt64();
        string Ms(long ms) => ms.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var inside = await JsonAsync(node, "message", "query", "--topic", "AdminMsg", "--key", "order-42", "--begin", Ms(stored - 1000), "--end", Ms(stored + 1000));
        Assert.Equal(msgId, Assert.Single(inside.GetProperty("messages").EnumerateArray()).GetProperty("msgId").GetString());
        var before = await JsonAsync(node, "message", "query", "--topic", "AdminMsg", "--key", "order-42", "--end", Ms(stored - 60_000));
        Assert.Equal(0, before.GetProperty("messages").GetArrayLength());
        var after = await JsonAsync(node, "message", "query", "--topic", "AdminMsg", "--key", "order-42", "--begin", Ms(stored + 60_000));
        Assert.Equal(0, after.GetProperty("messages").GetArrayLength());

        var byId = Assert.Single((await JsonAsync(node, "message", "query", "--id", msgId)).GetProperty("messages").EnumerateArray());
        Assert.Equal("hello admin", byId.GetProperty("body").GetString());
        Assert.Equal(0, byId.GetProperty("queueOffset").GetInt64());

        // A producer's unique id (UNIQ_KEY, which Java clients set) is found through the key index, given the topic.
        const string uniq = "7F0000014E2018B4AAC2266B1C8A0000";
        await using (var producer = new Producer(new ProducerOptions { NamesrvAddr = [node.NameServerAddress] }))
        {
            await producer.StartAsync();
            var message = new Message("AdminMsg", "with uniq key");
            message.SetProperty(AkkaBroker.Protocol.MessageProperties.UniqueKey, uniq);
            await producer.SendAsync(message);
        }

        JsonElement byUniq = default;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            byUniq = await JsonAsync(node, "message", "query", "--topic", "AdminMsg", "--id", uniq);
            if (byUniq.GetProperty("messages").GetArrayLength() > 0) break;
            await Task.Delay(250);
        }

        Assert.Equal("with uniq key", Assert.Single(byUniq.GetProperty("messages").EnumerateArray()).GetProperty("body").GetString());

        var (code, table, _) = await AdminAsync(node, "message", "query", "--id", msgId);
        Assert.Equal(0, code);
        Assert.Contains("hello admin", table);
        Assert.Contains(msgId, table);

        var consumed = await JsonAsync(node, "consume", "--topic", "AdminMsg", "--count", "2", "--timeout", "10");
        Assert.Equal(["hello admin", "with uniq key"], consumed.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("body").GetString()));

        var status = await JsonAsync(node, "topic", "status", "--topic", "AdminMsg");
        var queue = Assert.Single(status.GetProperty("queues").EnumerateArray());
        Assert.Equal(0, queue.GetProperty("minOffset").GetInt64());
        Assert.Equal(2, queue.GetProperty("maxOffset").GetInt64());
        Assert.Equal(byUniq.GetProperty("messages")[0].GetProperty("storeTimestamp").GetInt64(), queue.GetProperty("lastUpdateTimestamp").GetInt64());

        // Fewer messages than asked for within the timeout: what arrived is printed, the exit code says it was short.
        var shortRun = await AdminAsync(node, "consume", "--topic", "AdminMsg", "--count", "3", "--timeout", "1");
        Assert.Equal(1, shortRun.Code);
        Assert.Equal("akkabroker admin: received 2 of 3 message(s) within 1 s", shortRun.Stderr.Trim());
        Assert.Contains("with uniq key", shortRun.Stdout);

        var missing = await AdminAsync(node, "message", "query", "--id", "7F00000100002A9F0000000000FFFFFF");
        Assert.Equal(1, missing.Code);
        Assert.Single(missing.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task Consumer_progress_shows_lag_until_a_commit_and_offset_reset_moves_it_back()
    {
        await using var node = await EmbeddedNode.StartAsync();
        await JsonAsync(node, "topic", "create", "--topic", "AdminLag", "--queues", "2");
        var before = DateTimeOffset.UtcNow.AddSeconds(-2).ToUnixTimeMilliseconds();
        for (var i = 0; i < 3; i++) await JsonAsync(node, "send", "--topic", "AdminLag", "--body", $"m{i}");

        var progress = await JsonAsync(node, "consumer", "progress", "--group", "AdminGroup", "--topic", "AdminLag");
        Assert.Equal(3, progress.GetProperty("totalLag").GetInt64());
        Assert.Equal(3, progress.GetProperty("queues").EnumerateArray().Sum(q => q.GetProperty("brokerOffset").GetInt64()));
        Assert.Equal(0, progress.GetProperty("consumeTps").GetDouble());

        var consumed = await JsonAsync(node, "consume", "--topic", "AdminLag", "--group", "AdminGroup", "--count", "3");
        Assert.Equal(["m0", "m1", "m2"], consumed.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("body").GetString()).Order());

        progress = await JsonAsync(node, "consumer", "progress", "--group", "AdminGroup");
        Assert.Equal(0, progress.GetProperty("totalLag").GetInt64());
        // Three messages pulled within the last few seconds: a rate of at most 3/s, never 0.
        Assert.InRange(progress.GetProperty("consumeTps").GetDouble(), 0.01, 3);
        Assert.All(progress.GetProperty("queues").EnumerateArray(), q =>
        {
            Assert.Equal("AdminLag", q.GetProperty("topic").GetString());
            Assert.Equal(q.GetProperty("brokerOffset").GetInt64(), q.GetProperty("consumerOffset").GetInt64());
            Assert.Equal(0, q.GetProperty("lag").GetInt64());
        });
        var (code, table, _) = await AdminAsync(node, "consumer", "progress", "--group", "AdminGroup");
        Assert.Equal(0, code);
        Assert.Contains("total lag: 0", table);
        Assert.Matches(@"consume TPS: [0-3]\.\d\d", table);

        var reset = await JsonAsync(node, "offset", "reset", "--group", "AdminGroup", "--topic", "AdminLag", "--timestamp", before.ToString());
        var queues = reset.GetProperty("queues").EnumerateArray().ToList();
        Assert.Equal(2, queues.Count);
        Assert.Equal(3, queues.Sum(q => q.GetProperty("previousOffset").GetInt64()));
        Assert.All(queues, q => Assert.Equal(0, q.GetProperty("newOffset").GetInt64()));

        progress = await JsonAsync(node, "consumer", "progress", "--group", "AdminGroup", "--topic", "AdminLag");
        Assert.Equal(3, progress.GetProperty("totalLag").GetInt64());
        Assert.All(progress.GetProperty("queues").EnumerateArray(), q => Assert.Equal(0, q.GetProperty("consumerOffset").GetInt64()));

        // Resetting to now moves the offsets to the end again.
        reset = await JsonAsync(node, "offset", "reset", "--group", "AdminGroup", "--topic", "AdminLag", "--timestamp", "now");
        Assert.Equal(3, reset.GetProperty("queues").EnumerateArray().Sum(q => q.GetProperty("newOffset").GetInt64()));

        var unknown = await AdminAsync(node, "consumer", "progress", "--group", "NoSuchGroup");
        Assert.Equal(1, unknown.Code);
        Assert.Single(unknown.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task Consumer_connections_list_an_online_member()
    {
        await using var node = await EmbeddedNode.StartAsync();
        await JsonAsync(node, "topic", "create", "--topic", "AdminConn", "--queues", "1");

        var offline = await AdminAsync(node, "consumer", "connections", "--group", "AdminConnGroup");
        Assert.Equal(1, offline.Code);
        Assert.Equal("akkabroker admin: consumer group AdminConnGroup is not online", offline.Stderr.Trim());

        await using var consumer = new LitePullConsumer(new LitePullConsumerOptions { NamesrvAddr = [node.NameServerAddress], ConsumerGroup = "AdminConnGroup" });
        consumer.Subscribe("AdminConn", "TagA || TagB");
        await consumer.StartAsync();

        var connections = await JsonAsync(node, "consumer", "connections", "--group", "AdminConnGroup");
        var member = Assert.Single(connections.GetProperty("connections").EnumerateArray());
        Assert.EndsWith("@" + Environment.ProcessId, member.GetProperty("clientId").GetString());
        var subscription = Assert.Single(connections.GetProperty("subscriptions").EnumerateArray());
        Assert.Equal("AdminConn", subscription.GetProperty("topic").GetString());
        Assert.Equal("TagA || TagB", subscription.GetProperty("expression").GetString());
    }

    [Fact]
    public async Task Bad_arguments_exit_2_with_one_line()
    {
        foreach (var args in new[]
                 {
                     new[] { "topic", "create", "--topic", "bad topic!" },
                     ["topic", "create"],
                     ["topic", "create", "--topic", "T", "--queues", "many"],
                     ["topic", "create", "--topic", "T", "--perm", "5"],
                     ["message", "query", "--topic", "T"],
                     ["message", "query", "--topic", "T", "--key", "k", "--begin", "2026-02-01", "--end", "2026-01-01"],
                     ["message", "query", "--topic", "T", "--key", "k", "--end", "soon"],
                     ["message", "query", "--id", "7F00000100002A9F0000000000FFFFFF", "--begin", "now"],
                     ["offset", "reset", "--group", "G", "--topic", "T", "--timestamp", "yesterday"],
                     ["topic", "frobnicate"],
                     ["topic"],
                 })
        {
            var (code, stdout, stderr) = await Task.Run(() => ServeProcess.Run(null, ["admin", .. args, "--namesrv", "127.0.0.1:1"]));
            Assert.True(code == 2, $"{string.Join(' ', args)}: exit {code}\n{stderr}");
            Assert.Equal("", stdout);
            var line = Assert.Single(stderr.Trim().Split('\n'));
            Assert.StartsWith("akkabroker admin: ", line);
        }
    }

    [Fact]
    public async Task A_closed_port_exits_1_with_one_line()
    {
        var port = FreePorts.Next();
        var (code, stdout, stderr) = await Task.Run(() => ServeProcess.Run(null, "admin", "topic", "list", "--namesrv", $"127.0.0.1:{port}"));

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Trim().Split('\n'));
        Assert.StartsWith("akkabroker admin: no name server answered", line);
        Assert.Contains($"127.0.0.1:{port}", line);
    }

    private static Task<(int Code, string Stdout, string Stderr)> AdminAsync(EmbeddedNode node, params string[] args) =>
        Task.Run(() => ServeProcess.Run(null, ["admin", .. args, "--namesrv", node.NameServerAddress]));

    private static async Task<JsonElement> JsonAsync(EmbeddedNode node, params string[] args)
    {
        var (code, stdout, stderr) = await AdminAsync(node, [.. args, "--json"]);
        Assert.True(code == 0, $"admin {string.Join(' ', args)} exited {code}: {stderr}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }
}
