namespace AkkaBroker.Common.Metrics;

/// <summary>
/// A log-linear latency histogram in microseconds (HdrHistogram's layout: exact below 128 µs, then each power of
/// two split into 64 linear sub-buckets, so any value is reported within 2%). Recording is one
/// Interlocked increment; safe from many threads. Values above an hour are clamped.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBuckets = 1 << SubBucketBits;
    private const long MaxValue = 3_600_000_000; // 1 h in µs
    private readonly long[] _counts;
    private long _max;

    /// <summary>An empty histogram.</summary>
    public LatencyHistogram() => _counts = new long[IndexOf(MaxValue) + 1];

    /// <summary>Values recorded.</summary>
    public long Count
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _counts.Length; i++) total += Volatile.Read(ref _counts[i]);
            return total;
        }
    }

    /// <summary>The largest value recorded, µs.</summary>
    public long Max => Volatile.Read(ref _max);

    /// <summary>Microseconds from <paramref name="stopwatchTimestamp"/> (a <see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>) to now: this histogram's unit.</summary>
    public static long MicrosSince(long stopwatchTimestamp) =>
        (System.Diagnostics.Stopwatch.GetTimestamp() - stopwatchTimestamp) * 1_000_000 / System.Diagnostics.Stopwatch.Frequency;

    /// <summary>Records one value in microseconds.</summary>
    public void Record(long micros)
    {
        micros = Math.Clamp(micros, 0, MaxValue);
        Interlocked.Increment(ref _counts[IndexOf(micros)]);
        long seen;
        while (micros > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, micros, seen) != seen)
        {
        }
    }

    /// <summary>
    /// Records <paramref name="micros"/> and, when it exceeds the expected interval between sends, the values the
    /// sends that should have happened meanwhile would have seen (HdrHistogram's coordinated-omission correction).
    /// </summary>
    public void RecordCorrected(long micros, long expectedIntervalMicros)
    {
        Record(micros);
        if (expectedIntervalMicros <= 0) return;
        for (var missing = micros - expectedIntervalMicros; missing >= expectedIntervalMicros; missing -= expectedIntervalMicros) Record(missing);
    }

    /// <summary>Adds every count of <paramref name="other"/> to this one.</summary>
    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            var c = Volatile.Read(ref other._counts[i]);
            if (c != 0) Interlocked.Add(ref _counts[i], c);
        }

        long seen;
        var max = other.Max;
        while (max > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, max, seen) != seen)
        {
        }
    }

    /// <summary>The value at <paramref name="percentile"/> (0-100), µs: the upper edge of the bucket that holds it.</summary>
    public long Percentile(double percentile)
    {
        var total = Count;
        if (total == 0) return 0;
        var rank = (long)Math.Ceiling(percentile / 100.0 * total);
        rank = Math.Clamp(rank, 1, total);
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Volatile.Read(ref _counts[i]);
            if (seen >= rank) return Math.Min(UpperEdge(i), Max);
        }

        return Max;
    }

    private static int IndexOf(long value)
    {
        if (value < SubBuckets) return (int)value;
        var magnitude = 63 - (int)long.LeadingZeroCount(value) - (SubBucketBits - 1);
        var sub = (int)(value >> magnitude) - SubBuckets / 2;
        return SubBuckets + (magnitude - 1) * (SubBuckets / 2) + sub;
    }

    private static long UpperEdge(int index)
    {
        if (index < SubBuckets) return index;
        var offset = index - SubBuckets;
        var magnitude = offset / (SubBuckets / 2) + 1;
        var sub = offset % (SubBuckets / 2) + SubBuckets / 2;
        return ((long)(sub + 1) << magnitude) - 1;
    }
}
