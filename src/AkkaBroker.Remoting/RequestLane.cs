using System.Threading.Channels;
using AkkaBroker.Protocol.Remoting;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Remoting;

/// <summary>
/// A bounded queue with its own workers for one class of requests (Java's per-processor executors: send, pull,
/// query, admin, heartbeat). A worker awaits its processor before taking the next request, so
/// <see cref="Workers"/> bounds the lane's concurrent executions; a processor that answers much later (a held
/// pull) should return null and reply with <see cref="RemotingConnection.SendResponseAsync"/> to free its worker.
/// </summary>
public sealed class RequestLane : IAsyncDisposable
{
    private readonly Channel<WorkItem>? _queue;
    private readonly Task[] _workers;
    private readonly ILogger _logger;
    private readonly bool _inline;
    private int _inFlight;
    private TaskCompletionSource? _drained;

    internal RequestLane(string name, int workers, int queueCapacity, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(queueCapacity, 1);
        Name = name;
        QueueCapacity = queueCapacity;
        _logger = logger;
        _queue = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(queueCapacity)
        {
            SingleWriter = false,
            SingleReader = workers == 1,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _workers = new Task[workers];
        for (var i = 0; i < workers; i++) _workers[i] = Task.Run(WorkAsync);
    }

    /// <summary>
    /// An inline lane: a request starts on the connection's read loop (no hand-off to another thread) and its
    /// answer is sent when its task completes; at most <paramref name="maxInFlight"/> run at once, beyond that
    /// requests get SYSTEM_BUSY. For processors that never block and mostly wait on other actors (sends).
    /// </summary>
    internal RequestLane(string name, int maxInFlight, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        Name = name;
        QueueCapacity = maxInFlight;
        _logger = logger;
        _inline = true;
        _workers = [];
    }

    /// <summary>The lane's name, for logs and overload remarks.</summary>
    public string Name { get; }

    /// <summary>How many requests run at once.</summary>
    public int Workers => _workers.Length;

    /// <summary>How many requests may wait; beyond that requests are answered SYSTEM_BUSY.</summary>
    public int QueueCapacity { get; }

    /// <summary>Requests waiting for a worker (for an inline lane: running).</summary>
    public int QueuedCount => _queue?.Reader.Count ?? Volatile.Read(ref _inFlight);

    /// <summary>Lets the workers finish the queued requests and waits for them.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_queue is null)
        {
            var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _drained, drained);
            if (Volatile.Read(ref _inFlight) == 0) drained.TrySetResult();
            await drained.Task.ConfigureAwait(false);
            return;
        }

        _queue.Writer.TryComplete();
        await Task.WhenAll(_workers).ConfigureAwait(false);
    }

    internal bool TryEnqueue(WorkItem item)
    {
        if (!_inline) return _queue!.Writer.TryWrite(item);
        if (Interlocked.Increment(ref _inFlight) > QueueCapacity)
        {
            Release();
            return false;
        }

        _ = RunAsync(item);
        return true;
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0) Volatile.Read(ref _drained)?.TrySetResult();
    }

    // An inline lane's slot is given back here rather than by a wrapper awaiting this run: a wrapper's state
    // machine was a second allocation for every send that waits for the store, which is every send.
    private async Task RunAsync(WorkItem item)
    {
        try
        {
            RemotingCommand? response;
            try
            {
                response = await item.Processor.ProcessAsync(item.Request, item.Connection).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "Processing {Request} from {Address} failed", item.Request, item.Connection.RemoteAddress);
                response = RemotingCommand.CreateResponse(item.Request, ResponseCode.SystemError, e.Message);
            }

            // Never throws: a closed connection or an unencodable response are handled inside.
            if (response is not null) await item.Connection.SendResponseAsync(item.Request, response).ConfigureAwait(false);
        }
        finally
        {
            if (_inline) Release();
        }
    }

    private async Task WorkAsync()
    {
        var reader = _queue!.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item)) await RunAsync(item).ConfigureAwait(false);
        }
    }

    internal readonly record struct WorkItem(RemotingCommand Request, RemotingConnection Connection, IRequestProcessor Processor);
}
