using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace AkkaBroker.Protocol;

/// <summary>
/// An IPv4 or IPv6 address with a port, as RocketMQ writes BORNHOST and STOREHOST: the address bytes
/// (4 or 16) then the port as a big-endian int. A value type so encoding a record allocates nothing.
/// </summary>
public readonly record struct HostAndPort
{
    private readonly ulong _high; // IPv6 bytes 0-7; unused for IPv4
    private readonly ulong _low;  // IPv6 bytes 8-15, or the IPv4 address in the low 32 bits (network order)

    private HostAndPort(ulong high, ulong low, int port, bool isIPv6)
    {
        _high = high;
        _low = low;
        Port = port;
        IsIPv6 = isIPv6;
    }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>Whether the address is IPv6 (16 bytes on the wire) rather than IPv4 (4 bytes).</summary>
    public bool IsIPv6 { get; }

    /// <summary>Bytes this host takes in a record: address plus 4 for the port.</summary>
    public int EncodedLength => IsIPv6 ? 20 : 8;

    /// <summary>An IPv4 host from its four address bytes (network order) and a port.</summary>
    public static HostAndPort FromIPv4(ReadOnlySpan<byte> address, int port) =>
        new(0, BinaryPrimitives.ReadUInt32BigEndian(address), port, false);

    /// <summary>An IPv6 host from its sixteen address bytes and a port.</summary>
    public static HostAndPort FromIPv6(ReadOnlySpan<byte> address, int port) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(address), BinaryPrimitives.ReadUInt64BigEndian(address[8..]), port, true);

    /// <summary>Converts an endpoint; IPv4-mapped IPv6 addresses become IPv4, as Java reports them.</summary>
    public static HostAndPort From(IPEndPoint endPoint)
    {
        var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        return address.AddressFamily == AddressFamily.InterNetwork
            ? FromIPv4(bytes[..written], endPoint.Port)
            : FromIPv6(bytes[..written], endPoint.Port);
    }

    /// <summary>Parses "host:port" or "[v6]:port" with a literal address.</summary>
    public static bool TryParse(string text, out HostAndPort host)
    {
        host = default;
        if (!IPEndPoint.TryParse(text, out var endPoint) || endPoint.Port == 0) return false;
        host = From(endPoint);
        return true;
    }

    /// <summary>Reads a host written by <see cref="WriteTo"/>.</summary>
    public static HostAndPort Read(ReadOnlySpan<byte> source, bool isIPv6) => isIPv6
        ? FromIPv6(source, BinaryPrimitives.ReadInt32BigEndian(source[16..]))
        : FromIPv4(source, BinaryPrimitives.ReadInt32BigEndian(source[4..]));

    /// <summary>Writes the address bytes then the port; returns <see cref="EncodedLength"/>.</summary>
    public int WriteTo(Span<byte> destination)
    {
        WriteAddress(destination);
        var addressLength = IsIPv6 ? 16 : 4;
        BinaryPrimitives.WriteInt32BigEndian(destination[addressLength..], Port);
        return addressLength + 4;
    }

    /// <summary>Writes only the address bytes (4 or 16); returns how many.</summary>
    public int WriteAddress(Span<byte> destination)
    {
        if (!IsIPv6)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)_low);
            return 4;
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _low);
        return 16;
    }

    /// <summary>The endpoint (allocates; not for hot paths).</summary>
    public IPEndPoint ToEndPoint()
    {
        Span<byte> bytes = stackalloc byte[16];
        var length = WriteAddress(bytes);
        return new IPEndPoint(new IPAddress(bytes[..length]), Port);
    }

    /// <inheritdoc />
    public override string ToString() => ToEndPoint().ToString();
}
