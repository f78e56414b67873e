using System.Collections.Concurrent;
using AkkaBroker.Protocol.Remoting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AkkaBroker.Remoting;

/// <summary>
/// The request code -> processor table of a server (Java's processorTable plus its executors). A code without a
/// processor goes to <see cref="DefaultProcessor"/>, or gets REQUEST_CODE_NOT_SUPPORTED (3) with remark
/// " request type N not supported" as the Java broker answers. A processor registered on a <see cref="RequestLane"/>
/// runs on that lane's workers, so slow admin calls never delay sends; without a lane it runs on the read loop.
/// Pass <see cref="Handler"/> to connections. Thread-safe; register before serving.
/// </summary>
public sealed class RequestProcessorTable : IAsyncDisposable
{
    private readonly ConcurrentDictionary<int, (IRequestProcessor Processor, RequestLane? Lane)> _processors = new();
    private readonly ConcurrentDictionary<string, RequestLane> _lanes = new(StringComparer.Ordinal);
    private readonly ILogger _logger;

    /// <summary>Creates an empty table.</summary>
    public RequestProcessorTable(ILogger? logger = null)
    {
        _logger = logger ?? NullLogger.Instance;
        Handler = HandleAsync;
    }

    /// <summary>The handler to give <see cref="RemotingConnection"/>s (one cached delegate).</summary>
    public RemotingRequestHandler Handler { get; }

    /// <summary>Answers codes without a processor; null gives REQUEST_CODE_NOT_SUPPORTED.</summary>
    public IRequestProcessor? DefaultProcessor { get; set; }

    /// <summary>The lanes added so far.</summary>
    public IReadOnlyCollection<RequestLane> Lanes => _lanes.Values.ToArray();

    /// <summary>
    /// Adds a lane named <paramref name="name"/> (send, pull, query, admin, heartbeat...) with
    /// <paramref name="workers"/> concurrent executions and room for <paramref name="queueCapacity"/> waiting requests;
    /// requests beyond that get SYSTEM_BUSY at once instead of queuing without bound.
    /// </summary>
    public RequestLane AddLane(string name, int workers, int queueCapacity)
    {
        var lane = new RequestLane(name, workers, queueCapacity, _logger);
        if (!_lanes.TryAdd(name, lane)) throw new ArgumentException($"lane {name} already exists", nameof(name));
        return lane;
    }

    /// <summary>
    /// Adds an inline lane named <paramref name="name"/>: requests start on the connection's read loop and at most
    /// <paramref name="maxInFlight"/> run at once (beyond that: SYSTEM_BUSY). Only for processors that never block.
    /// </summary>
    public RequestLane AddInlineLane(string name, int maxInFlight)
    {
        var lane = new RequestLane(name, maxInFlight, _logger);
        if (!_lanes.TryAdd(name, lane)) throw new ArgumentException($"lane {name} already exists", nameof(name));
        return lane;
    }

    /// <summary>Sets the processor of <paramref name="code"/>, run on <paramref name="lane"/> when given.</summary>
    public void Register(int code, IRequestProcessor processor, RequestLane? lane = null)
    {
        ArgumentNullException.ThrowIfNull(processor);
        _processors[code] = (processor, lane);
    }

    /// <summary>Sets a delegate as the processor of <paramref name="code"/>, run on <paramref name="lane"/> when given.</summary>
    public void Register(int code, RemotingRequestHandler handler, RequestLane? lane = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Register(code, new DelegateProcessor(handler), lane);
    }

    /// <summary>
    /// Routes <paramref name="request"/>: a laned processor is queued (the response is sent by the lane, so this
    /// returns null) or answered SYSTEM_BUSY when its lane is full; others run here.
    /// </summary>
    public ValueTask<RemotingCommand?> HandleAsync(RemotingCommand request, RemotingConnection connection)
    {
        if (!_processors.TryGetValue(request.Code, out var entry))
        {
            return DefaultProcessor is { } fallback
                ? fallback.ProcessAsync(request, connection)
                : new(RemotingConnection.NotSupported(request));
        }

        if (entry.Lane is null) return entry.Processor.ProcessAsync(request, connection);
        if (entry.Lane.TryEnqueue(new RequestLane.WorkItem(request, connection, entry.Processor))) return new((RemotingCommand?)null);
        _logger.LogWarning("Lane {Lane} full; rejecting {Request} from {Address}", entry.Lane.Name, request, connection.RemoteAddress);
        return new(RemotingCommand.CreateResponse(request, ResponseCode.SystemBusy,
            $"[OVERLOAD]system busy, start flow control for a while (lane {entry.Lane.Name} full)"));
    }

    /// <summary>Stops all lanes after their queued requests have run.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var lane in _lanes.Values) await lane.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class DelegateProcessor(RemotingRequestHandler handler) : IRequestProcessor
    {
        public ValueTask<RemotingCommand?> ProcessAsync(RemotingCommand request, RemotingConnection connection) =>
            handler(request, connection);
    }
}
