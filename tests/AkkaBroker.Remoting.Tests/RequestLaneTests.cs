using AkkaBroker.Protocol.Remoting;
using static AkkaBroker.Remoting.Tests.RemotingTestServer;

namespace AkkaBroker.Remoting.Tests;

public sealed class RequestLaneTests
{
    [Fact]
    public async Task Admin_processor_blocking_its_thread_does_not_delay_a_send_on_the_same_connection()
    {
        using var gate = new ManualResetEventSlim();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await StartAsync(table =>
        {
            var admin = table.AddLane("admin", workers: 1, queueCapacity: 16);
            var send = table.AddLane("send", workers: 1, queueCapacity: 16);
            table.Register(RequestCode.GetAllTopicConfig, (request, _) =>
            {
                entered.TrySetResult();
                // Blocks the worker's thread outright, like a slow synchronous admin call in Java.
                gate.Wait(Deadline);
                return new(Echo(request));
            }, admin);
            table.Register(RequestCode.SendMessageV2, (request, _) => new(Echo(request)), send);
        });
        var connection = await server.ConnectAsync();

        try
        {
            var adminCall = connection.InvokeAsync(Request(RequestCode.GetAllTopicConfig, "admin"), Deadline);
            await entered.Task.WaitAsync(Deadline);

            var sent = await connection.InvokeAsync(Request(RequestCode.SendMessageV2, "send"), Deadline);

            Assert.Equal("send", sent.Remark);
            Assert.False(adminCall.IsCompleted);
            gate.Set();
            Assert.Equal("admin", (await adminCall).Remark);
        }
        finally
        {
            gate.Set();
        }
    }

    [Fact]
    public async Task An_inline_lane_runs_requests_concurrently_up_to_its_limit_then_answers_system_busy()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        RequestLane? send = null;
        await using var server = await StartAsync(table =>
        {
            send = table.AddInlineLane("send", maxInFlight: 2);
            table.Register(RequestCode.SendMessageV2, async (request, _) =>
            {
                Interlocked.Increment(ref started);
                await gate.Task;
                return Echo(request);
            }, send);
        });
        var connection = await server.ConnectAsync();

        var first = connection.InvokeAsync(Request(RequestCode.SendMessageV2, "1"), Deadline);
        var second = connection.InvokeAsync(Request(RequestCode.SendMessageV2, "2"), Deadline);
        // Both run at once on one connection: an inline lane does not serialise them behind a worker.
        await WaitUntilAsync(() => Volatile.Read(ref started) == 2);
        var rejected = await connection.InvokeAsync(Request(RequestCode.SendMessageV2, "3"), Deadline);

        Assert.Equal(ResponseCode.SystemBusy, rejected.Code);
        Assert.Equal(2, send!.QueuedCount);
        gate.SetResult();
        Assert.Equal("1", (await first).Remark);
        Assert.Equal("2", (await second).Remark);
        await WaitUntilAsync(() => send.QueuedCount == 0);
        Assert.Equal("4", (await connection.InvokeAsync(Request(RequestCode.SendMessageV2, "4"), Deadline)).Remark);
    }

    [Fact]
    public async Task An_inline_lane_frees_the_slot_of_a_request_whose_processor_failed()
    {
        var calls = 0;
        RequestLane? send = null;
        await using var server = await StartAsync(table =>
        {
            send = table.AddInlineLane("send", maxInFlight: 1);
            table.Register(RequestCode.SendMessageV2, async (request, _) =>
            {
                await Task.Yield();
                if (Interlocked.Increment(ref calls) == 1) throw new InvalidOperationException("store refused");
                return Echo(request);
            }, send);
        });
        var connection = await server.ConnectAsync();

        var failed = await connection.InvokeAsync(Request(RequestCode.SendMessageV2, "1"), Deadline);

        Assert.Equal(ResponseCode.SystemError, failed.Code);
        Assert.Contains("store refused", failed.Remark);
        await WaitUntilAsync(() => send!.QueuedCount == 0);
        Assert.Equal("2", (await connection.InvokeAsync(Request(RequestCode.SendMessageV2, "2"), Deadline)).Remark);
    }

    [Theory]
    [InlineData(SerializeType.Json)]
    [InlineData(SerializeType.Rocketmq)]
    public async Task Full_lane_answers_system_busy_at_once_and_queued_requests_still_run(SerializeType type)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        RequestLane? admin = null;
        await using var server = await StartAsync(table =>
        {
            admin = table.AddLane("admin", workers: 1, queueCapacity: 1);
            table.Register(RequestCode.UpdateAndCreateTopic, async (request, _) =>
            {
                entered.TrySetResult();
                await gate.Task;
                return Echo(request);
            }, admin);
        });
        var connection = await server.ConnectAsync();

        var running = connection.InvokeAsync(Request(RequestCode.UpdateAndCreateTopic, "1", type), Deadline);
        await entered.Task.WaitAsync(Deadline);
        var queued = connection.InvokeAsync(Request(RequestCode.UpdateAndCreateTopic, "2", type), Deadline);
        await WaitUntilAsync(() => admin!.QueuedCount == 1);
        var rejected = await connection.InvokeAsync(Request(RequestCode.UpdateAndCreateTopic, "3", type), Deadline);

        Assert.Equal(ResponseCode.SystemBusy, rejected.Code);
        Assert.StartsWith("[OVERLOAD]", rejected.Remark);
        Assert.Equal(type, rejected.SerializeType);
        Assert.False(running.IsCompleted);
        gate.SetResult();
        Assert.Equal("1", (await running).Remark);
        Assert.Equal("2", (await queued).Remark);
    }

    [Fact]
    public async Task Laned_processor_exception_is_answered_system_error()
    {
        await using var server = await StartAsync(table =>
        {
            var query = table.AddLane("query", workers: 2, queueCapacity: 8);
            table.Register(RequestCode.QueryMessage, (_, _) => throw new InvalidOperationException("index unavailable"), query);
            table.Register(RequestCode.HeartBeat, async (request, _) =>
            {
                await Task.Yield();
                throw new InvalidOperationException("async failure");
            }, query);
        });
        var connection = await server.ConnectAsync();

        var sync = await connection.InvokeAsync(Request(RequestCode.QueryMessage), Deadline);
        var async = await connection.InvokeAsync(Request(RequestCode.HeartBeat, type: SerializeType.Rocketmq), Deadline);

        Assert.Equal(ResponseCode.SystemError, sync.Code);
        Assert.Equal("index unavailable", sync.Remark);
        Assert.Equal(ResponseCode.SystemError, async.Code);
        Assert.Equal("async failure", async.Remark);
        Assert.Equal(SerializeType.Rocketmq, async.SerializeType);
    }

    [Fact]
    public async Task Default_processor_replaces_not_supported_and_may_stay_silent()
    {
        await using var server = await StartAsync(table => table.DefaultProcessor = new SilentProcessor());
        var connection = await server.ConnectAsync();

        // The name server's behaviour: an unknown code gets no answer, so the client times out.
        await Assert.ThrowsAsync<RemotingTimeoutException>(() =>
            connection.InvokeAsync(Request(9999), TimeSpan.FromMilliseconds(200)));
        Assert.False(connection.IsClosed);
    }

    [Fact]
    public void Duplicate_lane_names_are_refused()
    {
        var table = new RequestProcessorTable();
        table.AddLane("send", 1, 1);
        Assert.Throws<ArgumentException>(() => table.AddLane("send", 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => table.AddLane("pull", 0, 1));
    }

    private sealed class SilentProcessor : IRequestProcessor
    {
        public ValueTask<RemotingCommand?> ProcessAsync(RemotingCommand request, RemotingConnection connection) => new((RemotingCommand?)null);
    }
}
