using System.CommandLine;
using System.Globalization;
using AkkaBroker.Protocol.Json;

namespace AkkaBroker.Server.Admin;

// topic create|update|delete|list|route|status and cluster list.
internal static partial class AdminCommand
{
    private static Option<string> TopicOption(string description = "the topic") => new("--topic", "-t") { Description = description, Required = true };

    private static Option<string?> ClusterOption() => new("--cluster", "-c") { Description = "only the masters of this cluster (default: every master)" };

    private static Command TopicCreate()
    {
        var topic = TopicOption();
        var queues = new Option<int>("--queues", "-q") { Description = "read and write queues per broker", DefaultValueFactory = _ => 8 };
        var perm = new Option<int>("--perm", "-p") { Description = "permission: 2 write-only, 4 read-only, 6 read-write", DefaultValueFactory = _ => 6 };
        var order = new Option<bool>("--order") { Description = "mark the topic orderly" };
        var cluster = ClusterOption();
        return Leaf("create", "Create a topic on every master (fails when the name servers already route it: use update).", async (c, ct) =>
        {
            var name = RequireTopic(c.Get(topic));
            var count = c.Get(queues);
            if (count < 1) throw new UsageException("--queues must be at least 1");
            CheckPerm(c.Get(perm));
            if (await c.Client.GetRouteAsync(name, ct) is { QueueDatas.Count: > 0 }) return await Fail($"topic {name} already exists (use topic update)");
            var config = new TopicConfig { TopicName = name, ReadQueueNums = count, WriteQueueNums = count, Perm = c.Get(perm), Order = c.Get(order) };
            var brokers = await c.Client.CreateTopicAsync(config, c.Get(cluster), ct);
            PrintTopicChange(c, "created", config, brokers);
            return 0;
        }, topic, queues, perm, order, cluster);
    }

    private static Command TopicUpdate()
    {
        var topic = TopicOption();
        var queues = new Option<int?>("--queues", "-q") { Description = "read and write queues per broker" };
        var read = new Option<int?>("--read-queues", "-r") { Description = "read queues per broker" };
        var write = new Option<int?>("--write-queues", "-w") { Description = "write queues per broker" };
        var perm = new Option<int?>("--perm", "-p") { Description = "permission: 2 write-only, 4 read-only, 6 read-write" };
        var order = new Option<bool?>("--order") { Description = "mark the topic orderly (true/false)" };
        var cluster = ClusterOption();
        return Leaf("update", "Change an existing topic on every master; settings not given keep their current values.", async (c, ct) =>
        {
            var name = RequireTopic(c.Get(topic));
            foreach (var count in new[] { c.Get(queues), c.Get(read), c.Get(write) })
                if (count < 1) throw new UsageException("queue counts must be at least 1");
            if (c.Get(perm) is { } p) CheckPerm(p);
            // The current settings come from the first master that has the topic.
            TopicConfig? current = null;
            foreach (var (_, address) in await c.Client.GetMastersAsync(c.Get(cluster), ct))
                if ((current = await c.Client.GetTopicConfigAsync(address, name, ct)) is not null) break;
            if (current is null) return await Fail($"topic {name} does not exist");
            var config = new TopicConfig
            {
                TopicName = name,
                ReadQueueNums = c.Get(read) ?? c.Get(queues) ?? current.ReadQueueNums,
                WriteQueueNums = c.Get(write) ?? c.Get(queues) ?? current.WriteQueueNums,
                Perm = c.Get(perm) ?? current.Perm,
                Order = c.Get(order) ?? current.Order,
                TopicFilterType = current.TopicFilterType,
                TopicSysFlag = current.TopicSysFlag,
            };
            var brokers = await c.Client.CreateTopicAsync(config, c.Get(cluster), ct);
            PrintTopicChange(c, "updated", config, brokers);
            return 0;
        }, topic, queues, read, write, perm, order, cluster);
    }

    private static Command TopicDelete()
    {
        var topic = TopicOption();
        var cluster = ClusterOption();
        return Leaf("delete", "Delete a topic from every master, then from every name server (stored records expire with the CommitLog).", async (c, ct) =>
        {
            var name = RequireTopic(c.Get(topic));
            if (await c.Client.GetRouteAsync(name, ct) is not { QueueDatas.Count: > 0 }) return await Fail($"topic {name} does not exist");
            var brokers = await c.Client.DeleteTopicAsync(name, c.Get(cluster), ct);
            if (c.Output.IsJson) c.Output.WriteJson(new { topic = name, deleted = true, brokers });
            else c.Output.Line($"deleted topic {name} from {string.Join(", ", brokers)} and {c.NameServers.Count} name server(s)");
            return 0;
        }, topic, cluster);
    }

    private static Command TopicList() =>
        Leaf("list", "List every topic the name servers route.", async (c, ct) =>
        {
            var topics = await c.Client.GetTopicListAsync(ct);
            if (c.Output.IsJson) c.Output.WriteJson(new { topics });
            else foreach (var topic in topics) c.Output.Line(topic);
            return 0;
        });

    private static Command TopicRoute()
    {
        var topic = TopicOption();
        return Leaf("route", "Show a topic's route: its broker groups and their queues.", async (c, ct) =>
        {
            var name = RequireTopic(c.Get(topic));
            if (await c.Client.GetRouteAsync(name, ct) is not { QueueDatas.Count: > 0 } route) return await Fail($"topic {name} does not exist");
            if (c.Output.IsJson)
            {
                c.Output.WriteJson(new
                {
                    topic = name,
                    brokers = route.BrokerDatas.OrderBy(b => b.BrokerName, StringComparer.Ordinal).Select(b => new
                    {
                        brokerName = b.BrokerName, cluster = b.Cluster, addresses = b.BrokerAddrs.OrderBy(a => a.Key).ToDictionary(a => a.Key.ToString(), a => a.Value),
                    }),
                    queues = route.QueueDatas.OrderBy(q => q.BrokerName, StringComparer.Ordinal).Select(q => new
                    {
                        brokerName = q.BrokerName, readQueueNums = q.ReadQueueNums, writeQueueNums = q.WriteQueueNums, perm = q.Perm, topicSysFlag = q.TopicSysFlag,
                    }),
                    orderTopicConf = route.OrderTopicConf,
                });
                return 0;
            }

            var queues = route.QueueDatas.ToDictionary(q => q.BrokerName, StringComparer.Ordinal);
            c.Output.Table(["BROKER", "CLUSTER", "READ", "WRITE", "PERM", "ADDRESSES"],
                route.BrokerDatas.OrderBy(b => b.BrokerName, StringComparer.Ordinal).Select(b =>
                {
                    var q = queues.GetValueOrDefault(b.BrokerName);
                    return new[]
                    {
                        b.BrokerName, b.Cluster, q is null ? "-" : AdminOutput.Num(q.ReadQueueNums), q is null ? "-" : AdminOutput.Num(q.WriteQueueNums),
                        q is null ? "-" : PermText(q.Perm), string.Join(", ", b.BrokerAddrs.OrderBy(a => a.Key).Select(a => $"{a.Key}={a.Value}")),
                    };
                }));
            return 0;
        }, topic);
    }

    private static Command TopicStatus()
    {
        var topic = TopicOption();
        return Leaf("status", "Show per queue of a topic its min and max offset and when its newest message was stored.", async (c, ct) =>
        {
            var name = RequireTopic(c.Get(topic));
            var queues = await c.Client.GetTopicStatusAsync(name, ct);
            if (c.Output.IsJson)
            {
                c.Output.WriteJson(new { topic = name, queues });
                return 0;
            }

            c.Output.Table(["BROKER", "QUEUE", "MIN OFFSET", "MAX OFFSET", "LAST UPDATED"],
                queues.Select(q => new[] { q.BrokerName, AdminOutput.Num(q.QueueId), AdminOutput.Num(q.MinOffset), AdminOutput.Num(q.MaxOffset), AdminOutput.Time(q.LastUpdateTimestamp) }));
            return 0;
        }, topic);
    }

    private static Command ClusterList()
    {
        var cluster = new Option<string?>("--cluster", "-c") { Description = "only this cluster" };
        var more = new Option<bool>("--more", "-m") { Description = "messages in and out yesterday and today (since local midnight) instead" };
        return Leaf("list", "List clusters and their brokers, with each broker's version, boot time, CommitLog size and traffic.", async (c, ct) =>
        {
            var info = await c.Client.GetClusterInfoAsync(ct);
            var only = c.Get(cluster);
            if (only is not null && !info.ClusterAddrTable.ContainsKey(only)) return await Fail($"cluster {only} is unknown to the name servers");
            var brokers = new List<BrokerRow>();
            foreach (var (clusterName, names) in info.ClusterAddrTable.Where(e => only is null || e.Key == only).OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                foreach (var name in names.Order(StringComparer.Ordinal))
                {
                    if (!info.BrokerAddrTable.TryGetValue(name, out var data)) continue;
                    foreach (var (id, address) in data.BrokerAddrs.OrderBy(a => a.Key))
                    {
                        IReadOnlyDictionary<string, string>? runtime = null;
                        string? error = null;
                        try
                        {
                            runtime = await c.Client.GetBrokerRuntimeInfoAsync(address, ct);
                        }
                        catch (Exception e) when (e is Client.MQClientException or Remoting.RemotingConnectionException or Remoting.RemotingTimeoutException)
                        {
                            // One unreachable broker must not hide the others.
                            error = e.Message;
                        }

                        brokers.Add(new BrokerRow(clusterName, name, id, address, runtime?.GetValueOrDefault("brokerVersionDesc"),
                            Long(runtime, "bootTimestamp") ?? 0, Long(runtime, "commitLogMaxOffset") ?? 0, Long(runtime, "putMessageTimesTotal") ?? 0,
                            SendP99(runtime?.GetValueOrDefault("putMessageLatencyMicros")),
                            TenSecondTps(runtime?.GetValueOrDefault("putTps")), TenSecondTps(runtime?.GetValueOrDefault("getTransferedTps")),
                            Long(runtime, "msgPutTotalTodayMorning") - Long(runtime, "msgPutTotalYesterdayMorning"),
                            Long(runtime, "msgGetTotalTodayMorning") - Long(runtime, "msgGetTotalYesterdayMorning"),
                            Long(runtime, "msgPutTotalTodayNow") - Long(runtime, "msgPutTotalTodayMorning"),
                            Long(runtime, "msgGetTotalTodayNow") - Long(runtime, "msgGetTotalTodayMorning"), error));
                    }
                }
            }

            if (c.Output.IsJson)
            {
                c.Output.WriteJson(new { brokers });
                return 0;
            }

            if (c.Get(more))
            {
                // Java's clusterList -m: the day totals from its BrokerStats, taken at local midnight.
                c.Output.Table(["CLUSTER", "BROKER", "ID", "ADDRESS", "IN YESTERDAY", "OUT YESTERDAY", "IN TODAY", "OUT TODAY"],
                    brokers.Select(b => new[]
                    {
                        b.Cluster, b.BrokerName, AdminOutput.Num(b.BrokerId), b.Address, Count(b.InYesterday), Count(b.OutYesterday),
                        Count(b.InToday), Count(b.OutToday),
                    }));
            }
            else
            {
                c.Output.Table(["CLUSTER", "BROKER", "ID", "ADDRESS", "VERSION", "BOOTED", "COMMITLOG BYTES", "IN TPS", "OUT TPS", "SENDS", "SEND P99 (US)"],
                    brokers.Select(b => new[]
                    {
                        b.Cluster, b.BrokerName, AdminOutput.Num(b.BrokerId), b.Address, b.Version ?? "-",
                        AdminOutput.Time(b.BootTimestamp), b.Error is null ? AdminOutput.Num(b.CommitLogMaxOffset) : "-",
                        b.InTps is { } tpsIn ? AdminOutput.Rate(tpsIn) : "-", b.OutTps is { } tpsOut ? AdminOutput.Rate(tpsOut) : "-",
                        b.Error is null ? AdminOutput.Num(b.Sends) : "-", b.SendP99Micros is { } p99 ? AdminOutput.Num(p99) : "-",
                    }));
            }

            foreach (var failed in brokers.Where(b => b.Error is not null)) c.Output.Line($"{failed.Address}: no runtime info: {failed.Error}");
            return 0;
        }, cluster, more);

        static string Count(long? count) => count is { } n ? AdminOutput.Num(n) : "-";
    }

    private sealed record BrokerRow(string Cluster, string BrokerName, long BrokerId, string Address, string? Version, long BootTimestamp,
        long CommitLogMaxOffset, long Sends, long? SendP99Micros, double? InTps, double? OutTps, long? InYesterday, long? OutYesterday,
        long? InToday, long? OutToday, string? Error);

    // A runtime info number; null when the broker did not answer or does not report it.
    private static long? Long(IReadOnlyDictionary<string, string>? runtime, string key) =>
        long.TryParse(runtime?.GetValueOrDefault(key), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;

    // The first of a rate's "10s 1min 10min" figures, as Java's clusterList shows it (null when absent or unreadable).
    private static double? TenSecondTps(string? rates) =>
        double.TryParse((rates ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var tps)
            ? tps
            : null;

    // From the broker's "p50:N p99:N p99.9:N max:N" (null from a broker that does not report it, such as RocketMQ's).
    private static long? SendP99(string? latency)
    {
        foreach (var part in (latency ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("p99:", StringComparison.Ordinal) && long.TryParse(part.AsSpan(4), out var p99)) return p99;
        }

        return null;
    }

    private static void CheckPerm(int perm)
    {
        if (perm is not (2 or 4 or 6)) throw new UsageException($"--perm must be 2 (write), 4 (read) or 6 (read-write), not {perm}");
    }

    private static string PermText(int perm) => ((perm & 4) != 0 ? "R" : "-") + ((perm & 2) != 0 ? "W" : "-");

    private static void PrintTopicChange(Context c, string verb, TopicConfig config, IReadOnlyList<string> brokers)
    {
        if (c.Output.IsJson)
        {
            c.Output.WriteJson(new
            {
                topic = config.TopicName, readQueueNums = config.ReadQueueNums, writeQueueNums = config.WriteQueueNums, perm = config.Perm, order = config.Order, brokers,
            });
            return;
        }

        c.Output.Line($"{verb} topic {config.TopicName} on {string.Join(", ", brokers)}: {config.ReadQueueNums} read / {config.WriteQueueNums} write queues, " +
                      $"perm {config.Perm} ({PermText(config.Perm)}){(config.Order ? ", orderly" : "")}");
    }
}
