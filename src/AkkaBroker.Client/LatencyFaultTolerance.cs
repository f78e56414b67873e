namespace AkkaBroker.Client;

/// <summary>
/// RocketMQ's send-latency fault tolerance (reference §8.7): a broker whose send took at least a bucket's latency is
/// avoided for that bucket's duration; a failed send counts as 30 s, so its broker is avoided for 10 minutes.
/// Thread-safe; one per producer.
/// </summary>
public sealed class LatencyFaultTolerance
{
    private static readonly long[] LatencyMax = [50, 100, 550, 1000, 2000, 3000, 15000];
    private static readonly long[] NotAvailableDuration = [0, 0, 30000, 60000, 120000, 180000, 600000];

    /// <summary>The latency a failed send counts as.</summary>
    public static readonly TimeSpan FailureLatency = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, long> _availableFrom = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;

    /// <summary>A tracker on <paramref name="clock"/> (the system clock by default).</summary>
    public LatencyFaultTolerance(TimeProvider? clock = null) => _clock = clock ?? TimeProvider.System;

    /// <summary>How long a broker is avoided after a send that took <paramref name="latency"/>.</summary>
    public static TimeSpan AvoidFor(TimeSpan latency)
    {
        var ms = (long)latency.TotalMilliseconds;
        for (var i = LatencyMax.Length - 1; i >= 0; i--)
        {
            if (ms >= LatencyMax[i]) return TimeSpan.FromMilliseconds(NotAvailableDuration[i]);
        }

        return TimeSpan.Zero;
    }

    /// <summary>Records a send to <paramref name="brokerName"/> that took <paramref name="latency"/> (or failed: <see cref="FailureLatency"/>).</summary>
    public void Record(string brokerName, TimeSpan latency)
    {
        var avoid = AvoidFor(latency);
        lock (_availableFrom)
        {
            _availableFrom[brokerName] = Now + (long)avoid.TotalMilliseconds;
        }
    }

    /// <summary>Whether sends may go to <paramref name="brokerName"/> now.</summary>
    public bool IsAvailable(string brokerName)
    {
        lock (_availableFrom)
        {
            return !_availableFrom.TryGetValue(brokerName, out var from) || Now >= from;
        }
    }

    /// <summary>Of the avoided brokers, the one available soonest (used when every broker is avoided).</summary>
    public string? PickLeastBad(IEnumerable<string> brokerNames)
    {
        lock (_availableFrom)
        {
            return brokerNames.OrderBy(b => _availableFrom.GetValueOrDefault(b)).FirstOrDefault();
        }
    }

    private long Now => _clock.GetUtcNow().ToUnixTimeMilliseconds();
}
