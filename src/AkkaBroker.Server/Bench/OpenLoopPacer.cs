using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AkkaBroker.Server.Bench;

/// <summary>
/// Starts sends on a fixed schedule for <c>bench producer --rate</c>. One thread keeps the schedule, sleeping with
/// nanosleep between sends: Task.Delay rounds up to whole milliseconds, so a schedule of sends 70 us apart kept with
/// it started most sends a millisecond late, and since latency counts from the scheduled moment, that lateness of
/// the tool itself showed up as broker latency (p50 1.2 ms at 30% load). At most <c>maxInFlight</c> sends run at
/// once; one that must wait for a slot starts late, and that lateness is counted (coordinated omission).
/// </summary>
internal static partial class OpenLoopPacer
{
    /// <summary>
    /// Calls <paramref name="send"/>(scheduled timestamp, sequence number) <paramref name="perSecond"/> times a second
    /// from <paramref name="start"/> until <paramref name="stop"/> is cancelled; completes when the last send has.
    /// </summary>
    public static Task RunAsync(double perSecond, int maxInFlight, long start, CancellationToken stop, Func<long, long, Task> send)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxInFlight);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slots = new SemaphoreSlim(maxInFlight, maxInFlight);
        var interval = Stopwatch.Frequency / perSecond;
        var pacer = new Thread(() =>
        {
            try
            {
                for (long i = 0; !stop.IsCancellationRequested; i++)
                {
                    var due = start + (long)(i * interval);
                    var wait = due - Stopwatch.GetTimestamp();
                    if (wait > 0) Sleep(wait);
                    try
                    {
                        slots.Wait(stop);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }

                    _ = Release(send(due, i), slots);
                }

                // The sends still running finish before the run reports.
                for (var k = 0; k < maxInFlight; k++) slots.Wait();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        })
        {
            IsBackground = true,
            Name = "bench-pacer",
        };
        pacer.Start();
        return done.Task;
    }

    private static async Task Release(Task send, SemaphoreSlim slots)
    {
        try
        {
            await send.ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }

    /// <summary>Sleeps about <paramref name="stopwatchTicks"/> (nanosleep where there is one: Thread.Sleep rounds up to milliseconds).</summary>
    internal static void Sleep(long stopwatchTicks)
    {
        var nanos = (long)(stopwatchTicks * (1e9 / Stopwatch.Frequency));
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            Thread.Sleep(TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, nanos / 100)));
            return;
        }

        var request = new TimeSpec { Seconds = nanos / 1_000_000_000, Nanoseconds = nanos % 1_000_000_000 };
        _ = NanoSleep(ref request, IntPtr.Zero);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "nanosleep")]
    private static extern int NanoSleep(ref TimeSpec request, IntPtr remaining);
}
