using System.Buffers.Binary;

namespace AkkaBroker.Protocol;

/// <summary>
/// The offset message id the broker returns as <c>msgId</c> (reference §4.5): uppercase hex of the store host
/// (address bytes and port int) followed by the record's 8-byte CommitLog offset; 32 characters for IPv4, 56 for IPv6.
/// </summary>
public static class MessageId
{
    /// <summary>Creates the offset id of the record at <paramref name="physicalOffset"/> on <paramref name="storeHost"/>.</summary>
    public static string CreateOffsetId(HostAndPort storeHost, long physicalOffset)
    {
        Span<byte> bytes = stackalloc byte[28];
        var length = storeHost.WriteTo(bytes);
        BinaryPrimitives.WriteInt64BigEndian(bytes[length..], physicalOffset);
        return Convert.ToHexString(bytes[..(length + 8)]);
    }

    /// <summary>Decodes an offset id; false when it is not 32 or 56 hex characters.</summary>
    public static bool TryDecodeOffsetId(string id, out HostAndPort storeHost, out long physicalOffset)
    {
        storeHost = default;
        physicalOffset = 0;
        if (id.Length is not (32 or 56)) return false;
        Span<byte> bytes = stackalloc byte[28];
        if (Convert.FromHexString(id, bytes[..(id.Length / 2)], out _, out var written) != System.Buffers.OperationStatus.Done) return false;
        var isIPv6 = written == 28;
        storeHost = HostAndPort.Read(bytes, isIPv6);
        physicalOffset = BinaryPrimitives.ReadInt64BigEndian(bytes[(isIPv6 ? 20 : 8)..]);
        return true;
    }
}
