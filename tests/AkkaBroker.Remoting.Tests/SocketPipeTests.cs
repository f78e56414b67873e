using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using AkkaBroker.Protocol.Remoting;
using static AkkaBroker.Remoting.Tests.RemotingTestServer;

namespace AkkaBroker.Remoting.Tests;

/// <summary>The socket transport's own send loop: what a close leaves unsent, backpressure, send failures.</summary>
public sealed class SocketPipeTests
{
    private static async Task<(RemotingConnection Connection, Socket Peer)> ConnectToRawPeerAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var accepting = listener.AcceptSocketAsync();
            var connection = await RemotingClient.OpenAsync("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port);
            return (connection, await accepting.WaitAsync(Deadline));
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Frames_whose_send_completed_reach_the_peer_even_when_the_connection_closes_at_once()
    {
        var (connection, peer) = await ConnectToRawPeerAsync();
        using var _ = peer;
        // The peer reads nothing yet: the socket buffers fill, then the pipe up to its threshold, and then one send
        // waits. Every send before it has completed, though a megabyte or so of them is still in the pipe.
        var body = new byte[64 * 1024];
        var sends = new List<Task>();
        for (var i = 0; i < 2000 && sends.All(s => s.IsCompleted); i++)
        {
            var request = Request(100, i.ToString());
            request.Body = body;
            sends.Add(connection.InvokeOnewayAsync(request).AsTask());
            if (!sends[^1].IsCompleted) await Task.Delay(100);
        }

        Assert.False(sends[^1].IsCompleted, "no send waited though the peer reads nothing");
        var completed = sends.Count - 1;
        var closing = connection.DisposeAsync().AsTask();

        var reader = PipeReader.Create(new NetworkStream(peer));
        var received = new List<string?>();
        while (await ReadFrameAsync(reader) is { } frame) received.Add(frame.GetExtField("n"));
        await closing.WaitAsync(Deadline);
        Assert.True(received.Count >= completed, $"{completed} sends completed, {received.Count} frames arrived");
        Assert.Equal(Enumerable.Range(0, completed).Select(i => i.ToString()), received.Take(completed));
    }

    [Fact]
    public async Task A_peer_that_stops_reading_makes_senders_wait_and_a_close_releases_them()
    {
        var (connection, peer) = await ConnectToRawPeerAsync();
        using var _ = peer;
        var body = new byte[256 * 1024];
        var sent = 0;
        ValueTask blocked = default;
        // Socket buffers plus the pipe's threshold hold a bounded amount; past it a send must not complete.
        for (var i = 0; i < 400; i++)
        {
            var request = Request(100);
            request.Body = body;
            blocked = connection.InvokeOnewayAsync(request);
            if (!blocked.IsCompleted)
            {
                await Task.Delay(200);
                if (!blocked.IsCompleted) break;
            }

            await blocked;
            sent++;
        }

        Assert.False(blocked.IsCompleted, $"all {sent} sends of 256 KiB completed though the peer reads nothing");
        Assert.True((long)sent * body.Length < 64L * 1024 * 1024, $"{sent} sends of 256 KiB were taken before waiting");
        connection.Close("test");
        await Assert.ThrowsAsync<RemotingConnectionException>(async () => await blocked.AsTask().WaitAsync(Deadline));
        await connection.Closed.WaitAsync(Deadline);
    }

    [Fact]
    public async Task A_reset_by_the_peer_fails_the_pending_invocation_and_closes_the_connection()
    {
        var (connection, peer) = await ConnectToRawPeerAsync();
        var pending = connection.InvokeAsync(Request(100, "never answered"), Deadline * 2);
        var reader = PipeReader.Create(new NetworkStream(peer));
        Assert.NotNull(await ReadFrameAsync(reader));
        peer.LingerState = new LingerOption(true, 0);
        peer.Dispose();

        await Assert.ThrowsAsync<RemotingConnectionException>(() => pending.WaitAsync(Deadline));
        await connection.Closed.WaitAsync(Deadline);
        await Assert.ThrowsAsync<RemotingConnectionException>(async () => await connection.InvokeOnewayAsync(Request(100)));
    }

    [Fact]
    public async Task One_read_takes_in_everything_waiting_up_to_the_read_buffer()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var peer = await listener.AcceptSocketAsync().WaitAsync(Deadline);
        listener.Stop();
        await using var pipe = new SocketPipe(socket, "peer", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        // A pull response of 32 x 1 KiB messages and more, all of it already in the socket's receive buffer.
        var data = new byte[SocketPipe.ReadBufferSize - 1024];
        Random.Shared.NextBytes(data);
        await peer.SendAsync(data);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (socket.Available < data.Length && waited.Elapsed < Deadline) await Task.Delay(10);

        var result = await pipe.Input.ReadAsync().AsTask().WaitAsync(Deadline);
        Assert.Equal(data.Length, result.Buffer.Length);
        Assert.True(System.Buffers.BuffersExtensions.ToArray(result.Buffer).AsSpan().SequenceEqual(data));
        pipe.Input.AdvanceTo(result.Buffer.End);
    }
}
