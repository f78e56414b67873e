using System.Net;
using AkkaBroker.Remoting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Hosting;

/// <summary>
/// Serves one remoting port with Kestrel: every accepted connection's pipes become a <see cref="RemotingConnection"/>
/// answering with the role's request handler. Kestrel's connection pipeline ends in our delegate, so no HTTP code
/// runs on these ports. Stopping closes the listener and then every open connection.
/// </summary>
public sealed class RemotingListener : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ILogger _log;
    private readonly ConnectionSet _connections;

    private RemotingListener(WebApplication app, IPEndPoint endPoint, ILogger log, ConnectionSet connections, BlockMemoryPoolFactory pools)
    {
        MemoryPools = pools;
        _app = app;
        _connections = connections;
        EndPoint = endPoint;
        _log = log;
    }

    /// <summary>The bound address (the real port when started on port 0).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Where Kestrel gets the memory of this port's connections.</summary>
    internal BlockMemoryPoolFactory MemoryPools { get; }

    /// <summary>Binds <paramref name="address"/>:<paramref name="port"/> (0: any free port) and starts serving <paramref name="handler"/>.</summary>
    /// <exception cref="IOException">The port is in use or cannot be bound; the message names it.</exception>
    public static async Task<RemotingListener> StartAsync(string name, string address, int port, RemotingRequestHandler handler, RemotingOptions options,
        ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        var log = loggerFactory.CreateLogger($"AkkaBroker.Hosting.RemotingListener.{name}");
        var ip = address is "" or "0.0.0.0" or "*" ? IPAddress.Any : IPAddress.Parse(address);
        var connections = new ConnectionSet();
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        // Kestrel's errors reach the node's log; the embedded host's own start-up chatter ("Now listening on http://")
        // would only mislead, and its lifetime must not react to Ctrl+C: the node's host owns shutdown order.
        builder.Services.AddSingleton<ILoggerFactory>(new FilteredLoggerFactory(loggerFactory, "Microsoft.Hosting.Lifetime"));
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(ip, port, listen => listen.Run(context => ServeAsync(context, handler, options, log, connections)));
            // Frames are bounded by the remoting layer (max-frame-size); Kestrel's HTTP limits do not apply here.
            kestrel.AddServerHeader = false;
        });
        // After UseKestrelCore, whose own pool factory it replaces. Kestrel reads at most one block per receive call:
        // with its 4 KiB blocks, batches of 32 x 1 KiB cost a node 177k recvfrom and 35k context switches a second at
        // 240k msgs/s; with 64 KiB blocks 8.6k and 8.9k.
        var pools = new BlockMemoryPoolFactory();
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>>(pools);
        var app = builder.Build();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"{name} cannot listen on {ip}:{port}: {e.Message}", e);
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        var boundPort = bound is not null && Uri.TryCreate(bound, UriKind.Absolute, out var uri) ? uri.Port : port;
        var endPoint = new IPEndPoint(ip, boundPort);
        log.LogInformation("{Name} listening on {EndPoint}", name, endPoint);
        return new RemotingListener(app, endPoint, log, connections, pools);
    }

    /// <summary>Stops accepting and closes the open connections.</summary>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            // Kestrel waits for open connections to end on their own; ours are long-lived, so end them.
            var stopping = _app.StopAsync(timeout.Token);
            _connections.CloseAll("server stopping");
            await stopping.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _log.LogWarning("Listener on {EndPoint} did not stop within 10 s", EndPoint);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task ServeAsync(ConnectionContext context, RemotingRequestHandler handler, RemotingOptions options, ILogger log,
        ConnectionSet connections)
    {
        var connection = new RemotingConnection(context.Transport, handler, options, log, RemoteAddresses.Describe(context.RemoteEndPoint));
        if (!connections.TryAdd(connection))
        {
            connection.Close("server stopping");
            return;
        }

        _ = connection.Closed.ContinueWith(_ => connections.Remove(connection), TaskScheduler.Default);
        // Kestrel aborts the connection when the server stops: close ours too so pending work ends.
        using var registration = context.ConnectionClosed.Register(static c => ((RemotingConnection)c!).Close("server stopping"), connection);
        connection.Start();
        await connection.Closed.ConfigureAwait(false);
    }

    private sealed class ConnectionSet
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<RemotingConnection, byte> _open = new();
        private volatile bool _closed;

        public bool TryAdd(RemotingConnection connection)
        {
            _open[connection] = 0;
            if (!_closed) return true;
            _open.TryRemove(connection, out _);
            return false;
        }

        public void Remove(RemotingConnection connection) => _open.TryRemove(connection, out _);

        public void CloseAll(string reason)
        {
            _closed = true;
            foreach (var connection in _open.Keys) connection.Close(reason);
        }
    }

    private sealed class PassiveLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class FilteredLoggerFactory(ILoggerFactory inner, string silencedPrefix) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) =>
            categoryName.StartsWith(silencedPrefix, StringComparison.Ordinal) ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance : inner.CreateLogger(categoryName);

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        // The node owns the inner factory.
        public void Dispose()
        {
        }
    }
}
