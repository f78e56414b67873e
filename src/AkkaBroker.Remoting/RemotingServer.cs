using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AkkaBroker.Remoting;

/// <summary>
/// A TCP remoting server: accepts connections and runs a <see cref="RemotingConnection"/> per client with one
/// request handler (usually <see cref="RequestProcessorTable.Handler"/>). Used by tests and the name server; the
/// broker may host connections in Kestrel instead.
/// </summary>
public sealed class RemotingServer : IAsyncDisposable
{
    private readonly RemotingRequestHandler _handler;
    private readonly RemotingOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<RemotingConnection, byte> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private TcpListener? _listener;
    private Task? _acceptLoop;
    private int _stopped;

    /// <summary>Creates a stopped server answering requests with <paramref name="handler"/>.</summary>
    public RemotingServer(RemotingRequestHandler handler, RemotingOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _handler = handler;
        _options = options ?? RemotingOptions.Default;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The bound address (the real port when started on port 0); null before start.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>The open connections.</summary>
    public IReadOnlyCollection<RemotingConnection> Connections => _connections.Keys.ToArray();

    /// <summary>Binds <paramref name="endPoint"/> (port 0: any free port) and starts accepting.</summary>
    public Task StartAsync(IPEndPoint endPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        if (_listener is not null) throw new InvalidOperationException("already started");
        cancellationToken.ThrowIfCancellationRequested();
        var listener = new TcpListener(endPoint);
        listener.Start();
        _listener = listener;
        EndPoint = (IPEndPoint)listener.LocalEndpoint;
        _acceptLoop = Task.Run(AcceptLoopAsync);
        _logger.LogInformation("Remoting server listening on {EndPoint}", EndPoint);
        return Task.CompletedTask;
    }

    /// <summary>Stops accepting and closes every connection; their pending requests fail. Later calls do nothing.</summary>
    public async Task StopAsync()
    {
        if (_listener is null || Interlocked.Exchange(ref _stopped, 1) != 0) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        if (_acceptLoop is not null) await _acceptLoop.ConfigureAwait(false);
        var closing = _connections.Keys.ToArray();
        foreach (var connection in closing) connection.Close("server stopping");
        await Task.WhenAll(closing.Select(c => c.Closed)).ConfigureAwait(false);
    }

    /// <summary>Same as <see cref="StopAsync"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                // A client that reset before being accepted; the listener itself is fine.
                _logger.LogDebug(e, "Accept failed");
                continue;
            }

            var connection = SocketTransport.Wrap(socket, _handler, _options, _logger);
            _connections[connection] = 0;
            _ = connection.Closed.ContinueWith(
                static (_1, state) =>
                {
                    var (server, closed) = ((RemotingServer, RemotingConnection))state!;
                    server._connections.TryRemove(closed, out _);
                },
                (this, connection), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            // A connection accepted while stopping is closed by StopAsync's sweep or right here.
            if (_stopping.IsCancellationRequested) connection.Close("server stopping");
            connection.Start();
        }
    }
}
