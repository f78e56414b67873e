using System.Collections.Concurrent;
using System.Diagnostics;

namespace AkkaBroker.Remoting;

/// <summary>
/// Fails invocations whose response is overdue. One timer for the process looks over the waiting calls of every
/// connection, as RocketMQ's remoting scans its response table, instead of a timer per call:
/// <c>Task.WaitAsync(timeout)</c> made a timer and a promise for every request (about 200 B) and took the timer
/// queue's lock twice. The timer is armed for the earliest deadline of the calls still waiting, so a process whose
/// calls are answered in time (or whose only call is a long poll) is hardly woken by it; a new call re-arms it only
/// when its deadline comes sooner, which calls made with the same timeout never do. Ticks are at least
/// <see cref="Period"/> apart, so a timeout fires up to that much late, never early.
/// </summary>
internal sealed class ResponseTimeouts
{
    /// <summary>The shortest time between two looks, which is also how late a timeout may fire.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(10);

    // A deadline further out is looked at again after this long (Timer takes at most about 49 days).
    private static readonly long MaxWait = Stopwatch.Frequency * 3600;

    private readonly ConcurrentDictionary<RemotingConnection, byte> _connections = new();
    private readonly Lock _gate = new();
    private readonly ITimer _timer;

    // When the timer fires next (a stopwatch timestamp); long.MaxValue while disarmed or while a tick looks.
    private long _armedFor = long.MaxValue;
    private long _ticks;

    /// <summary>A separate instance (tests); connections use <see cref="Shared"/> unless their options say otherwise.</summary>
    internal ResponseTimeouts() =>
        _timer = TimeProvider.System.CreateTimer(static s => ((ResponseTimeouts)s!).Tick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    /// <summary>The process-wide instance.</summary>
    public static ResponseTimeouts Shared { get; } = new();

    /// <summary>How many times the timer has fired (tests check that it is not woken for nothing).</summary>
    internal long Ticks => Interlocked.Read(ref _ticks);

    /// <summary>The stopwatch timestamp after which a call made now with <paramref name="timeout"/> has timed out.</summary>
    public static long DeadlineAfter(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan) return long.MaxValue;
        var ticks = timeout.TotalSeconds * Stopwatch.Frequency;
        var now = Stopwatch.GetTimestamp();
        return ticks >= long.MaxValue - now ? long.MaxValue : now + (long)ticks;
    }

    /// <summary>
    /// Makes sure a call of <paramref name="connection"/> that times out at <paramref name="deadline"/> gets failed;
    /// call after registering it with the connection.
    /// </summary>
    public void Watch(RemotingConnection connection, long deadline)
    {
        _connections.TryAdd(connection, 0);
        // Pairs with the fence in Tick: either the tick's look sees this call, or this sees the tick's long.MaxValue
        // and waits for the tick to finish before comparing again.
        Interlocked.MemoryBarrier();
        if (deadline >= Volatile.Read(ref _armedFor)) return;
        lock (_gate)
        {
            if (deadline < _armedFor) Arm(deadline, Stopwatch.GetTimestamp());
        }
    }

    private void Tick()
    {
        Interlocked.Increment(ref _ticks);
        lock (_gate)
        {
            Volatile.Write(ref _armedFor, long.MaxValue);
            Interlocked.MemoryBarrier();
            var now = Stopwatch.GetTimestamp();
            var earliest = long.MaxValue;
            foreach (var (connection, _) in _connections)
            {
                var next = connection.ExpireOverdue(now);
                if (next == long.MaxValue)
                {
                    // Nothing waits here (a closed connection's calls have all failed): stop looking at it. A call made
                    // between the look and the removal is seen here, since it registered before Watch.
                    _connections.TryRemove(connection, out _);
                    if (connection.PendingCount == 0 || !_connections.TryAdd(connection, 0)) continue;
                    next = connection.ExpireOverdue(now);
                }

                earliest = Math.Min(earliest, next);
            }

            if (earliest != long.MaxValue) Arm(earliest, now);
        }
    }

    // Under _gate.
    private void Arm(long deadline, long now)
    {
        var wait = Math.Clamp(deadline - now, (long)(Period.TotalSeconds * Stopwatch.Frequency), MaxWait);
        Volatile.Write(ref _armedFor, now + wait);
        // Rounded up to whole milliseconds, so the timer never fires before the deadline.
        _timer.Change(TimeSpan.FromMilliseconds(Math.Ceiling(wait * 1000.0 / Stopwatch.Frequency)), Timeout.InfiniteTimeSpan);
    }
}
