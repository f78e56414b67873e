using System.CommandLine;
using System.Globalization;

namespace AkkaBroker.Server.Admin;

// consumer progress|connections and offset reset.
internal static partial class AdminCommand
{
    private static Option<string> GroupOption() => new("--group", "-g") { Description = "the consumer group", Required = true };

    private static Command ConsumerProgress()
    {
        var group = GroupOption();
        var topic = new Option<string?>("--topic", "-t") { Description = "only this topic (listed even before the group commits anything)" };
        return Leaf("progress",
            "Show a consumer group's progress per queue (broker offset, consumer offset, lag), the total lag and the messages per second " +
            "the group pulled over the last minute.", async (c, ct) =>
        {
            var name = RequireGroup(c.Get(group));
            var only = c.Get(topic) is { } t ? RequireTopic(t) : null;
            var progress = await c.Client.GetConsumeProgressAsync(name, only, ct);
            var queues = progress.Queues;
            if (queues.Count == 0)
                return await Fail($"consumer group {name} has no consume stats{(only is null ? "" : $" for topic {only}")}: it has committed no offset and is not online");
            var totalLag = progress.TotalLag;
            var consumeTps = Math.Round(progress.ConsumeTps, 2);
            if (c.Output.IsJson)
            {
                c.Output.WriteJson(new { group = name, topic = only, totalLag, consumeTps, queues });
                return 0;
            }

            c.Output.Table(["TOPIC", "BROKER", "QUEUE", "BROKER OFFSET", "CONSUMER OFFSET", "LAG", "LAST CONSUMED"],
                queues.Select(q => new[]
                {
                    q.Topic, q.BrokerName, AdminOutput.Num(q.QueueId), AdminOutput.Num(q.BrokerOffset), AdminOutput.Num(q.ConsumerOffset), AdminOutput.Num(q.Lag),
                    AdminOutput.Time(q.LastTimestamp),
                }));
            c.Output.Line();
            c.Output.Line($"total lag: {AdminOutput.Num(totalLag)}");
            c.Output.Line($"consume TPS: {AdminOutput.Rate(consumeTps)}");
            return 0;
        }, group, topic);
    }

    private static Command ConsumerConnections()
    {
        var group = GroupOption();
        return Leaf("connections", "Show a consumer group's online members and subscriptions (exit code 1 when none is online).", async (c, ct) =>
        {
            var name = RequireGroup(c.Get(group));
            var connection = await c.Client.GetConsumerConnectionsAsync(name, ct);
            var members = connection.ConnectionSet.OrderBy(m => m.ClientId, StringComparer.Ordinal)
                .Select(m => new { clientId = m.ClientId, clientAddr = m.ClientAddr, language = m.Language, version = m.Version }).ToList();
            var subscriptions = connection.SubscriptionTable.OrderBy(s => s.Key, StringComparer.Ordinal)
                .Select(s => new { topic = s.Key, expression = s.Value.SubString }).ToList();
            if (c.Output.IsJson)
            {
                c.Output.WriteJson(new
                {
                    group = name, consumeType = connection.ConsumeType?.ToString(), messageModel = connection.MessageModel?.ToString(),
                    consumeFromWhere = connection.ConsumeFromWhere?.ToString(), connections = members, subscriptions,
                });
                return 0;
            }

            c.Output.Line($"group {name}: {connection.ConsumeType}, {connection.MessageModel}, {connection.ConsumeFromWhere}");
            c.Output.Line();
            c.Output.Table(["CLIENT ID", "ADDRESS", "LANGUAGE", "VERSION"],
                members.Select(m => new[] { m.clientId, m.clientAddr, m.language, AdminOutput.Num(m.version) }));
            c.Output.Line();
            c.Output.Table(["TOPIC", "EXPRESSION"], subscriptions.Select(s => new[] { s.topic, s.expression }));
            return 0;
        }, group);
    }

    private static Command OffsetReset()
    {
        var group = GroupOption();
        var topic = TopicOption();
        var timestamp = new Option<string>("--timestamp", "-s")
        {
            Description = "the time to go back (or forward) to: " + TimeForms,
            Required = true,
        };
        return Leaf("reset",
            "Set a group's committed offset of every queue of a topic to the first message stored at or after a time (RocketMQ 4's resetOffsetByTime: " +
            "SEARCH_OFFSET_BY_TIMESTAMP, then UPDATE_CONSUMER_OFFSET). Running consumers keep their positions in memory and commit them again: stop " +
            "the group first; consumers read the new offsets when they start, or when a rebalance gives them the queue.",
            async (c, ct) =>
            {
                var name = RequireGroup(c.Get(group));
                var topicName = RequireTopic(c.Get(topic));
                var at = ParseTime(c.Get(timestamp));
                var queues = await c.Client.ResetOffsetByTimeAsync(name, topicName, at, ct);
                if (c.Output.IsJson)
                {
                    c.Output.WriteJson(new { group = name, topic = topicName, timestamp = at.ToUnixTimeMilliseconds(), queues });
                    return 0;
                }

                c.Output.Line($"reset {name} on {topicName} to {AdminOutput.Time(at.ToUnixTimeMilliseconds())}");
                c.Output.Table(["BROKER", "QUEUE", "PREVIOUS OFFSET", "NEW OFFSET"],
                    queues.Select(q => new[] { q.BrokerName, AdminOutput.Num(q.QueueId), q.PreviousOffset < 0 ? "-" : AdminOutput.Num(q.PreviousOffset), AdminOutput.Num(q.NewOffset) }));
                return 0;
            }, group, topic, timestamp);
    }

    /// <summary>The time forms every time option takes, for its description.</summary>
    private const string TimeForms = "'now', ms since the epoch, an ISO 8601 date-time (local unless it has an offset) or RocketMQ's yyyy-MM-dd#HH:mm:ss:SSS";

    /// <summary>Parses the time forms of <paramref name="option"/> (<see cref="TimeForms"/>); bad text is a usage error.</summary>
    internal static DateTimeOffset ParseTime(string text, string option = "--timestamp")
    {
        text = text.Trim();
        if (text.Equals("now", StringComparison.OrdinalIgnoreCase)) return DateTimeOffset.UtcNow;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var millis)) return DateTimeOffset.FromUnixTimeMilliseconds(millis);
        if (DateTime.TryParseExact(text, "yyyy-MM-dd#HH:mm:ss:fff", CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var rocket))
            return new DateTimeOffset(rocket);
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var iso)) return iso;
        throw new UsageException($"{option} '{text}' is neither 'now', ms since the epoch, an ISO 8601 date-time nor yyyy-MM-dd#HH:mm:ss:SSS");
    }
}
