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
    private readonly Channel<WorkItem> _queue;
    private readonly Task[] _workers;
    private readonly ILogger _logger;

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

    /// <summary>The lane's name, for logs and overload remarks.</summary>
    public string Name { get; }

    /// <summary>How many requests run at once.</summary>
    public int Workers => _workers.Length;

    /// <summary>How many requests may wait; beyond that requests are answered SYSTEM_BUSY.</summary>
    public int QueueCapacity { get; }

    /// <summary>Requests waiting for a worker.</summary>
    public int QueuedCount => _queue.Reader.Count;

    /// <summary>Lets the workers finish the queued requests and waits for them.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await Task.WhenAll(_workers).ConfigureAwait(false);
    }

    internal bool TryEnqueue(WorkItem item) => _queue.Writer.TryWrite(item);

    private async Task WorkAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
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
        }
    }

    internal readonly record struct WorkItem(RemotingCommand Request, RemotingConnection Connection, IRequestProcessor Processor);
}
