using System.Buffers.Binary;

namespace AkkaBroker.Client;

/// <summary>
/// Client-side message ids (the UNIQ_KEY property) in the layout of RocketMQ's Java client: 32 upper-case hex
/// digits of IPv4 address (4 bytes), process id (2), a per-process random (4), milliseconds since the start of the
/// month (4) and a counter (2). The broker indexes them, so a message can be found by the id its producer logged.
/// Thread-safe.
/// </summary>
public static class UniqueKeys
{
    private static readonly string Prefix = CreatePrefix();
    private static int s_counter = Random.Shared.Next();

    /// <summary>A new id.</summary>
    public static string Next()
    {
        Span<byte> tail = stackalloc byte[6];
        var now = DateTimeOffset.UtcNow;
        var monthStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        BinaryPrimitives.WriteInt32BigEndian(tail, (int)(now - monthStart).TotalMilliseconds);
        BinaryPrimitives.WriteInt16BigEndian(tail[4..], (short)Interlocked.Increment(ref s_counter));
        return string.Concat(Prefix, Convert.ToHexString(tail));
    }

    private static string CreatePrefix()
    {
        Span<byte> prefix = stackalloc byte[10];
        var ip = ClientInstance.LocalIPv4();
        ip.TryWriteBytes(prefix, out _);
        BinaryPrimitives.WriteInt16BigEndian(prefix[4..], (short)Environment.ProcessId);
        BinaryPrimitives.WriteInt32BigEndian(prefix[6..], Random.Shared.Next());
        return Convert.ToHexString(prefix);
    }
}
