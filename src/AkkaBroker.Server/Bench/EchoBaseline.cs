using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AkkaBroker.Common.Metrics;

namespace AkkaBroker.Server.Bench;

/// <summary>
/// <c>akkabroker bench echo</c>: the open-loop floor of this machine, with no broker. Frames of <c>--size</c> bytes go
/// over one loopback TCP connection to an echo loop in the same process, started by the same pacer as
/// <c>bench producer --rate</c> and measured the same way (from each send's scheduled moment, so the pacer's own
/// lateness counts). The thread hops are the producer's (the pacer queues, one send loop writes everything queued in
/// one <c>send()</c>, a read loop completes the waiting sends), with no encoding and an echo that does no work at all,
/// so no broker answering over TCP can beat this latency on the same machine: it is what the open-loop target is read
/// against. (A <c>send()</c> per frame from the pacer thread fell behind at 60k frames/s.)
/// </summary>
internal static class EchoBaseline
{
    public static Command Create()
    {
        var rate = new Option<int>("--rate") { Description = "frames/s to attempt", DefaultValueFactory = _ => 10_000 };
        var size = new Option<int>("--size") { Description = "frame size in bytes", DefaultValueFactory = _ => 1024 };
        var threads = new Option<int>("--threads") { Description = "most frames in flight at once (as bench producer's --threads)", DefaultValueFactory = _ => 64 };
        var duration = new Option<int>("--duration") { Description = "seconds to measure", DefaultValueFactory = _ => 20 };
        var json = new Option<bool>("--json") { Description = "print the result as a JSON line" };
        var warmup = BenchCommand.WarmupOption("seconds of load before measuring starts; not counted in the figures");
        var command = new Command("echo",
            "Measure the open-loop latency of a bare loopback TCP echo at a rate (no broker): the floor a broker's figures are read against.")
        {
            rate, size, threads, duration, json, warmup,
        };
        command.SetAction((r, ct) => RunAsync(new BenchCommand.Settings("", "echo", r.GetValue(threads), r.GetValue(size), 1, r.GetValue(duration),
            r.GetValue(rate), false, null, 1, r.GetValue(json), r.GetValue(warmup)), ct));
        return command;
    }

    private static async Task<int> RunAsync(BenchCommand.Settings s, CancellationToken ct)
    {
        if (s.Rate < 1 || s.Size < 1 || s.Threads < 1 || s.Duration < 1 || s.Warmup < 0)
        {
            await Console.Error.WriteLineAsync("akkabroker bench echo: --rate, --size, --threads and --duration must be positive, --warmup not negative");
            return 2;
        }

        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accepting = listener.AcceptAsync(ct);
        await client.ConnectAsync(listener.LocalEndPoint!, ct);
        using var server = await accepting;
        server.NoDelay = true;
        var echo = Task.Run(() => EchoAsync(server), CancellationToken.None);

        // Echo keeps order on one connection, so the n-th frame back answers the n-th frame sent.
        var waiting = new ConcurrentQueue<TaskCompletionSource>();
        var replies = Task.Run(() => CompleteRepliesAsync(client, s.Size, waiting), CancellationToken.None);
        // Frames are all zeros, so frames queued together go out as one slice of this.
        var zeros = new byte[Math.Max(s.Size, 256 * 1024)];
        long queued = 0;
        var wake = new SemaphoreSlim(0);
        using var finished = new CancellationTokenSource();

        // Sends every frame queued since the last send in one call, until the run is finished.
        async Task SendQueuedAsync()
        {
            var perCall = zeros.Length / s.Size;
            try
            {
                while (true)
                {
                    await wake.WaitAsync(finished.Token).ConfigureAwait(false);
                    for (var n = Volatile.Read(ref queued); n > 0; n = Interlocked.Add(ref queued, -n))
                    {
                        n = Math.Min(n, perCall);
                        await SendAllAsync(client, zeros.AsMemory(0, (int)n * s.Size)).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        var sending = Task.Run(SendQueuedAsync, CancellationToken.None);
        var total = new LatencyHistogram();
        var split = new OpenLoopBreakdown();
        long answered = 0;
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + s.Warmup * Stopwatch.Frequency;

        async Task SendOnceAsync(long due)
        {
            var lag = LatencyHistogram.MicrosSince(due);
            var reply = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            // Only the pacer thread gets here, so the queue's order is the order of the frames.
            waiting.Enqueue(reply);
            if (Interlocked.Increment(ref queued) == 1) wake.Release();

            await reply.Task.ConfigureAwait(false);
            var micros = LatencyHistogram.MicrosSince(due);
            if (due < measureFrom) return;
            total.Record(micros);
            split.Record(lag, micros);
            Interlocked.Increment(ref answered);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pacing = OpenLoopPacer.RunAsync(s.Rate, s.Threads, start, stop.Token, (due, _) => SendOnceAsync(due));
        await BenchCommand.RunForAsync(s.Warmup + s.Duration, ct);
        await stop.CancelAsync();
        await pacing;
        var elapsed = BenchCommand.MeasuredSeconds(measureFrom);
        await finished.CancelAsync();
        await sending;
        client.Shutdown(SocketShutdown.Both);
        await Task.WhenAll(echo, replies);
        BenchCommand.Print(s, "total", Interlocked.Read(ref answered), 0, elapsed, total, split);
        return 0;
    }

    // A send() may take only part of what it is given.
    private static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> bytes)
    {
        for (var sent = 0; sent < bytes.Length;) sent += await socket.SendAsync(bytes[sent..], SocketFlags.None).ConfigureAwait(false);
    }

    // Sends back whatever arrives, until the peer closes.
    private static async Task EchoAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false)) > 0)
            {
                await SendAllAsync(socket, buffer.AsMemory(0, n)).ConfigureAwait(false);
            }
        }
        catch (SocketException)
        {
        }
    }

    // Completes one waiting send per frameSize bytes received, until the connection closes.
    private static async Task CompleteRepliesAsync(Socket socket, int frameSize, ConcurrentQueue<TaskCompletionSource> waiting)
    {
        var buffer = new byte[64 * 1024];
        long pending = 0;
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false)) > 0)
            {
                for (pending += n; pending >= frameSize; pending -= frameSize)
                {
                    if (waiting.TryDequeue(out var reply)) reply.TrySetResult();
                }
            }
        }
        catch (SocketException)
        {
        }
    }
}
