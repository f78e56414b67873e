using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Broker.Processing;

/// <summary>
/// Builds a broker's request code -> processor table with RocketMQ's separate lanes (send, pull, query, admin,
/// heartbeat, consumer management), so a slow admin call or a burst of heartbeats never delays a send.
/// </summary>
public static class BrokerProcessors
{
    /// <summary>Lane sizes (RocketMQ's thread-pool and queue defaults, scaled to this runtime's async workers).</summary>
    public sealed record LaneSizes(int SendQueue = 10_000, int PullWorkers = 16, int PullQueue = 100_000,
        int QueryWorkers = 8, int QueryQueue = 20_000, int AdminWorkers = 1, int AdminQueue = 1_000,
        int HeartbeatWorkers = 2, int HeartbeatQueue = 50_000, int ConsumerWorkers = 4, int ConsumerQueue = 100_000);

    /// <summary>The table of every code the broker serves, over <paramref name="broker"/>.</summary>
    public static RequestProcessorTable Build(BrokerServices broker, PullMessageProcessor pull, ILogger logger, LaneSizes? sizes = null)
    {
        sizes ??= new LaneSizes();
        var table = new RequestProcessorTable(logger);
        // A send only validates and hands its message to the CommitLogWriter, then waits (for the append, and with
        // SYNC_FLUSH the fsync): it starts right on the read loop, without a hop to a lane worker, and up to
        // SendQueue sends may be in flight before SYSTEM_BUSY.
        var send = table.AddInlineLane("send", sizes.SendQueue);
        var pullLane = table.AddLane("pull", sizes.PullWorkers, sizes.PullQueue);
        var query = table.AddLane("query", sizes.QueryWorkers, sizes.QueryQueue);
        var admin = table.AddLane("admin", sizes.AdminWorkers, sizes.AdminQueue);
        var heartbeat = table.AddLane("heartbeat", sizes.HeartbeatWorkers, sizes.HeartbeatQueue);
        var consumer = table.AddLane("consumer", sizes.ConsumerWorkers, sizes.ConsumerQueue);

        var sendProcessor = new SendMessageProcessor(broker);
        table.Register(RequestCode.SendMessage, sendProcessor, send);
        table.Register(RequestCode.SendMessageV2, sendProcessor, send);
        table.Register(RequestCode.SendBatchMessage, sendProcessor, send);
        table.Register(RequestCode.PullMessage, pull, pullLane);

        var clients = new ClientProcessors(broker);
        table.Register(RequestCode.HeartBeat, clients.HeartbeatAsync, heartbeat);
        table.Register(RequestCode.UnregisterClient, clients.UnregisterClientAsync, heartbeat);
        table.Register(RequestCode.GetConsumerListByGroup, clients.GetConsumerListAsync, consumer);
        table.Register(RequestCode.QueryAssignment, clients.QueryAssignmentAsync, consumer);
        table.Register(RequestCode.UpdateConsumerOffset, clients.UpdateConsumerOffsetAsync, consumer);
        table.Register(RequestCode.QueryConsumerOffset, clients.QueryConsumerOffsetAsync, consumer);
        table.Register(RequestCode.GetMaxOffset, clients.GetMaxOffsetAsync, consumer);
        table.Register(RequestCode.GetMinOffset, clients.GetMinOffsetAsync, consumer);
        table.Register(RequestCode.SearchOffsetByTimestamp, clients.SearchOffsetAsync, consumer);
        table.Register(RequestCode.GetEarliestMsgStoretime, clients.GetEarliestStoreTimeAsync, consumer);
        table.Register(RequestCode.ConsumerSendMsgBack, clients.SendMessageBackAsync, send);

        AdminProcessors.Register(table, broker, query, admin, consumer);
        return table;
    }
}
