using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace AkkaBroker.Hosting;

/// <summary>
/// The memory Kestrel reads into and writes from on remoting ports: blocks of <see cref="BlockSize"/> bytes where
/// Kestrel's own pool hands out 4 KiB, so one socket read takes in a whole batch frame (32 messages of 1 KiB) instead
/// of one read per 4 KiB. Blocks are pinned (sockets pin what they read into) and reused; at most
/// <see cref="MaxRetained"/> wait for reuse, more go to the GC.
/// </summary>
internal sealed class BlockMemoryPool : MemoryPool<byte>
{
    /// <summary>Bytes per block: a batch of 32 x 1 KiB messages plus headers fits one read.</summary>
    public const int BlockSize = 64 * 1024;

    /// <summary>Free blocks kept for reuse (4 MiB); a busy node's connections hold the rest while they use them.</summary>
    public const int MaxRetained = 64;

    private readonly ConcurrentQueue<Block> _free = new();
    private int _freeCount;
    private int _allocated;
    private volatile bool _disposed;

    /// <inheritdoc />
    public override int MaxBufferSize => BlockSize;

    /// <summary>Blocks allocated so far (reused ones count once).</summary>
    internal int Allocated => Volatile.Read(ref _allocated);

    /// <summary>Free blocks waiting for reuse.</summary>
    internal int Retained => Volatile.Read(ref _freeCount);

    /// <inheritdoc />
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (minBufferSize > BlockSize)
            throw new ArgumentOutOfRangeException(nameof(minBufferSize), minBufferSize, $"at most {BlockSize} bytes per block");
        if (_free.TryDequeue(out var block)) Interlocked.Decrement(ref _freeCount);
        else
        {
            block = new Block(this, GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true));
            Interlocked.Increment(ref _allocated);
        }

        block.Lease();
        return block;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _free.Clear();
        Volatile.Write(ref _freeCount, 0);
    }

    private void Return(Block block)
    {
        if (_disposed) return;
        if (Interlocked.Increment(ref _freeCount) > MaxRetained)
        {
            Interlocked.Decrement(ref _freeCount);
            return;
        }

        _free.Enqueue(block);
    }

    private sealed class Block(BlockMemoryPool pool, byte[] array) : IMemoryOwner<byte>
    {
        private int _leased;

        public Memory<byte> Memory
        {
            get
            {
                ObjectDisposedException.ThrowIf(Volatile.Read(ref _leased) == 0, this);
                return array;
            }
        }

        public void Lease() => Volatile.Write(ref _leased, 1);

        // A second Dispose must not put the block in the free list twice (two leases of one block).
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _leased, 0) == 1) pool.Return(this);
        }
    }
}

/// <summary>Gives Kestrel a <see cref="BlockMemoryPool"/> for each pool it creates.</summary>
internal sealed class BlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    private readonly List<BlockMemoryPool> _created = [];

    /// <summary>The pools handed out so far (tests check that Kestrel took ours).</summary>
    internal IReadOnlyList<BlockMemoryPool> Created
    {
        get
        {
            lock (_created) return [.. _created];
        }
    }

    /// <inheritdoc />
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
    {
        var pool = new BlockMemoryPool();
        lock (_created) _created.Add(pool);
        return pool;
    }
}
