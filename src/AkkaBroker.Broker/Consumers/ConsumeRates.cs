using System.Collections.Concurrent;

namespace AkkaBroker.Broker.Consumers;

/// <summary>
/// Messages handed to each consumer group per topic by pulls, and the rate over about the last minute (RocketMQ's
/// GROUP_GET_NUMS statistic, which GET_CONSUME_STATS reports as consumeTps). Counting is one interlocked add on the
/// pull path; a snapshot of the count is kept at most every 10 s, taken by whoever counts or asks next, so an idle
/// group costs nothing. Any thread.
/// </summary>
public sealed class ConsumeRates
{
    private static readonly long SnapshotEvery = TimeSpan.FromSeconds(10).Ticks;
    private static readonly long Window = TimeSpan.FromMinutes(1).Ticks;
    private readonly ConcurrentDictionary<(string Group, string Topic), Rate> _rates = new();
    private readonly TimeProvider _time;

    /// <summary>Creates an empty table on <paramref name="time"/> (the system clock by default).</summary>
    public ConsumeRates(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <summary>Counts <paramref name="messages"/> pulled by <paramref name="group"/> from <paramref name="topic"/>.</summary>
    public void Record(string group, string topic, int messages)
    {
        if (messages <= 0) return;
        var now = Now();
        var rate = _rates.GetOrAdd((group, topic), static (_, start) => new Rate(start), now);
        rate.Add(messages, now);
    }

    /// <summary>
    /// Messages per second that <paramref name="group"/> pulled from <paramref name="topic"/> over the last minute
    /// (over its whole life when younger than that, at least one second); 0 when it never pulled any.
    /// </summary>
    public double Tps(string group, string topic) => _rates.TryGetValue((group, topic), out var rate) ? rate.Tps(Now()) : 0;

    private long Now() => _time.GetUtcNow().UtcTicks;

    private sealed class Rate
    {
        // (time, count before that time); the first is the moment counting began, with 0.
        private readonly List<(long Ticks, long Count)> _snapshots;
        private long _count;
        private long _lastSnapshot;

        public Rate(long start)
        {
            _snapshots = [(start, 0)];
            _lastSnapshot = start;
        }

        public void Add(int messages, long now)
        {
            // The snapshot is taken before adding, so these messages fall inside every window that ends after now.
            if (now - Volatile.Read(ref _lastSnapshot) >= SnapshotEvery) Roll(now);
            Interlocked.Add(ref _count, messages);
        }

        public double Tps(long now)
        {
            lock (_snapshots)
            {
                RollLocked(now);
                var (ticks, count) = Base(now);
                var seconds = Math.Max(TimeSpan.FromTicks(now - ticks).TotalSeconds, 1);
                return (Interlocked.Read(ref _count) - count) / seconds;
            }
        }

        private void Roll(long now)
        {
            lock (_snapshots) RollLocked(now);
        }

        private void RollLocked(long now)
        {
            if (now - _lastSnapshot < SnapshotEvery) return;
            _snapshots.Add((now, Interlocked.Read(ref _count)));
            Volatile.Write(ref _lastSnapshot, now);
            var start = now - Window;
            var drop = 0;
            while (drop + 1 < _snapshots.Count && _snapshots[drop].Ticks < start) drop++;
            if (drop > 0) _snapshots.RemoveRange(0, drop);
        }

        // The oldest snapshot inside the last minute (there always is one after a roll): a window of 50-60 s while
        // pulls go on, the whole life of a younger counter, and nothing but the present after a long pause.
        private (long Ticks, long Count) Base(long now)
        {
            var start = now - Window;
            foreach (var snapshot in _snapshots)
            {
                if (snapshot.Ticks >= start) return snapshot;
            }

            return _snapshots[^1];
        }
    }
}
