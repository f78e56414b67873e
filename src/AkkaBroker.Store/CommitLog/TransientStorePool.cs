using System.Collections.Concurrent;

namespace AkkaBroker.Store;

/// <summary>
/// RocketMQ's transient store pool: a fixed set of segment-sized off-heap buffers. With the pool, the CommitLog
/// writer appends into a buffer instead of the mapped file and a committer copies finished bytes into the file
/// in big sequential chunks, so the writer never waits on page faults of the mapping. Only valid with
/// ASYNC_FLUSH on a master (settings validation enforces it).
/// <para>Buffers join the pool once a background task has touched every page of them (RocketMQ's buffers are
/// zeroed at allocation), so the writer does not take the page faults of fresh memory either; until the first is
/// ready the writer writes straight into the file.</para>
/// <para>Threads: the writer borrows, the committer returns; both are lock-free queue operations.</para>
/// </summary>
public sealed unsafe class TransientStorePool : IDisposable
{
    private readonly ConcurrentQueue<TransientBuffer> _available = new();
    private readonly TransientBuffer[] _all;
    private volatile bool _disposed;

    /// <summary>Allocates <paramref name="count"/> page-aligned buffers of <paramref name="bufferSize"/> bytes each and starts touching them.</summary>
    public TransientStorePool(int count, int bufferSize)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count));
        if (bufferSize <= 0) throw new ArgumentOutOfRangeException(nameof(bufferSize));
        BufferSize = bufferSize;
        _all = new TransientBuffer[count];
        for (var i = 0; i < count; i++)
            _all[i] = new TransientBuffer((byte*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)bufferSize, (nuint)Environment.SystemPageSize), bufferSize);
        // Long-running: touching a 1 GiB buffer of fresh memory takes seconds.
        Ready = Task.Factory.StartNew(TouchAll, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Completes once every buffer has been touched and joined the pool.</summary>
    public Task Ready { get; }

    /// <summary>Size of each buffer (the CommitLog segment size).</summary>
    public int BufferSize { get; }

    /// <summary>Buffers not lent out.</summary>
    public int AvailableCount => _available.Count;

    /// <summary>Takes a buffer, or null when all are lent (the writer then writes straight into the file).</summary>
    internal TransientBuffer? TryBorrow() => _available.TryDequeue(out var buffer) ? buffer : null;

    /// <summary>Gives a buffer back once its segment is fully committed.</summary>
    internal void Return(TransientBuffer buffer) => _available.Enqueue(buffer);

    /// <summary>Frees the memory; every buffer must have been returned (the CommitLog is disposed first).</summary>
    public void Dispose()
    {
        _disposed = true;
        Ready.Wait(); // stops after the buffer it is touching
        foreach (var buffer in _all) buffer.Free();
    }

    private void TouchAll()
    {
        foreach (var buffer in _all)
        {
            if (_disposed) return;
            buffer.Touch();
            _available.Enqueue(buffer);
        }
    }
}

/// <summary>One off-heap buffer of the <see cref="TransientStorePool"/>.</summary>
internal sealed unsafe class TransientBuffer(byte* pointer, int size)
{
    private byte* _pointer = pointer;

    public int Size { get; } = size;

    public Span<byte> Slice(int position, int length) => new(_pointer + position, length);

    public void Touch() => Files.NativeMemory.TouchPages(_pointer, Size);

    public void Free()
    {
        if (_pointer is null) return;
        System.Runtime.InteropServices.NativeMemory.AlignedFree(_pointer);
        _pointer = null;
    }
}
