using System.Net;
using System.Net.Sockets;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;

namespace AkkaBroker.Client.Tests;

/// <summary>The header encoding a client's requests go out in, read off the socket.</summary>
public sealed class SerializeTypeTests
{
    [Theory]
    [InlineData(null, 1)] // ROCKETMQ unless configured
    [InlineData(SerializeType.Json, 0)]
    [InlineData(SerializeType.Rocketmq, 1)]
    public async Task Requests_carry_the_configured_serialize_type_in_the_length_word(SerializeType? configured, byte expected)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var address = $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
            var options = configured is { } type
                ? new ClientOptions { NamesrvAddr = [address], SerializeType = type }
                : new ClientOptions { NamesrvAddr = [address] };
            await using var client = new ClientInstance(options);
            var accepted = listener.AcceptTcpClientAsync();
            var header = new Dictionary<string, string> { ["topic"] = "T" };
            var invoke = client.InvokeAsync(address, RemotingCommand.CreateRequest(RequestCode.GetRouteinfoByTopic, header), TimeSpan.FromSeconds(10));

            using (var peer = await accepted)
            {
                var prefix = new byte[8];
                await peer.GetStream().ReadExactlyAsync(prefix);
                Assert.Equal(expected, prefix[4]);
            }

            // The peer closed without answering.
            await Assert.ThrowsAsync<RemotingConnectionException>(() => invoke);
        }
        finally
        {
            listener.Stop();
        }
    }
}
