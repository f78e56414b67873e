using System.Security.Cryptography;
using System.Text;

namespace AkkaBroker.Client;

/// <summary>RocketMQ's queue allocation strategies: which of a topic's queues a member owns.</summary>
public static class QueueAllocation
{
    /// <summary>The queues <paramref name="clientId"/> owns among <paramref name="clientIds"/> (both sorted here first).</summary>
    public static IReadOnlyList<MessageQueueRef> Allocate(AllocateStrategy strategy, string clientId, IReadOnlyList<string> clientIds,
        IReadOnlyList<MessageQueueRef> queues)
    {
        var members = clientIds.Distinct().Order(StringComparer.Ordinal).ToList();
        var all = queues.OrderBy(q => q.BrokerName, StringComparer.Ordinal).ThenBy(q => q.QueueId).ToList();
        var index = members.IndexOf(clientId);
        if (index < 0 || all.Count == 0) return [];
        switch (strategy)
        {
            case AllocateStrategy.AverageByCircle:
                return all.Where((_, i) => i % members.Count == index).ToList();
            case AllocateStrategy.ConsistentHash:
                return ConsistentHash(clientId, members, all);
            default:
                var mod = all.Count % members.Count;
                var size = all.Count <= members.Count ? 1 : mod > 0 && index < mod ? all.Count / members.Count + 1 : all.Count / members.Count;
                var start = mod > 0 && index < mod ? index * size : index * size + mod;
                var range = Math.Min(size, all.Count - start);
                return range > 0 ? all.GetRange(start, range) : [];
        }
    }

    private static List<MessageQueueRef> ConsistentHash(string clientId, List<string> members, List<MessageQueueRef> queues)
    {
        const int virtualNodes = 10;
        var ring = new SortedDictionary<long, string>();
        foreach (var member in members)
        {
            for (var v = 0; v < virtualNodes; v++) ring[Hash($"{member}-{v}")] = member;
        }

        var keys = ring.Keys.ToArray();
        var owned = new List<MessageQueueRef>();
        foreach (var queue in queues)
        {
            var hash = Hash(queue.ToString());
            var at = Array.BinarySearch(keys, hash);
            if (at < 0) at = ~at;
            if (at == keys.Length) at = 0;
            if (ring[keys[at]] == clientId) owned.Add(queue);
        }

        return owned;
    }

    // MD5 like RocketMQ's ring: stable across processes and platforms, unlike string.GetHashCode.
    private static long Hash(string key) => BitConverter.ToInt64(MD5.HashData(Encoding.UTF8.GetBytes(key)), 0) & long.MaxValue;
}
