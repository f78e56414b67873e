using System.Globalization;
using System.Text;
using AkkaBroker.Common.Metrics;

namespace AkkaBroker.Broker.Storage;

/// <summary>
/// How long the store took to take producers' sends since the broker started: from handing a put to the CommitLog
/// writer to its result (so including a SYNC_FLUSH or SYNC_MASTER wait), one value per send request. Reported by
/// GET_BROKER_RUNTIME_INFO under RocketMQ's keys (millisecond buckets) and, finer, as microsecond percentiles, so a
/// slow send can be told apart from a slow network or client. Thread-safe; recording does not allocate.
/// </summary>
public sealed class PutStats
{
    // RocketMQ's buckets, by upper bound in ms (exclusive; the first is "0 ms", the last open-ended).
    private static readonly long[] BucketLimitsMillis = [1, 10, 50, 100, 200, 500, 1000, 2000, 3000, 4000, 5000, 10000];
    private static readonly string[] BucketNames =
        ["[<=0ms]", "[0~10ms]", "[10~50ms]", "[50~100ms]", "[100~200ms]", "[200~500ms]", "[500ms~1s]", "[1~2s]", "[2~3s]", "[3~4s]", "[4~5s]", "[5~10s]", "[10s~]"];

    private readonly long[] _buckets = new long[BucketNames.Length];
    private readonly LatencyHistogram _micros = new();
    private long _messages;
    private long _bytes;

    /// <summary>Records one stored send request of <paramref name="messages"/> messages and <paramref name="bytes"/> body bytes.</summary>
    public void Record(long micros, int messages, long bytes)
    {
        _micros.Record(micros);
        var millis = micros / 1000;
        var bucket = 0;
        while (bucket < BucketLimitsMillis.Length && millis >= BucketLimitsMillis[bucket]) bucket++;
        Interlocked.Increment(ref _buckets[bucket]);
        Interlocked.Add(ref _messages, messages);
        Interlocked.Add(ref _bytes, bytes);
    }

    /// <summary>Messages stored by sends.</summary>
    public long Messages => Volatile.Read(ref _messages);

    /// <summary>
    /// Adds RocketMQ's putMessageTimesTotal, putMessageSizeTotal, putMessageAverageSize, putMessageEntireTimeMax (ms) and
    /// putMessageDistributeTime ("[&lt;=0ms]:N [0~10ms]:N ..."), plus putMessageLatencyMicros ("p50:N p99:N p99.9:N max:N").
    /// </summary>
    public void AddTo(IDictionary<string, string> table)
    {
        var messages = Messages;
        var bytes = Volatile.Read(ref _bytes);
        table["putMessageTimesTotal"] = Text(messages);
        table["putMessageSizeTotal"] = Text(bytes);
        table["putMessageAverageSize"] = (messages == 0 ? 0 : (double)bytes / messages).ToString(CultureInfo.InvariantCulture);
        table["putMessageEntireTimeMax"] = Text(_micros.Max / 1000);
        var distribution = new StringBuilder();
        for (var i = 0; i < BucketNames.Length; i++) distribution.Append(BucketNames[i]).Append(':').Append(Text(Volatile.Read(ref _buckets[i]))).Append(' ');
        table["putMessageDistributeTime"] = distribution.ToString();
        table["putMessageLatencyMicros"] =
            $"p50:{Text(_micros.Percentile(50))} p99:{Text(_micros.Percentile(99))} p99.9:{Text(_micros.Percentile(99.9))} max:{Text(_micros.Max)}";
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
