using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using AkkaBroker.Protocol.Remoting;

namespace AkkaBroker.Remoting.Tests;

/// <summary>A server on 127.0.0.1 port 0 with a processor table, and helpers for clients and raw sockets.</summary>
internal sealed class RemotingTestServer : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private readonly List<IAsyncDisposable> _owned = [];

    private RemotingTestServer(RequestProcessorTable table, RemotingServer server)
    {
        Table = table;
        Server = server;
    }

    public RequestProcessorTable Table { get; }

    public RemotingServer Server { get; }

    public int Port => Server.EndPoint!.Port;

    public static async Task<RemotingTestServer> StartAsync(Action<RequestProcessorTable>? configure = null, RemotingOptions? options = null)
    {
        var table = new RequestProcessorTable();
        configure?.Invoke(table);
        var server = new RemotingServer(table.Handler, options);
        await server.StartAsync(new IPEndPoint(IPAddress.Loopback, 0));
        return new RemotingTestServer(table, server);
    }

    public async Task<RemotingConnection> ConnectAsync(RemotingOptions? options = null)
    {
        var connection = await RemotingClient.OpenAsync("127.0.0.1", Port, options);
        _owned.Add(connection);
        return connection;
    }

    public async Task<Socket> ConnectRawAsync()
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, Port);
        return socket;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned) await owned.DisposeAsync();
        await Server.DisposeAsync();
        await Table.DisposeAsync();
    }

    /// <summary>Reads one frame from a raw socket; null when the peer closed first.</summary>
    public static async Task<RemotingCommand?> ReadFrameAsync(PipeReader reader)
    {
        while (true)
        {
            var result = await reader.ReadAsync().AsTask().WaitAsync(Deadline);
            var buffer = result.Buffer;
            var status = RemotingCodec.TryReadFrame(ref buffer, out var command, out var error);
            Assert.NotEqual(FrameReadStatus.Malformed, status);
            if (status == FrameReadStatus.Complete)
            {
                // Only the frame is examined: the rest of the buffer may already hold the next frames.
                reader.AdvanceTo(buffer.Start);
                return command;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted) return null;
        }
    }

    /// <summary>Waits (with the deadline) until the peer closes the raw socket; fails if data arrives instead.</summary>
    public static async Task AssertClosedByPeerAsync(Socket socket)
    {
        var buffer = new byte[1024];
        using var timeout = new CancellationTokenSource(Deadline);
        try
        {
            Assert.Equal(0, await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
    }

    public static RemotingCommand Request(int code, string? n = null, SerializeType type = SerializeType.Json)
    {
        var request = RemotingCommand.CreateRequest(code);
        request.SerializeType = type;
        if (n is not null) request.SetExtField("n", n);
        return request;
    }

    public static RemotingCommand Echo(RemotingCommand request) =>
        RemotingCommand.CreateResponse(request, ResponseCode.Success, request.GetExtField("n"));

    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met before the deadline");
            await Task.Delay(10);
        }
    }
}
