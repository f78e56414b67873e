using AkkaBroker.Remoting;

namespace AkkaBroker.Broker.Processing;

/// <summary>
/// Query and admin codes: QUERY_MESSAGE, VIEW_MESSAGE_BY_ID, topic and subscription-group management, consume
/// stats, consumer connections, runtime info and orderly-consumption locks.
/// </summary>
public static class AdminProcessors
{
    /// <summary>Registers the query codes on <paramref name="query"/>, admin codes on <paramref name="admin"/> and lock codes on <paramref name="consumer"/>.</summary>
    public static void Register(RequestProcessorTable table, BrokerServices broker, RequestLane query, RequestLane admin, RequestLane consumer)
    {
    }
}
