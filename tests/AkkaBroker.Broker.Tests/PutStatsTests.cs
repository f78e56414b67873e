using AkkaBroker.Broker.Storage;

namespace AkkaBroker.Broker.Tests;

/// <summary>The send counters and timings GET_BROKER_RUNTIME_INFO reports.</summary>
public sealed class PutStatsTests
{
    [Fact]
    public void Times_fall_into_RocketMQs_millisecond_buckets_at_their_edges()
    {
        var stats = new PutStats();
        foreach (var micros in new long[] { 0, 999, 1_000, 9_999, 10_000, 499_999, 500_000, 9_999_999, 10_000_000, 3_600_000_000_000 })
            stats.Record(micros, 1, 10);

        var table = new Dictionary<string, string>();
        stats.AddTo(table);

        Assert.Equal(
            "[<=0ms]:2 [0~10ms]:2 [10~50ms]:1 [50~100ms]:0 [100~200ms]:0 [200~500ms]:1 [500ms~1s]:1 [1~2s]:0 [2~3s]:0 [3~4s]:0 [4~5s]:0 [5~10s]:1 [10s~]:2 ",
            table["putMessageDistributeTime"]);
        Assert.Equal("10", table["putMessageTimesTotal"]);
        Assert.Equal("100", table["putMessageSizeTotal"]);
        // The histogram keeps values up to an hour.
        Assert.Equal("3600000", table["putMessageEntireTimeMax"]);
    }

    [Fact]
    public void A_batch_counts_its_messages_but_one_time()
    {
        // Below 128 us the histogram is exact, so the percentiles are the values themselves.
        var stats = new PutStats();
        stats.Record(100, 32, 32 * 1024);
        stats.Record(120, 1, 1024);

        var table = new Dictionary<string, string>();
        stats.AddTo(table);

        Assert.Equal("33", table["putMessageTimesTotal"]);
        Assert.Equal("1024", table["putMessageAverageSize"]);
        Assert.StartsWith("[<=0ms]:2 ", table["putMessageDistributeTime"]);
        Assert.Equal("p50:100 p99:120 p99.9:120 max:120", table["putMessageLatencyMicros"]);
    }

    [Fact]
    public void An_idle_broker_reports_zeros()
    {
        var table = new Dictionary<string, string>();
        new PutStats().AddTo(table);

        Assert.Equal("0", table["putMessageTimesTotal"]);
        Assert.Equal("0", table["putMessageAverageSize"]);
        Assert.Equal("p50:0 p99:0 p99.9:0 max:0", table["putMessageLatencyMicros"]);
    }
}
