using System.Text.Json.Nodes;
using AkkaBroker.Common.Metrics;

namespace AkkaBroker.Server.Bench;

/// <summary>
/// Splits open-loop latencies at the moment each send actually began. The latency counts from the scheduled moment,
/// so it includes the start lag: waiting for a free in-flight slot (earlier sends were slow) or for the pacer thread
/// (the load generator's own machine was busy). The time from start to acknowledgement is the uncorrected latency.
/// Seeing both tells a tail made by the broker from one made where the load is generated. Thread-safe.
/// </summary>
internal sealed class OpenLoopBreakdown
{
    /// <summary>From the scheduled moment to the start of the send, in microseconds.</summary>
    public LatencyHistogram StartLag { get; } = new();

    /// <summary>From the start of the send to its acknowledgement, in microseconds.</summary>
    public LatencyHistogram FromStart { get; } = new();

    /// <summary>Records one send: <paramref name="lagMicros"/> of its <paramref name="latencyMicros"/> passed before it began.</summary>
    public void Record(long lagMicros, long latencyMicros)
    {
        StartLag.Record(lagMicros);
        FromStart.Record(latencyMicros - lagMicros);
    }

    /// <summary>Adds startLag* and fromStart* (p50, p99, p99.9, max, in microseconds) to a JSON report.</summary>
    public void AddTo(JsonObject line)
    {
        foreach (var (name, h) in new[] { ("startLag", StartLag), ("fromStart", FromStart) })
        {
            line[name + "P50Us"] = h.Percentile(50);
            line[name + "P99Us"] = h.Percentile(99);
            line[name + "P999Us"] = h.Percentile(99.9);
            line[name + "MaxUs"] = h.Max;
        }
    }

    /// <summary>The text report's line before the summary.</summary>
    public string Describe() =>
        $"open loop: start lag p50 {StartLag.Percentile(50)} us, p99 {StartLag.Percentile(99)} us, p99.9 {StartLag.Percentile(99.9)} us, max {StartLag.Max} us; " +
        $"from start to ack p50 {FromStart.Percentile(50)} us, p99 {FromStart.Percentile(99)} us, p99.9 {FromStart.Percentile(99.9)} us, max {FromStart.Max} us " +
        "(the latency below counts from each send's scheduled moment, so it includes the start lag)";
}
