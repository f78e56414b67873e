using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AkkaBroker.Remoting;

/// <summary>
/// Opens remoting connections over TCP and keeps one per address (Java's NettyRemotingClient channel table),
/// opening a new one when the cached one has closed. Thread-safe.
/// </summary>
public sealed class RemotingClient : IAsyncDisposable
{
    // Changed under its own lock; read without it on the fast path (an open connection, the common case per send).
    private readonly ConcurrentDictionary<string, Task<RemotingConnection>> _connections = new(StringComparer.Ordinal);
    private readonly RemotingOptions _options;
    private readonly RemotingRequestHandler? _handler;
    private readonly ILogger _logger;
    private bool _disposed;

    /// <summary>
    /// Creates a client. <paramref name="handler"/> answers requests the server sends on these connections
    /// (the broker's CHECK_TRANSACTION_STATE, NOTIFY_CONSUMER_IDS_CHANGED...); null answers them REQUEST_CODE_NOT_SUPPORTED.
    /// </summary>
    public RemotingClient(RemotingOptions? options = null, RemotingRequestHandler? handler = null, ILogger? logger = null)
    {
        _options = options ?? RemotingOptions.Default;
        _handler = handler;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// The open connection to <paramref name="host"/>:<paramref name="port"/>, connecting when there is none or the
    /// cached one has closed. Concurrent callers share one connect. Throws <see cref="RemotingConnectionException"/>
    /// when the connect fails.
    /// </summary>
    public async Task<RemotingConnection> ConnectAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        var key = $"{host}:{port}";
        Task<RemotingConnection> connecting;
        lock (_connections)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_connections.TryGetValue(key, out connecting!) || IsDead(connecting))
            {
                // Not tied to the first caller's token: other callers share this connect.
                connecting = OpenAsync(host, port, _options, _handler, _logger, CancellationToken.None);
                _connections[key] = connecting;
            }
        }

        try
        {
            return await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (RemotingConnectionException)
        {
            lock (_connections)
            {
                if (_connections.TryGetValue(key, out var current) && current == connecting) _connections.TryRemove(key, out _);
            }

            throw;
        }
    }

    /// <summary>The connection to <paramref name="address"/>, given as RocketMQ writes addresses: "host:port".</summary>
    /// <exception cref="FormatException"><paramref name="address"/> is not host:port.</exception>
    public Task<RemotingConnection> ConnectAsync(string address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        // The open connection's own completed task: no lock, no allocation. A miss (none yet, closed, or the address
        // written another way) takes the path below, which parses and connects.
        if (_connections.TryGetValue(address, out var cached) && cached.IsCompletedSuccessfully && !cached.Result.IsClosed) return cached;
        var split = address.LastIndexOf(':');
        if (split <= 0 || !int.TryParse(address.AsSpan(split + 1), out var port) || port is < 1 or > 65535)
            throw new FormatException($"'{address}' is not a host:port address");
        return ConnectAsync(address[..split], port, cancellationToken);
    }

    /// <summary>
    /// Opens a new, uncached connection and starts it. Throws <see cref="RemotingConnectionException"/> when the
    /// connect fails.
    /// </summary>
    public static async Task<RemotingConnection> OpenAsync(
        string host, int port, RemotingOptions? options = null, RemotingRequestHandler? handler = null,
        ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new RemotingConnectionException($"connect to {host}:{port} failed: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = SocketTransport.Wrap(socket, handler, options ?? RemotingOptions.Default, logger ?? NullLogger.Instance);
        connection.Start();
        return connection;
    }

    /// <summary>Closes every cached connection and waits for them to close.</summary>
    public async ValueTask DisposeAsync()
    {
        Task<RemotingConnection>[] all;
        lock (_connections)
        {
            _disposed = true;
            all = _connections.Values.ToArray();
            _connections.Clear();
        }

        foreach (var connecting in all)
        {
            try
            {
                await (await connecting.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (RemotingConnectionException)
            {
            }
        }
    }

    private static bool IsDead(Task<RemotingConnection> connecting) =>
        connecting.IsFaulted || connecting.IsCanceled || (connecting.IsCompletedSuccessfully && connecting.Result.IsClosed);
}
