using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Remoting;

/// <summary>Builds a <see cref="RemotingConnection"/> over a connected socket; shared by client and server.</summary>
internal static class SocketTransport
{
    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }

    public static RemotingConnection Wrap(
        Socket socket, RemotingRequestHandler? handler, RemotingOptions options, ILogger logger)
    {
        // Small request/response frames must not wait for Nagle's coalescing.
        socket.NoDelay = true;
        var stream = new NetworkStream(socket, ownsSocket: true);
        var pipe = new DuplexPipe(
            PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true)),
            PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true)));
        return new RemotingConnection(pipe, handler, options, logger, RemoteAddresses.Describe(socket.RemoteEndPoint), stream);
    }

}

/// <summary>Peer addresses as RocketMQ writes them in logs and client ids.</summary>
public static class RemoteAddresses
{
    /// <summary>"host:port", IPv4 without the ::ffff: prefix; "unknown" when there is no end point.</summary>
    public static string Describe(EndPoint? endPoint) => endPoint switch
    {
        IPEndPoint ip => $"{(ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address)}:{ip.Port}",
        null => "unknown",
        _ => endPoint.ToString() ?? "unknown",
    };
}
