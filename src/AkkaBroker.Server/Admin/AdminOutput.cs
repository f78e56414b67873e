using System.Globalization;
using System.Text;
using System.Text.Json;
using AkkaBroker.Client;

namespace AkkaBroker.Server.Admin;

/// <summary>
/// What admin commands print: aligned plain-text tables for people, or exactly one indented JSON document for
/// scripts (camelCase names, times as ms since the epoch).
/// </summary>
internal sealed class AdminOutput(bool json, TextWriter writer)
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Whether --json was given.</summary>
    public bool IsJson { get; } = json;

    /// <summary>Prints <paramref name="document"/> as the one JSON document of this command.</summary>
    public void WriteJson(object document) => writer.WriteLine(JsonSerializer.Serialize(document, JsonOptions));

    /// <summary>Prints a line of text.</summary>
    public void Line(string text = "") => writer.WriteLine(text);

    /// <summary>Prints a table: a header row, then the rows, columns padded to their widest cell (numbers right-aligned).</summary>
    public void Table(string[] headers, IEnumerable<string[]> rows)
    {
        var all = rows.ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToArray();
        var numeric = headers.Select((_, i) => all.Count > 0 && all.All(r => r[i].Length == 0 || r[i] == "-" || long.TryParse(r[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out long _))).ToArray();
        writer.WriteLine(Format(headers));
        foreach (var row in all) writer.WriteLine(Format(row));

        string Format(string[] cells)
        {
            var line = new StringBuilder();
            for (var i = 0; i < cells.Length; i++)
            {
                if (i > 0) line.Append("  ");
                line.Append(numeric[i] ? cells[i].PadLeft(widths[i]) : i == cells.Length - 1 ? cells[i] : cells[i].PadRight(widths[i]));
            }

            return line.ToString().TrimEnd();
        }
    }

    /// <summary>Local time with milliseconds, or "-" for 0 (unknown).</summary>
    public static string Time(long epochMillis) =>
        epochMillis <= 0 ? "-" : DateTimeOffset.FromUnixTimeMilliseconds(epochMillis).ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);

    /// <summary>A number in invariant culture.</summary>
    public static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A rate per second with two decimals, in invariant culture.</summary>
    public static string Rate(double perSecond) => perSecond.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>At most <paramref name="max"/> characters of <paramref name="text"/>, control characters shown as escapes.</summary>
    public static string Preview(string text, int max = 48)
    {
        var builder = new StringBuilder();
        foreach (var c in text)
        {
            if (builder.Length >= max)
            {
                builder.Append('…');
                break;
            }

            builder.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }

    /// <summary>A message as JSON: identity, position, times, keys, tags, properties and the body as UTF-8 text.</summary>
    public static object MessageJson(MessageExt m) => new
    {
        msgId = m.MsgId,
        uniqKey = m.Properties.GetValueOrDefault(Protocol.MessageProperties.UniqueKey),
        topic = m.Topic,
        brokerName = m.BrokerName,
        queueId = m.QueueId,
        queueOffset = m.QueueOffset,
        commitLogOffset = m.CommitLogOffset,
        bornTimestamp = m.BornTimestamp,
        storeTimestamp = m.StoreTimestamp,
        reconsumeTimes = m.ReconsumeTimes,
        keys = m.Keys,
        tags = m.Tags,
        properties = m.Properties,
        bodyLength = m.Body.Length,
        body = m.BodyText,
    };

    /// <summary>Messages as a table (id, queue, offset, store time, keys, tags, body preview).</summary>
    public void MessageTable(IReadOnlyList<MessageExt> messages) =>
        Table(["MSG ID", "BROKER", "QUEUE", "OFFSET", "STORED", "KEYS", "TAGS", "BODY"],
            messages.Select(m => new[]
            {
                m.MsgId, m.BrokerName, Num(m.QueueId), Num(m.QueueOffset), Time(m.StoreTimestamp), m.Keys ?? "", m.Tags ?? "", Preview(m.BodyText),
            }));
}
