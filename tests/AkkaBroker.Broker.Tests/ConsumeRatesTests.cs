using AkkaBroker.Broker.Consumers;

namespace AkkaBroker.Broker.Tests;

public class ConsumeRatesTests
{
    [Fact]
    public void Rate_is_zero_before_any_pull_and_per_group_and_topic()
    {
        var rates = new ConsumeRates(new ManualClock());
        Assert.Equal(0, rates.Tps("G", "T"));
        rates.Record("G", "T", 0);
        Assert.Equal(0, rates.Tps("G", "T"));
        rates.Record("G", "T", 5);
        Assert.Equal(0, rates.Tps("G", "Other"));
        Assert.Equal(0, rates.Tps("Other", "T"));
    }

    [Fact]
    public void A_young_counter_divides_by_its_age_but_at_least_one_second()
    {
        var clock = new ManualClock();
        var rates = new ConsumeRates(clock);
        rates.Record("G", "T", 30);
        Assert.Equal(30, rates.Tps("G", "T")); // less than a second old: per one second
        clock.Advance(TimeSpan.FromSeconds(15));
        rates.Record("G", "T", 30);
        Assert.Equal(4, rates.Tps("G", "T"));
    }

    [Fact]
    public void The_rate_covers_the_last_minute_and_falls_to_zero_when_pulls_stop()
    {
        var clock = new ManualClock();
        var rates = new ConsumeRates(clock);
        // 100 messages/s for two minutes, counted every second.
        for (var second = 0; second < 120; second++)
        {
            rates.Record("G", "T", 100);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.InRange(rates.Tps("G", "T"), 95, 105);

        // Then 10/s for a minute: the old rate has left the window.
        for (var second = 0; second < 70; second++)
        {
            rates.Record("G", "T", 10);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.InRange(rates.Tps("G", "T"), 9, 12);

        // Idle for two minutes (nobody counts, nobody asks): nothing in the last minute.
        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(0, rates.Tps("G", "T"));
    }
}
