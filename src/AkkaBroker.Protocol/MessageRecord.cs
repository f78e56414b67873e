using System.Buffers.Binary;
using AkkaBroker.Common.Hashing;

namespace AkkaBroker.Protocol;

/// <summary>The fixed fields of a stored record, everything but body, topic and properties.</summary>
/// <param name="QueueId">Queue of the topic.</param>
/// <param name="Flag">User flag.</param>
/// <param name="QueueOffset">Logical index in the ConsumeQueue.</param>
/// <param name="PhysicalOffset">This record's offset in the CommitLog.</param>
/// <param name="SysFlag">System flags; the IPv6 bits are set by the encoder from the hosts.</param>
/// <param name="BornTimestamp">Producer's clock, ms since the epoch.</param>
/// <param name="BornHost">Producer's address.</param>
/// <param name="StoreTimestamp">Broker's clock at append, ms since the epoch.</param>
/// <param name="StoreHost">Broker's address (brokerIP1 and listen port).</param>
/// <param name="ReconsumeTimes">Deliveries that failed before this copy.</param>
/// <param name="PreparedTransactionOffset">CommitLog offset of the half message of a transaction.</param>
public readonly record struct MessageRecordFields(
    int QueueId, int Flag, long QueueOffset, long PhysicalOffset, int SysFlag, long BornTimestamp, HostAndPort BornHost,
    long StoreTimestamp, HostAndPort StoreHost, int ReconsumeTimes, long PreparedTransactionOffset);

/// <summary>Outcome of reading the record at a position.</summary>
public enum RecordReadStatus
{
    /// <summary>A whole, valid record.</summary>
    Ok,

    /// <summary>The blank end-of-file marker: continue in the next segment.</summary>
    EndOfFile,

    /// <summary>Zeros: nothing was written here yet.</summary>
    NoRecord,

    /// <summary>The record's declared size runs past the available bytes (a torn write at the tail).</summary>
    Truncated,

    /// <summary>Bad magic, impossible sizes or a body CRC mismatch.</summary>
    Corrupt,
}

/// <summary>
/// RocketMQ 4.x's stored message record (reference §4.1), which is also what a pull returns on the wire.
/// All integers big-endian:
/// <code>
///  0 TOTALSIZE int | 4 MAGICCODE int (0xDAA320A7) | 8 BODYCRC int (CRC32 &amp; 0x7FFFFFFF) | 12 QUEUEID int
/// 16 FLAG int      | 20 QUEUEOFFSET long         | 28 PHYSICALOFFSET long                  | 36 SYSFLAG int
/// 40 BORNTIMESTAMP long | 48 BORNHOST (4|16 address + 4 port) | STORETIMESTAMP long | STOREHOST (4|16 + 4)
/// RECONSUMETIMES int | PREPARED_TRANSACTION_OFFSET long | BODYLEN int + body | TOPICLEN byte + topic
/// PROPLEN short + properties
/// </code>
/// With IPv4 hosts the fixed part is 91 bytes; each IPv6 host adds 12. A segment's unused tail holds the
/// 8-byte end-of-file marker: remaining space (int) then 0xCBD43194.
/// </summary>
public static class MessageRecord
{
    /// <summary>Magic code of a message record.</summary>
    public const int MagicCode = unchecked((int)0xDAA320A7);

    /// <summary>Magic code of the end-of-file marker.</summary>
    public const int BlankMagicCode = unchecked((int)0xCBD43194);

    /// <summary>Size of the end-of-file marker; a segment always keeps room for it.</summary>
    public const int EndOfFileMarkerSize = 8;

    /// <summary>Longest topic in bytes (TOPICLEN is one byte, RocketMQ allows 127 characters).</summary>
    public const int MaxTopicLength = 127;

    /// <summary>Longest properties string in bytes (PROPLEN is a signed short).</summary>
    public const int MaxPropertiesLength = short.MaxValue;

    /// <summary>Offset of TOTALSIZE.</summary>
    public const int TotalSizeOffset = 0;

    /// <summary>Offset of MAGICCODE.</summary>
    public const int MagicOffset = 4;

    /// <summary>Offset of BODYCRC.</summary>
    public const int BodyCrcOffset = 8;

    /// <summary>Offset of QUEUEID.</summary>
    public const int QueueIdOffset = 12;

    /// <summary>Offset of FLAG.</summary>
    public const int FlagOffset = 16;

    /// <summary>Offset of QUEUEOFFSET.</summary>
    public const int QueueOffsetOffset = 20;

    /// <summary>Offset of PHYSICALOFFSET.</summary>
    public const int PhysicalOffsetOffset = 28;

    /// <summary>Offset of SYSFLAG.</summary>
    public const int SysFlagOffset = 36;

    /// <summary>Offset of BORNTIMESTAMP.</summary>
    public const int BornTimestampOffset = 40;

    /// <summary>Offset of BORNHOST.</summary>
    public const int BornHostOffset = 48;

    /// <summary>Smallest possible record: IPv4 hosts, empty body, topic and properties.</summary>
    public const int MinRecordSize = 91;

    /// <summary>Offset of STORETIMESTAMP for a record with the given sysFlag.</summary>
    public static int StoreTimestampOffset(int sysFlag) => BornHostOffset + HostLength(sysFlag, MessageSysFlag.BornHostV6);

    /// <summary>Offset of STOREHOST for a record with the given sysFlag.</summary>
    public static int StoreHostOffset(int sysFlag) => StoreTimestampOffset(sysFlag) + 8;

    /// <summary>Offset of BODYLEN for a record with the given sysFlag.</summary>
    public static int BodyLengthOffset(int sysFlag) => StoreHostOffset(sysFlag) + HostLength(sysFlag, MessageSysFlag.StoreHostV6) + 4 + 8;

    /// <summary>TOTALSIZE of a record with these hosts and variable parts.</summary>
    public static int CalculateSize(bool bornHostV6, bool storeHostV6, int bodyLength, int topicLength, int propertiesLength) =>
        MinRecordSize + (bornHostV6 ? 12 : 0) + (storeHostV6 ? 12 : 0) + bodyLength + topicLength + propertiesLength;

    /// <summary>
    /// Writes one record into <paramref name="destination"/> and returns its size. The body CRC is computed here.
    /// Throws <see cref="ArgumentException"/> for lengths the format cannot hold: callers validate input first
    /// and answer MESSAGE_ILLEGAL, so this is a programming error, not a client error.
    /// </summary>
    public static int Encode(Span<byte> destination, in MessageRecordFields fields, ReadOnlySpan<byte> body,
        ReadOnlySpan<byte> topic, ReadOnlySpan<byte> properties)
    {
        if (topic.Length is 0 or > MaxTopicLength) throw new ArgumentException($"topic of {topic.Length} bytes does not fit a record", nameof(topic));
        if (properties.Length > MaxPropertiesLength) throw new ArgumentException($"properties of {properties.Length} bytes do not fit a record", nameof(properties));
        var size = CalculateSize(fields.BornHost.IsIPv6, fields.StoreHost.IsIPv6, body.Length, topic.Length, properties.Length);
        if (destination.Length < size) throw new ArgumentException($"record needs {size} bytes, {destination.Length} available", nameof(destination));

        var sysFlag = (fields.SysFlag & ~(MessageSysFlag.BornHostV6 | MessageSysFlag.StoreHostV6))
                      | (fields.BornHost.IsIPv6 ? MessageSysFlag.BornHostV6 : 0)
                      | (fields.StoreHost.IsIPv6 ? MessageSysFlag.StoreHostV6 : 0);
        var d = destination[..size];
        BinaryPrimitives.WriteInt32BigEndian(d, size);
        BinaryPrimitives.WriteInt32BigEndian(d[MagicOffset..], MagicCode);
        BinaryPrimitives.WriteInt32BigEndian(d[BodyCrcOffset..], Crc32.ComputeRocketMq(body));
        BinaryPrimitives.WriteInt32BigEndian(d[QueueIdOffset..], fields.QueueId);
        BinaryPrimitives.WriteInt32BigEndian(d[FlagOffset..], fields.Flag);
        BinaryPrimitives.WriteInt64BigEndian(d[QueueOffsetOffset..], fields.QueueOffset);
        BinaryPrimitives.WriteInt64BigEndian(d[PhysicalOffsetOffset..], fields.PhysicalOffset);
        BinaryPrimitives.WriteInt32BigEndian(d[SysFlagOffset..], sysFlag);
        BinaryPrimitives.WriteInt64BigEndian(d[BornTimestampOffset..], fields.BornTimestamp);
        var at = BornHostOffset + fields.BornHost.WriteTo(d[BornHostOffset..]);
        BinaryPrimitives.WriteInt64BigEndian(d[at..], fields.StoreTimestamp);
        at += 8;
        at += fields.StoreHost.WriteTo(d[at..]);
        BinaryPrimitives.WriteInt32BigEndian(d[at..], fields.ReconsumeTimes);
        BinaryPrimitives.WriteInt64BigEndian(d[(at + 4)..], fields.PreparedTransactionOffset);
        at += 12;
        BinaryPrimitives.WriteInt32BigEndian(d[at..], body.Length);
        body.CopyTo(d[(at + 4)..]);
        at += 4 + body.Length;
        d[at] = (byte)topic.Length;
        topic.CopyTo(d[(at + 1)..]);
        at += 1 + topic.Length;
        BinaryPrimitives.WriteInt16BigEndian(d[at..], (short)properties.Length);
        properties.CopyTo(d[(at + 2)..]);
        return size;
    }

    /// <summary>Writes the end-of-file marker that fills a segment's unused tail of <paramref name="remaining"/> bytes.</summary>
    public static void WriteEndOfFile(Span<byte> destination, int remaining)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, remaining);
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], BlankMagicCode);
    }

    /// <summary>
    /// Reads the record at the start of <paramref name="source"/>, checking its magic, its internal lengths and,
    /// when <paramref name="checkCrc"/>, its body CRC. On <see cref="RecordReadStatus.Ok"/>, <paramref name="record"/> views it
    /// (no copy); for <see cref="RecordReadStatus.EndOfFile"/> its size is the marker's remaining-space value.
    /// </summary>
    public static RecordReadStatus TryRead(ReadOnlySpan<byte> source, bool checkCrc, out MessageRecordView record)
    {
        record = default;
        if (source.Length < 8) return IsZero(source) ? RecordReadStatus.NoRecord : RecordReadStatus.Truncated;
        var size = BinaryPrimitives.ReadInt32BigEndian(source);
        var magic = BinaryPrimitives.ReadInt32BigEndian(source[MagicOffset..]);
        if (magic == BlankMagicCode)
        {
            if (size < EndOfFileMarkerSize) return RecordReadStatus.Corrupt;
            record = new MessageRecordView(source[..EndOfFileMarkerSize], size);
            return RecordReadStatus.EndOfFile;
        }

        if (size == 0 && magic == 0) return RecordReadStatus.NoRecord;
        if (magic != MagicCode || size < MinRecordSize) return RecordReadStatus.Corrupt;
        if (size > source.Length) return RecordReadStatus.Truncated;

        var r = source[..size];
        var sysFlag = BinaryPrimitives.ReadInt32BigEndian(r[SysFlagOffset..]);
        var bodyLengthAt = BodyLengthOffset(sysFlag);
        if (bodyLengthAt + 4 > size) return RecordReadStatus.Corrupt;
        var bodyLength = BinaryPrimitives.ReadInt32BigEndian(r[bodyLengthAt..]);
        var topicAt = bodyLengthAt + 4 + bodyLength;
        if (bodyLength < 0 || topicAt + 1 > size) return RecordReadStatus.Corrupt;
        var topicLength = r[topicAt];
        var propertiesAt = topicAt + 1 + topicLength;
        if (topicLength == 0 || propertiesAt + 2 > size) return RecordReadStatus.Corrupt;
        var propertiesLength = BinaryPrimitives.ReadInt16BigEndian(r[propertiesAt..]);
        if (propertiesLength < 0 || propertiesAt + 2 + propertiesLength != size) return RecordReadStatus.Corrupt;
        if (checkCrc && Crc32.ComputeRocketMq(r.Slice(bodyLengthAt + 4, bodyLength)) != BinaryPrimitives.ReadInt32BigEndian(r[BodyCrcOffset..]))
            return RecordReadStatus.Corrupt;

        record = new MessageRecordView(r, size);
        return RecordReadStatus.Ok;
    }

    /// <summary>Overwrites QUEUEOFFSET, PHYSICALOFFSET and STORETIMESTAMP of an encoded record (the writer assigns them last).</summary>
    public static void PatchOffsets(Span<byte> record, long queueOffset, long physicalOffset, long storeTimestamp)
    {
        BinaryPrimitives.WriteInt64BigEndian(record[QueueOffsetOffset..], queueOffset);
        BinaryPrimitives.WriteInt64BigEndian(record[PhysicalOffsetOffset..], physicalOffset);
        var sysFlag = BinaryPrimitives.ReadInt32BigEndian(record[SysFlagOffset..]);
        BinaryPrimitives.WriteInt64BigEndian(record[StoreTimestampOffset(sysFlag)..], storeTimestamp);
    }

    private static int HostLength(int sysFlag, int v6Bit) => (sysFlag & v6Bit) != 0 ? 20 : 8;

    private static bool IsZero(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyExcept((byte)0) < 0;
}
