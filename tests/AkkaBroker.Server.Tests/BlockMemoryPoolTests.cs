using System.Buffers;
using System.Runtime.InteropServices;
using AkkaBroker.Hosting;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;
using Microsoft.Extensions.Logging.Abstractions;

namespace AkkaBroker.Server.Tests;

/// <summary>The 64 KiB blocks Kestrel reads remoting frames into, alone and under a real listener.</summary>
public sealed class BlockMemoryPoolTests
{
    private static byte[] ArrayOf(IMemoryOwner<byte> owner) =>
        MemoryMarshal.TryGetArray<byte>(owner.Memory, out var segment) ? segment.Array! : throw new InvalidOperationException("not array-backed");

    [Fact]
    public void Rents_whole_blocks_and_refuses_more_than_a_block()
    {
        using var pool = new BlockMemoryPool();
        using var small = pool.Rent(1);
        using var any = pool.Rent();
        Assert.Equal(BlockMemoryPool.BlockSize, small.Memory.Length);
        Assert.Equal(BlockMemoryPool.BlockSize, any.Memory.Length);
        Assert.Equal(BlockMemoryPool.BlockSize, pool.MaxBufferSize);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(BlockMemoryPool.BlockSize + 1));
    }

    [Fact]
    public void A_returned_block_is_reused_once_even_when_disposed_twice()
    {
        using var pool = new BlockMemoryPool();
        var first = pool.Rent();
        var array = ArrayOf(first);
        first.Dispose();
        first.Dispose();
        Assert.Throws<ObjectDisposedException>(() => first.Memory);

        using var again = pool.Rent();
        using var other = pool.Rent();
        Assert.Same(array, ArrayOf(again));
        Assert.NotSame(array, ArrayOf(other));
        Assert.Equal(2, pool.Allocated);
    }

    [Fact]
    public void Keeps_at_most_MaxRetained_free_blocks_and_none_after_it_is_disposed()
    {
        var pool = new BlockMemoryPool();
        var rented = Enumerable.Range(0, BlockMemoryPool.MaxRetained + 10).Select(_ => pool.Rent()).ToList();
        var late = pool.Rent();
        foreach (var block in rented) block.Dispose();
        Assert.Equal(BlockMemoryPool.MaxRetained, pool.Retained);

        pool.Dispose();
        Assert.Equal(0, pool.Retained);
        late.Dispose();
        Assert.Equal(0, pool.Retained);
        Assert.Throws<ObjectDisposedException>(() => pool.Rent());
    }

    [Fact]
    public async Task A_listener_reads_frames_into_its_blocks_and_frames_larger_than_a_block_arrive_whole()
    {
        RemotingRequestHandler echo = (request, _) =>
        {
            var response = RemotingCommand.CreateResponse(request, ResponseCode.Success);
            response.Body = request.Body.ToArray();
            return ValueTask.FromResult<RemotingCommand?>(response);
        };
        await using var listener = await RemotingListener.StartAsync("Echo", "127.0.0.1", 0, echo, RemotingOptions.Default, NullLoggerFactory.Instance);
        await using var connection = await RemotingClient.OpenAsync("127.0.0.1", listener.EndPoint.Port);

        var large = new byte[1024 * 1024 + 3];
        Random.Shared.NextBytes(large);
        var batch = new byte[33 * 1024];
        Random.Shared.NextBytes(batch);
        var timeout = TimeSpan.FromSeconds(30);
        var sends = Enumerable.Range(0, 64)
            .Select(i => connection.InvokeAsync(RemotingCommand.CreateRequest(310, body: i == 7 ? large : batch), timeout))
            .ToList();
        var responses = await Task.WhenAll(sends);

        for (var i = 0; i < responses.Length; i++)
            Assert.True(responses[i].Body.Span.SequenceEqual(i == 7 ? large : batch), $"response {i} differs from its request");
        Assert.Contains(listener.MemoryPools.Created, pool => pool.Allocated > 0);
    }
}
