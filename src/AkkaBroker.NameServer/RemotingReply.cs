using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;

namespace AkkaBroker.NameServer;

/// <summary>
/// Where the answer to one request goes: the request (for its opaque and serialize type) and the connection it came
/// on. Lets <see cref="RouteRegistry"/> answer on the connection itself, so a processor does not wait on an Ask.
/// </summary>
/// <param name="Request">The request.</param>
/// <param name="Connection">The connection it arrived on.</param>
public readonly record struct RemotingReply(RemotingCommand Request, RemotingConnection Connection)
{
    /// <summary>Sends <paramref name="response"/>; a closed connection or an encode error is handled by the connection.</summary>
    public void Send(RemotingCommand response) => _ = Connection.SendResponseAsync(Request, response).AsTask();

    /// <summary>Sends a response with this code and remark, no header and no body.</summary>
    public void Send(int code, string? remark = null) => Send(RemotingCommand.CreateResponse(Request, code, remark));

    /// <summary>Sends SUCCESS with <paramref name="body"/> as JSON.</summary>
    public void SendBody<T>(T body, bool bareIntegerKeys = false)
    {
        var response = RemotingCommand.CreateResponse(Request, ResponseCode.Success);
        response.Body = RemotingJson.Serialize(body, bareIntegerKeys);
        Send(response);
    }
}
