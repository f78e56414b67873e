using AkkaBroker.Broker.Storage;

namespace AkkaBroker.Broker.Tests;

/// <summary>The put and get rates GET_BROKER_RUNTIME_INFO reports under RocketMQ's keys.</summary>
public sealed class TrafficRatesTests
{
    private static readonly string[] Keys = ["putTps", "getFoundTps", "getMissTps", "getTransferedTps", "getTotalTps"];

    [Fact]
    public void An_idle_broker_reports_zeros_for_every_key_and_window()
    {
        var clock = new ManualClock();
        var rates = new TrafficRates(clock);
        clock.Advance(TimeSpan.FromMinutes(20));
        var table = Table(rates);
        Assert.Equal(Keys, table.Keys.Take(Keys.Length));
        Assert.All(Keys, k => Assert.Equal("0.00 0.00 0.00", table[k]));
        Assert.All(table.Keys.Skip(Keys.Length), k => Assert.Equal("0", table[k]));
    }

    [Fact]
    public void Gets_count_found_reads_missed_reads_and_messages_apart()
    {
        var rates = new TrafficRates(new ManualClock());
        rates.Got(5);
        rates.Got(0);
        rates.Got(3);
        rates.Put(7);

        // Younger than a second: per one second.
        var table = Table(rates);
        Assert.Equal("7.00 7.00 7.00", table["putTps"]);
        Assert.Equal("2.00 2.00 2.00", table["getFoundTps"]);
        Assert.Equal("1.00 1.00 1.00", table["getMissTps"]);
        Assert.Equal("8.00 8.00 8.00", table["getTransferedTps"]);
        Assert.Equal("3.00 3.00 3.00", table["getTotalTps"]);
    }

    [Fact]
    public void Steady_load_gives_its_rate_in_every_window_and_stopping_empties_the_short_one_first()
    {
        var clock = new ManualClock();
        var rates = new TrafficRates(clock);
        // 100 messages/s for 11 minutes, counted every second.
        for (var second = 0; second < 660; second++)
        {
            rates.Put(100);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal("100.00 100.00 100.00", Table(rates)["putTps"]);

        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("0.00 50.00 95.00", Table(rates)["putTps"]);
    }

    [Fact]
    public void A_young_broker_divides_by_its_age()
    {
        var clock = new ManualClock();
        var rates = new TrafficRates(clock);
        rates.Put(30);
        clock.Advance(TimeSpan.FromSeconds(15));
        rates.Put(30);
        // The first 30 fell before the last 10 s; the minute and 10 minutes cover the broker's 15 s of life.
        Assert.Equal("3.00 4.00 4.00", Table(rates)["putTps"]);
    }

    [Fact]
    public void A_burst_after_a_long_idle_spell_is_not_spread_over_the_spell()
    {
        var clock = new ManualClock();
        var rates = new TrafficRates(clock);
        rates.Put(600);
        clock.Advance(TimeSpan.FromHours(1));
        rates.Put(100);
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal("10.00 1.67 0.17", Table(rates)["putTps"]);
    }

    [Fact]
    public void Day_totals_are_taken_at_local_midnight_as_Javas_BrokerStats_does()
    {
        var clock = new ManualClock(); // starts at midnight UTC
        var rates = new TrafficRates(clock);
        clock.Advance(TimeSpan.FromHours(1));
        rates.Put(10);
        rates.Got(4);
        clock.Advance(TimeSpan.FromHours(11));
        Assert.Equal(("0", "0", "10"), Totals(rates, "Put")); // booted today: both mornings 0, as in Java
        Assert.Equal(("0", "0", "4"), Totals(rates, "Get"));

        clock.Advance(TimeSpan.FromHours(18)); // 06:00 the next day
        rates.Put(20);
        Assert.Equal(("0", "10", "30"), Totals(rates, "Put"));
        Assert.Equal(("0", "4", "4"), Totals(rates, "Get"));

        // One an hour until 06:00 the day after: 17 before midnight, 7 from it on. Yesterday's morning is long out of
        // the sampled 10 minutes by then.
        for (var hour = 0; hour < 24; hour++)
        {
            clock.Advance(TimeSpan.FromHours(1));
            rates.Put(1);
        }

        Assert.Equal(("10", "47", "54"), Totals(rates, "Put"));

        // Nobody counted or asked for three days: both mornings are the totals of then.
        clock.Advance(TimeSpan.FromDays(3));
        Assert.Equal(("54", "54", "54"), Totals(rates, "Put"));
    }

    [Fact]
    public void The_day_starts_at_midnight_in_the_local_zone()
    {
        var clock = new ManualClock { Zone = TimeZoneInfo.CreateCustomTimeZone("UTC+5", TimeSpan.FromHours(5), "UTC+5", "UTC+5") };
        var rates = new TrafficRates(clock); // 05:00 local
        clock.Advance(TimeSpan.FromHours(1));
        rates.Put(10);
        clock.Advance(TimeSpan.FromHours(19)); // 20:00 UTC is 01:00 local the next day
        Assert.Equal(("0", "10", "10"), Totals(rates, "Put"));
    }

    // msg<kind>TotalYesterdayMorning, ...TodayMorning and ...TodayNow, for kind Put or Get.
    private static (string Yesterday, string Today, string Now) Totals(TrafficRates rates, string kind)
    {
        var table = Table(rates);
        return (table[$"msg{kind}TotalYesterdayMorning"], table[$"msg{kind}TotalTodayMorning"], table[$"msg{kind}TotalTodayNow"]);
    }

    private static Dictionary<string, string> Table(TrafficRates rates)
    {
        var table = new Dictionary<string, string>();
        rates.AddTo(table);
        return table;
    }
}
