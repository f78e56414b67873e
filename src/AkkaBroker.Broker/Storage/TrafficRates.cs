using System.Globalization;

namespace AkkaBroker.Broker.Storage;

/// <summary>
/// Messages put and got per second over the last 10 seconds, minute and 10 minutes: RocketMQ's runtime keys putTps,
/// getFoundTps, getMissTps, getTransferedTps and getTotalTps, which Java's <c>mqadmin clusterList</c> shows as
/// InTPS/OutTPS (the first of the three figures); and the day totals msgPutTotal*/msgGetTotal* that its
/// <c>clusterList -m</c> shows, counted from local midnight as Java's BrokerStats does (not kept across restarts,
/// like Java's). Counting is one interlocked add; a snapshot of the counters is taken at most once a second by whoever
/// counts or asks, so an idle broker does no sampling work. Any thread.
/// </summary>
public sealed class TrafficRates
{
    private static readonly long SampleEvery = TimeSpan.FromSeconds(1).Ticks;
    private static readonly int[] WindowSeconds = [10, 60, 600];
    private static readonly long Kept = TimeSpan.FromSeconds(600).Ticks;

    private readonly TimeProvider _time;
    private readonly List<Snapshot> _snapshots;
    private long _lastSnapshot;
    private long _nextMidnight;
    private Counts _todayMorning;
    private Counts _yesterdayMorning;
    private long _put;
    private long _found;
    private long _miss;
    private long _transferred;

    /// <summary>Starts counting now on <paramref name="time"/> (the system clock by default).</summary>
    public TrafficRates(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _lastSnapshot = Now();
        _snapshots = [new Snapshot(_lastSnapshot, default)];
        _nextMidnight = NextMidnight(_lastSnapshot);
    }

    /// <summary>Counts <paramref name="messages"/> stored by one send request.</summary>
    public void Put(int messages)
    {
        MaybeSample();
        Interlocked.Add(ref _put, messages);
    }

    /// <summary>Counts one read of a queue for a pull: found with <paramref name="messages"/> messages, or a miss when 0.</summary>
    public void Got(int messages)
    {
        MaybeSample();
        if (messages > 0)
        {
            Interlocked.Increment(ref _found);
            Interlocked.Add(ref _transferred, messages);
        }
        else
        {
            Interlocked.Increment(ref _miss);
        }
    }

    /// <summary>
    /// Adds putTps, getFoundTps, getMissTps, getTransferedTps and getTotalTps, each "&lt;10 s&gt; &lt;1 min&gt; &lt;10 min&gt;"
    /// per second with two decimals. A window longer than the broker's life is its whole life (at least one second),
    /// where Java leaves the figure empty, which its own clusterList then fails to parse. Also adds the messages put and
    /// got (transferred) in total at yesterday's and this morning's local midnight and now: msgPutTotalYesterdayMorning,
    /// msgPutTotalTodayMorning, msgPutTotalTodayNow and the three msgGetTotal* keys.
    /// </summary>
    public void AddTo(IDictionary<string, string> table)
    {
        var now = Now();
        var windows = new Counts[WindowSeconds.Length];
        Counts today, yesterday, total;
        lock (_snapshots)
        {
            SampleLocked(now);
            var current = new Snapshot(now, Read());
            (today, yesterday, total) = (_todayMorning, _yesterdayMorning, current.Counts);
            for (var i = 0; i < WindowSeconds.Length; i++)
            {
                var from = Math.Max(now - TimeSpan.FromSeconds(WindowSeconds[i]).Ticks, _snapshots[0].Ticks);
                windows[i] = (current.Counts - CountsAt(from, current)) / Math.Max(TimeSpan.FromTicks(now - from).TotalSeconds, 1);
            }
        }

        table["putTps"] = Format(windows, w => w.Put);
        table["getFoundTps"] = Format(windows, w => w.Found);
        table["getMissTps"] = Format(windows, w => w.Miss);
        table["getTransferedTps"] = Format(windows, w => w.Transferred);
        table["getTotalTps"] = Format(windows, w => w.Found + w.Miss);
        table["msgPutTotalYesterdayMorning"] = Total(yesterday.Put);
        table["msgPutTotalTodayMorning"] = Total(today.Put);
        table["msgPutTotalTodayNow"] = Total(total.Put);
        table["msgGetTotalYesterdayMorning"] = Total(yesterday.Transferred);
        table["msgGetTotalTodayMorning"] = Total(today.Transferred);
        table["msgGetTotalTodayNow"] = Total(total.Transferred);
    }

    private static string Total(double count) => ((long)Math.Round(count)).ToString(CultureInfo.InvariantCulture);

    private static string Format(Counts[] windows, Func<Counts, double> rate) =>
        string.Join(' ', windows.Select(w => rate(w).ToString("0.00", CultureInfo.InvariantCulture)));

    private long Now() => _time.GetUtcNow().UtcTicks;

    private Counts Read() => new(Interlocked.Read(ref _put), Interlocked.Read(ref _found), Interlocked.Read(ref _miss), Interlocked.Read(ref _transferred));

    private void MaybeSample()
    {
        var now = Now();
        if (now - Volatile.Read(ref _lastSnapshot) < SampleEvery) return;
        lock (_snapshots) SampleLocked(now);
    }

    // Taken before the caller adds its own count, so what is counted from now on falls inside every window ending later.
    private void SampleLocked(long now)
    {
        if (now >= _nextMidnight) RollDay(now);
        if (now - _lastSnapshot < SampleEvery) return;
        _snapshots.Add(new Snapshot(now, Read()));
        Volatile.Write(ref _lastSnapshot, now);
        // The newest snapshot older than the longest window stays: it is that window's base.
        var drop = 0;
        while (drop + 1 < _snapshots.Count && _snapshots[drop + 1].Ticks <= now - Kept) drop++;
        if (drop > 0) _snapshots.RemoveRange(0, drop);
    }

    // Java's BrokerStats.record at local midnight: the totals at this morning's and yesterday's midnight. Done by the
    // first sample after midnight, with the counts there interpolated like any window's start.
    private void RollDay(long now)
    {
        var current = new Snapshot(now, Read());
        var today = LocalMidnight(now, 0);
        var yesterday = LocalMidnight(now, -1);
        // Yesterday's midnight passed a day ago and its snapshots are gone; unless no count or question came for a
        // whole day (then its counts are still those of the last snapshot), the last roll kept them.
        _yesterdayMorning = today == _nextMidnight ? _todayMorning : CountsAt(yesterday, current);
        _todayMorning = CountsAt(today, current);
        _nextMidnight = NextMidnight(now);
    }

    private long NextMidnight(long now) => LocalMidnight(now, 1);

    // UTC ticks of the local midnight that starts the day <paramref name="days"/> from the one holding <paramref name="utcTicks"/>.
    private long LocalMidnight(long utcTicks, int days)
    {
        var zone = _time.LocalTimeZone;
        var date = TimeZoneInfo.ConvertTime(new DateTimeOffset(utcTicks, TimeSpan.Zero), zone).Date.AddDays(days);
        return new DateTimeOffset(date, zone.GetUtcOffset(date)).UtcTicks;
    }

    // The counters at <paramref name="at"/>. A count a second or more after a snapshot takes the next one first, so
    // whatever was counted between two snapshots was counted within a second of the earlier: interpolating over that
    // second is exact under steady load and keeps an idle gap's few counts out of a window that starts later.
    private Counts CountsAt(long at, Snapshot current)
    {
        var before = _snapshots[0];
        var after = current;
        foreach (var snapshot in _snapshots)
        {
            if (snapshot.Ticks > at)
            {
                after = snapshot;
                break;
            }

            before = snapshot;
        }

        var span = Math.Min(after.Ticks - before.Ticks, SampleEvery);
        var f = span <= 0 ? 0 : Math.Clamp((double)(at - before.Ticks) / span, 0, 1);
        return before.Counts + ((after.Counts - before.Counts) * f);
    }

    // Counter values, or their rates per second (so doubles: exact for any count a broker reaches).
    private readonly record struct Counts(double Put, double Found, double Miss, double Transferred)
    {
        public static Counts operator +(Counts a, Counts b) => new(a.Put + b.Put, a.Found + b.Found, a.Miss + b.Miss, a.Transferred + b.Transferred);

        public static Counts operator -(Counts a, Counts b) => new(a.Put - b.Put, a.Found - b.Found, a.Miss - b.Miss, a.Transferred - b.Transferred);

        public static Counts operator *(Counts a, double k) => new(a.Put * k, a.Found * k, a.Miss * k, a.Transferred * k);

        public static Counts operator /(Counts a, double k) => new(a.Put / k, a.Found / k, a.Miss / k, a.Transferred / k);
    }

    private readonly record struct Snapshot(long Ticks, Counts Counts);
}
