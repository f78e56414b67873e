using System.Net;
using System.Net.Sockets;

namespace AkkaBroker.TestKit;

/// <summary>
/// Loopback TCP ports no other test of this process has been given: the OS picks a free one and we remember it,
/// so tests running in parallel never start two nodes on one port.
/// </summary>
public static class FreePorts
{
    private static readonly HashSet<int> Given = [];

    /// <summary>A port that was free a moment ago and is not handed out twice by this process.</summary>
    public static int Next()
    {
        lock (Given)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                // The broker also uses port + 1 (HA): keep both free of other tests.
                if (Given.Add(port) && Given.Add(port + 1)) return port;
            }
        }
    }

    /// <summary>
    /// HOCON overrides giving a node its own name-server and broker ports, with the broker registering at that
    /// name server.
    /// </summary>
    public static string[] NodeOverrides(out int nameServerPort, out int brokerPort)
    {
        nameServerPort = Next();
        brokerPort = Next();
        return
        [
            $"akkabroker.namesrv.listen-port = {nameServerPort}",
            $"akkabroker.broker.listen-port = {brokerPort}",
            $"akkabroker.broker.namesrv-addr = \"127.0.0.1:{nameServerPort}\"",
        ];
    }
}
