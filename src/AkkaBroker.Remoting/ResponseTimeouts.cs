using System.Collections.Concurrent;
using System.Diagnostics;

namespace AkkaBroker.Remoting;

/// <summary>
/// Fails invocations whose response is overdue. One timer for the process looks over the waiting calls of every
/// connection every <see cref="Period"/>, as RocketMQ's remoting scans its response table (once a second there),
/// instead of a timer per call: <c>Task.WaitAsync(timeout)</c> made a timer and a promise for every request (about
/// 200 B) and took the timer queue's lock twice. A timeout therefore fires up to one period late. The timer runs
/// only while some call waits, so an idle process is not woken.
/// </summary>
internal static class ResponseTimeouts
{
    /// <summary>How often waiting calls are checked.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(10);

    private static readonly ConcurrentDictionary<RemotingConnection, byte> Connections = new();
    private static readonly Lock Gate = new();
    private static readonly Timer Ticker = new(_ => Tick(), null, Timeout.Infinite, Timeout.Infinite);
    private static int s_running;

    /// <summary>The stopwatch timestamp after which a call made now with <paramref name="timeout"/> has timed out.</summary>
    public static long DeadlineAfter(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan) return long.MaxValue;
        var ticks = timeout.TotalSeconds * Stopwatch.Frequency;
        var now = Stopwatch.GetTimestamp();
        return ticks >= long.MaxValue - now ? long.MaxValue : now + (long)ticks;
    }

    /// <summary>Makes sure overdue calls of <paramref name="connection"/> get failed; call after registering one.</summary>
    public static void Watch(RemotingConnection connection)
    {
        Connections.TryAdd(connection, 0);
        // Pairs with the fence in Tick: either the tick that stops sees this call, or this sees that it stopped.
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref s_running) == 1) return;
        lock (Gate)
        {
            if (s_running == 1) return;
            s_running = 1;
            Ticker.Change(Period, Period);
        }
    }

    private static void Tick()
    {
        var now = Stopwatch.GetTimestamp();
        var waiting = false;
        foreach (var (connection, _) in Connections)
        {
            if (connection.ExpireOverdue(now))
            {
                waiting = true;
                continue;
            }

            // Nothing waits here (a closed connection's calls have all failed): stop looking at it. A call made between
            // the look and the removal is seen here, since it registered before Watch.
            Connections.TryRemove(connection, out _);
            if (connection.PendingCount > 0 && Connections.TryAdd(connection, 0)) waiting = true;
        }

        if (waiting) return;
        lock (Gate)
        {
            Volatile.Write(ref s_running, 0);
            Interlocked.MemoryBarrier();
            if (!Connections.IsEmpty)
            {
                s_running = 1; // a call came in meanwhile; keep going
                return;
            }

            Ticker.Change(Timeout.Infinite, Timeout.Infinite);
        }
    }
}
