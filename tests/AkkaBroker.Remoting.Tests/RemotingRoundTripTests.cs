using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using AkkaBroker.Protocol.Remoting;
using static AkkaBroker.Remoting.Tests.RemotingTestServer;

namespace AkkaBroker.Remoting.Tests;

public sealed class RemotingRoundTripTests
{
    private const int EchoCode = 100;
    private const int SlowEchoCode = 101;
    private const int ThrowCode = 102;

    private static void Configure(RequestProcessorTable table)
    {
        table.Register(EchoCode, (request, _) => new(Echo(request)));
        table.Register(SlowEchoCode, async (request, _) =>
        {
            await Task.Yield();
            return Echo(request);
        });
        table.Register(ThrowCode, (_, _) => throw new InvalidOperationException("processor exploded"));
    }

    [Fact]
    public async Task The_client_keeps_one_connection_per_address_and_replaces_a_closed_one()
    {
        await using var server = await StartAsync(Configure);
        await using var client = new RemotingClient();
        var address = $"127.0.0.1:{server.Port}";

        var first = await client.ConnectAsync(address);
        Assert.Same(first, await client.ConnectAsync(address));
        Assert.Same(first, await client.ConnectAsync("127.0.0.1", server.Port));
        Assert.Equal(ResponseCode.Success, (await first.InvokeAsync(Request(EchoCode, "one"), Deadline)).Code);

        first.Close("test");
        await first.Closed.WaitAsync(Deadline);
        var second = await client.ConnectAsync(address);
        Assert.NotSame(first, second);
        Assert.False(second.IsClosed);
        Assert.Same(second, await client.ConnectAsync(address));
        Assert.Equal(ResponseCode.Success, (await second.InvokeAsync(Request(EchoCode, "two"), Deadline)).Code);

        await client.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.ConnectAsync(address));
    }

    [Fact]
    public async Task Thousand_concurrent_invocations_are_each_answered_with_their_own_response()
    {
        await using var server = await StartAsync(Configure);
        var connection = await server.ConnectAsync();

        // Every third request yields, so responses come back out of order and correlation must use the opaque.
        var tasks = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var calls = Enumerable.Range(0, 125).Select(async i =>
            {
                var n = $"{worker}-{i}";
                var response = await connection.InvokeAsync(Request(i % 3 == 0 ? SlowEchoCode : EchoCode, n), Deadline);
                Assert.Equal(ResponseCode.Success, response.Code);
                Assert.Equal(n, response.Remark);
                return response.Opaque;
            });
            return await Task.WhenAll(calls);
        }));
        var opaques = (await Task.WhenAll(tasks).WaitAsync(Deadline)).SelectMany(o => o).ToArray();

        Assert.Equal(1000, opaques.Distinct().Count());
        Assert.Equal(0, connection.PendingCount);
    }

    [Fact]
    public async Task Concurrent_large_frames_are_never_interleaved()
    {
        await using var server = await StartAsync(table => table.Register(106, async (request, _) =>
        {
            await Task.Yield();
            var response = Echo(request);
            response.Body = request.Body;
            return response;
        }));
        var connection = await server.ConnectAsync();

        // Frames far larger than a socket write, from many senders on both sides at once.
        var calls = Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
        {
            var body = new byte[48 * 1024 + i];
            new Random(i).NextBytes(body);
            var request = Request(106, i.ToString(), i % 2 == 0 ? SerializeType.Json : SerializeType.Rocketmq);
            request.Body = body;
            var response = await connection.InvokeAsync(request, Deadline);
            Assert.Equal(i.ToString(), response.Remark);
            Assert.True(body.AsSpan().SequenceEqual(response.Body.Span));
        }));
        await Task.WhenAll(calls).WaitAsync(Deadline);
    }

    [Fact]
    public async Task Pipelined_requests_in_one_write_are_all_answered_in_order()
    {
        await using var server = await StartAsync(Configure);
        using var socket = await server.ConnectRawAsync();
        var frames = new List<byte>();
        for (var i = 1; i <= 200; i++)
        {
            var request = Request(i % 7 == 0 ? 9999 : EchoCode, i.ToString(), i % 2 == 0 ? SerializeType.Json : SerializeType.Rocketmq);
            request.Opaque = i;
            frames.AddRange(RemotingCodec.EncodeToArray(request));
        }

        await socket.SendAsync(frames.ToArray());

        // Synchronous processors answer in arrival order; the read loop flushes them together.
        var reader = PipeReader.Create(new NetworkStream(socket));
        for (var i = 1; i <= 200; i++)
        {
            var response = await ReadFrameAsync(reader);
            Assert.NotNull(response);
            Assert.Equal(i, response.Opaque);
            Assert.Equal(i % 7 == 0 ? ResponseCode.RequestCodeNotSupported : ResponseCode.Success, response.Code);
            Assert.Equal(i % 2 == 0 ? SerializeType.Json : SerializeType.Rocketmq, response.SerializeType);
        }
    }

    [Fact]
    public async Task Oneway_request_is_handled_but_gets_no_response()
    {
        var handled = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await StartAsync(table =>
        {
            Configure(table);
            table.Register(103, (request, _) =>
            {
                handled.TrySetResult(request.GetExtField("n"));
                return new(Echo(request));
            });
        });
        using var socket = await server.ConnectRawAsync();
        var oneway = Request(103, "oneway");
        oneway.Opaque = 1;
        oneway.MarkOneway();
        var normal = Request(EchoCode, "normal");
        normal.Opaque = 2;
        await socket.SendAsync(RemotingCodec.EncodeToArray(oneway).Concat(RemotingCodec.EncodeToArray(normal)).ToArray());

        var reader = PipeReader.Create(new NetworkStream(socket));
        var first = await ReadFrameAsync(reader);
        Assert.Equal("oneway", await handled.Task.WaitAsync(Deadline));
        Assert.NotNull(first);
        Assert.Equal(2, first.Opaque);
        Assert.Equal("normal", first.Remark);
    }

    [Fact]
    public async Task Oneway_invocation_sets_the_flag()
    {
        var handled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await StartAsync(table => table.Register(103, (request, _) =>
        {
            handled.TrySetResult(request.IsOneway);
            return new((RemotingCommand?)null);
        }));
        var connection = await server.ConnectAsync();
        await connection.InvokeOnewayAsync(Request(103));
        Assert.True(await handled.Task.WaitAsync(Deadline));
    }

    [Theory]
    [InlineData(SerializeType.Json)]
    [InlineData(SerializeType.Rocketmq)]
    public async Task Unknown_code_is_answered_request_code_not_supported_in_the_request_serialize_type(SerializeType type)
    {
        await using var server = await StartAsync(Configure);
        var connection = await server.ConnectAsync();

        var response = await connection.InvokeAsync(Request(9999, type: type), Deadline);

        Assert.Equal(ResponseCode.RequestCodeNotSupported, response.Code);
        Assert.Equal(" request type 9999 not supported", response.Remark);
        Assert.Equal(type, response.SerializeType);
        Assert.True(response.IsResponse);
    }

    [Theory]
    [InlineData(SerializeType.Json)]
    [InlineData(SerializeType.Rocketmq)]
    public async Task Responses_use_the_request_serialize_type(SerializeType type)
    {
        await using var server = await StartAsync(table =>
            // The processor answers JSON on purpose: the connection must still answer in the request's type.
            table.Register(EchoCode, (request, _) => new(new RemotingCommand { Code = 0, Remark = request.GetExtField("n") })));
        var connection = await server.ConnectAsync();

        var response = await connection.InvokeAsync(Request(EchoCode, "x", type), Deadline);

        Assert.Equal(type, response.SerializeType);
        Assert.Equal("x", response.Remark);
    }

    [Theory]
    [InlineData(SerializeType.Json)]
    [InlineData(SerializeType.Rocketmq)]
    public async Task Processor_exception_is_answered_system_error_and_the_connection_keeps_serving(SerializeType type)
    {
        await using var server = await StartAsync(Configure);
        var connection = await server.ConnectAsync();

        var failed = await connection.InvokeAsync(Request(ThrowCode, type: type), Deadline);
        var next = await connection.InvokeAsync(Request(EchoCode, "after", type), Deadline);

        Assert.Equal(ResponseCode.SystemError, failed.Code);
        Assert.Equal("processor exploded", failed.Remark);
        Assert.Equal(type, failed.SerializeType);
        Assert.Equal("after", next.Remark);
        Assert.False(connection.IsClosed);
    }

    [Fact]
    public async Task Timeout_throws_and_the_late_response_is_dropped()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await StartAsync(table =>
        {
            Configure(table);
            table.Register(104, async (request, connection) =>
            {
                await gate.Task;
                await connection.SendResponseAsync(request, Echo(request));
                answered.TrySetResult();
                return null;
            });
        });
        var connection = await server.ConnectAsync();

        await Assert.ThrowsAsync<RemotingTimeoutException>(() =>
            connection.InvokeAsync(Request(104, "late"), TimeSpan.FromMilliseconds(200)));
        gate.SetResult();
        await answered.Task.WaitAsync(Deadline);
        var next = await connection.InvokeAsync(Request(EchoCode, "next"), Deadline);

        Assert.Equal("next", next.Remark);
        Assert.Equal(0, connection.PendingCount);
        Assert.False(connection.IsClosed);
    }

    [Fact]
    public async Task Unanswered_calls_time_out_never_early_while_answered_ones_on_the_same_connection_complete()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await StartAsync(table =>
        {
            Configure(table);
            table.Register(104, async (request, connection) =>
            {
                await gate.Task;
                return null;
            });
        });
        var connection = await server.ConnectAsync();

        var started = System.Diagnostics.Stopwatch.StartNew();
        var unanswered = Enumerable.Range(0, 20)
            .Select(async i =>
            {
                var timeout = TimeSpan.FromMilliseconds(100 + 10 * i);
                await Assert.ThrowsAsync<RemotingTimeoutException>(() => connection.InvokeAsync(Request(104, "never"), timeout));
                return (Timeout: timeout, Elapsed: started.Elapsed);
            })
            .ToArray();
        var answered = Enumerable.Range(0, 20).Select(i => connection.InvokeAsync(Request(EchoCode, $"e{i}"), Deadline)).ToArray();

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"e{i}"), (await Task.WhenAll(answered)).Select(r => r.Remark));
        foreach (var (timeout, elapsed) in await Task.WhenAll(unanswered).WaitAsync(Deadline))
            Assert.InRange(elapsed, timeout, timeout + TimeSpan.FromSeconds(5));
        Assert.Equal(0, connection.PendingCount);
        Assert.False(connection.IsClosed);
        gate.SetResult();
    }

    public static TheoryData<byte[]> MalformedStreams => new()
    {
        // Random bytes: a declared length far beyond the limit or an unknown serialize type.
        new byte[] { 0x7F, 0x3A, 0x91, 0x05, 0xEE, 0x12, 0x00, 0x44, 0xAB, 0xCD },
        // A huge declared length with nothing behind it: must be refused at once, not waited for.
        BigEndian(0x7FFFFFF0, 0),
        // Length below 4.
        BigEndian(2, 0),
        // A JSON header that is not JSON.
        BigEndian(4 + 5, 5).Concat("{zzz["u8.ToArray()).ToArray(),
    };

    [Theory]
    [MemberData(nameof(MalformedStreams))]
    public async Task Malformed_stream_closes_only_that_connection(byte[] garbage)
    {
        await using var server = await StartAsync(Configure);
        var healthy = await server.ConnectAsync();
        await healthy.InvokeAsync(Request(EchoCode, "before"), Deadline);
        using var raw = await server.ConnectRawAsync();
        await WaitUntilAsync(() => server.Server.Connections.Count == 2);

        await raw.SendAsync(garbage);

        await AssertClosedByPeerAsync(raw);
        await WaitUntilAsync(() => server.Server.Connections.Count == 1);
        var after = await healthy.InvokeAsync(Request(EchoCode, "after"), Deadline);
        Assert.Equal("after", after.Remark);
    }

    [Fact]
    public async Task Server_stop_fails_pending_client_requests()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = await StartAsync(table => table.Register(105, async (_, _) =>
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.Infinite);
            return null;
        }));
        var connection = await server.ConnectAsync();

        var pending = connection.InvokeAsync(Request(105), TimeSpan.FromMinutes(1));
        await entered.Task.WaitAsync(Deadline);
        await server.Server.StopAsync().WaitAsync(Deadline);

        await Assert.ThrowsAsync<RemotingConnectionException>(() => pending.WaitAsync(Deadline));
        await connection.Closed.WaitAsync(Deadline);
        await Assert.ThrowsAsync<RemotingConnectionException>(() => connection.InvokeAsync(Request(EchoCode), Deadline));
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Idle_connection_is_closed()
    {
        var clock = new ManualClock();
        await using var server = await StartAsync(Configure, new RemotingOptions { IdleTimeout = TimeSpan.FromMilliseconds(300), TimeProvider = clock });
        var quiet = await server.ConnectAsync(new RemotingOptions { IdleTimeout = Timeout.InfiniteTimeSpan });
        // The server side must exist (its idle clock started) before the clock moves.
        await WaitUntilAsync(() => server.Server.Connections.Count == 1);
        clock.Advance(TimeSpan.FromMilliseconds(299));
        await Task.Delay(200);
        Assert.False(quiet.IsClosed);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        await quiet.Closed.WaitAsync(Deadline);

        Assert.Equal("peer closed the connection", quiet.CloseReason);
        await WaitUntilAsync(() => server.Server.Connections.Count == 0);
    }

    [Fact]
    public async Task Active_connection_is_not_closed_for_idleness_and_closes_once_quiet()
    {
        // Idle time is measured on a clock the test moves, so a stalled thread pool cannot fake idleness;
        // the idle check still runs on real timers every 25 ms.
        var clock = new ManualClock();
        var idle = TimeSpan.FromMilliseconds(100);
        await using var server = await StartAsync(Configure, new RemotingOptions { IdleTimeout = idle, TimeProvider = clock });
        var busy = await server.ConnectAsync(new RemotingOptions { IdleTimeout = Timeout.InfiniteTimeSpan });
        await WaitUntilAsync(() => server.Server.Connections.Count == 1);

        for (var i = 0; i < 10; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(80));
            await busy.InvokeAsync(Request(EchoCode, "ping"), Deadline);
            // Several real check periods pass at this clock reading.
            await Task.Delay(60);
            Assert.False(busy.IsClosed, $"active connection closed: {busy.CloseReason}");
        }

        clock.Advance(TimeSpan.FromMilliseconds(120));
        await busy.Closed.WaitAsync(Deadline);
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }

    [Fact]
    public async Task Client_reuses_one_connection_per_address_and_reconnects_when_closed()
    {
        await using var server = await StartAsync(Configure);
        await using var client = new RemotingClient();

        var first = await client.ConnectAsync("127.0.0.1", server.Port);
        var again = await client.ConnectAsync("127.0.0.1", server.Port);
        Assert.Same(first, again);

        first.Close();
        await first.Closed.WaitAsync(Deadline);
        var reconnected = await client.ConnectAsync("127.0.0.1", server.Port);
        Assert.NotSame(first, reconnected);
        Assert.Equal("x", (await reconnected.InvokeAsync(Request(EchoCode, "x"), Deadline)).Remark);
    }

    [Fact]
    public async Task Connect_to_a_closed_port_throws_connection_exception()
    {
        int port;
        await using (var server = await StartAsync(Configure)) port = server.Port;
        await using var client = new RemotingClient();

        await Assert.ThrowsAsync<RemotingConnectionException>(() => client.ConnectAsync("127.0.0.1", port).WaitAsync(Deadline));
    }

    private static byte[] BigEndian(int length, int headerLenAndType)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(bytes, length);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), headerLenAndType);
        return bytes;
    }
}
