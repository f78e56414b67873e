using System.IO.Pipelines;
using AkkaBroker.Protocol.Remoting;
using static AkkaBroker.Remoting.Tests.RemotingTestServer;

namespace AkkaBroker.Remoting.Tests;

/// <summary>The connection over in-memory pipes, as Kestrel will hand it its transport.</summary>
public sealed class PipeConnectionTests
{
    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }

    private static (RemotingConnection Server, RemotingConnection Client) Connect(RemotingRequestHandler handler)
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        var server = new RemotingConnection(new DuplexPipe(toServer.Reader, toClient.Writer), handler, remoteAddress: "client");
        var client = new RemotingConnection(new DuplexPipe(toClient.Reader, toServer.Writer), remoteAddress: "server");
        server.Start();
        client.Start();
        return (server, client);
    }

    [Fact]
    public async Task Round_trip_over_pipes_and_closing_one_side_closes_the_other()
    {
        var (server, client) = Connect((request, _) => new(Echo(request)));

        var response = await client.InvokeAsync(Request(100, "piped", SerializeType.Rocketmq), Deadline);
        Assert.Equal("piped", response.Remark);
        Assert.Equal(SerializeType.Rocketmq, response.SerializeType);

        await server.DisposeAsync().AsTask().WaitAsync(Deadline);
        await client.Closed.WaitAsync(Deadline);
        Assert.Equal("peer closed the connection", client.CloseReason);
        await Assert.ThrowsAsync<RemotingConnectionException>(() => client.InvokeAsync(Request(100), Deadline));
    }

    [Fact]
    public async Task Client_without_handler_answers_server_requests_not_supported()
    {
        var (server, client) = Connect((request, _) => new(Echo(request)));

        // The broker calls back into clients (CHECK_TRANSACTION_STATE...); a client with no handler still answers.
        var response = await server.InvokeAsync(Request(RequestCode.CheckTransactionState), Deadline);

        Assert.Equal(ResponseCode.RequestCodeNotSupported, response.Code);
        await client.DisposeAsync();
        await server.Closed.WaitAsync(Deadline);
    }

    [Fact]
    public async Task Close_before_or_racing_start_still_completes_closed()
    {
        for (var i = 0; i < 200; i++)
        {
            var (server, client) = (new RemotingConnection(new DuplexPipe(new Pipe().Reader, new Pipe().Writer)),
                new RemotingConnection(new DuplexPipe(new Pipe().Reader, new Pipe().Writer), options: new RemotingOptions { IdleTimeout = TimeSpan.FromMinutes(1) }));
            server.Close("before start");
            server.Start();
            var closing = Task.Run(() => client.Close("racing start"));
            client.Start();
            await closing;

            await Task.WhenAll(server.Closed, client.Closed).WaitAsync(Deadline);
            Assert.Equal("before start", server.CloseReason);
            Assert.Equal("racing start", client.CloseReason);
        }
    }

    [Fact]
    public async Task A_short_call_behind_a_long_one_times_out_on_its_own_deadline_and_the_timer_then_sleeps()
    {
        var timeouts = new ResponseTimeouts();
        // Nobody answers: the frames just pile up in the pipe.
        var client = new RemotingConnection(new DuplexPipe(new Pipe().Reader, new Pipe().Writer), options: new RemotingOptions { ResponseTimeouts = timeouts });
        client.Start();
        var longCall = client.InvokeAsync(Request(100), TimeSpan.FromMinutes(5));

        var started = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAsync<RemotingTimeoutException>(() => client.InvokeAsync(Request(100), TimeSpan.FromMilliseconds(300)).WaitAsync(Deadline));
        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5));

        // Only the five-minute call waits now, so there is nothing to look at for five minutes (a fixed 10 ms period
        // ticked about 50 times here).
        var ticks = timeouts.Ticks;
        await Task.Delay(500);
        Assert.InRange(timeouts.Ticks - ticks, 0, 1);
        Assert.Equal(1, client.PendingCount);
        Assert.False(longCall.IsCompleted);

        await client.DisposeAsync();
        await Assert.ThrowsAsync<RemotingConnectionException>(() => longCall.WaitAsync(Deadline));
    }

    [Fact]
    public async Task Frame_over_the_configured_maximum_closes_the_connection()
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        await using var server = new RemotingConnection(
            new DuplexPipe(toServer.Reader, toClient.Writer), (request, _) => new(Echo(request)),
            new RemotingOptions { MaxFrameSize = 1024 });
        server.Start();
        var big = Request(100);
        big.Body = new byte[2048];

        await toServer.Writer.WriteAsync(RemotingCodec.EncodeToArray(big));

        await server.Closed.WaitAsync(Deadline);
        Assert.StartsWith("malformed frame: frame of", server.CloseReason);
    }
}
