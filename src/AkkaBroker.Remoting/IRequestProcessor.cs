using AkkaBroker.Protocol.Remoting;

namespace AkkaBroker.Remoting;

/// <summary>
/// Handles requests arriving on a connection. The returned response is sent unless the request was oneway; null
/// means nothing is sent now (a oneway request, the name server's silence on unknown codes, or a processor that
/// answers later with <see cref="RemotingConnection.SendResponseAsync"/>, as long polling does). An exception
/// becomes a SYSTEM_ERROR response.
/// </summary>
public delegate ValueTask<RemotingCommand?> RemotingRequestHandler(RemotingCommand request, RemotingConnection connection);

/// <summary>One request code's handler (Java's NettyRequestProcessor); see <see cref="RemotingRequestHandler"/> for the result rules.</summary>
public interface IRequestProcessor
{
    /// <summary>Handles <paramref name="request"/>, which arrived on <paramref name="connection"/>.</summary>
    ValueTask<RemotingCommand?> ProcessAsync(RemotingCommand request, RemotingConnection connection);
}
