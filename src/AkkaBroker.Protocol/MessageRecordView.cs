using System.Buffers.Binary;

namespace AkkaBroker.Protocol;

/// <summary>
/// A validated stored record read in place (see <see cref="MessageRecord.TryRead"/>): field accessors over the
/// bytes, no copies. Only valid while the underlying memory is.
/// </summary>
public readonly ref struct MessageRecordView
{
    private readonly ReadOnlySpan<byte> _bytes;

    internal MessageRecordView(ReadOnlySpan<byte> bytes, int totalSize)
    {
        _bytes = bytes;
        TotalSize = totalSize;
    }

    /// <summary>TOTALSIZE: the whole record, or for an end-of-file marker the space it fills.</summary>
    public int TotalSize { get; }

    /// <summary>The record's bytes, exactly as stored and as sent in a pull response.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>BODYCRC.</summary>
    public int BodyCrc => BinaryPrimitives.ReadInt32BigEndian(_bytes[MessageRecord.BodyCrcOffset..]);

    /// <summary>QUEUEID.</summary>
    public int QueueId => BinaryPrimitives.ReadInt32BigEndian(_bytes[MessageRecord.QueueIdOffset..]);

    /// <summary>FLAG.</summary>
    public int Flag => BinaryPrimitives.ReadInt32BigEndian(_bytes[MessageRecord.FlagOffset..]);

    /// <summary>QUEUEOFFSET.</summary>
    public long QueueOffset => BinaryPrimitives.ReadInt64BigEndian(_bytes[MessageRecord.QueueOffsetOffset..]);

    /// <summary>PHYSICALOFFSET.</summary>
    public long PhysicalOffset => BinaryPrimitives.ReadInt64BigEndian(_bytes[MessageRecord.PhysicalOffsetOffset..]);

    /// <summary>SYSFLAG.</summary>
    public int SysFlag => BinaryPrimitives.ReadInt32BigEndian(_bytes[MessageRecord.SysFlagOffset..]);

    /// <summary>BORNTIMESTAMP.</summary>
    public long BornTimestamp => BinaryPrimitives.ReadInt64BigEndian(_bytes[MessageRecord.BornTimestampOffset..]);

    /// <summary>BORNHOST.</summary>
    public HostAndPort BornHost => HostAndPort.Read(_bytes[MessageRecord.BornHostOffset..], (SysFlag & MessageSysFlag.BornHostV6) != 0);

    /// <summary>STORETIMESTAMP.</summary>
    public long StoreTimestamp => BinaryPrimitives.ReadInt64BigEndian(_bytes[MessageRecord.StoreTimestampOffset(SysFlag)..]);

    /// <summary>STOREHOST.</summary>
    public HostAndPort StoreHost => HostAndPort.Read(_bytes[MessageRecord.StoreHostOffset(SysFlag)..], (SysFlag & MessageSysFlag.StoreHostV6) != 0);

    /// <summary>RECONSUMETIMES.</summary>
    public int ReconsumeTimes => BinaryPrimitives.ReadInt32BigEndian(_bytes[(MessageRecord.BodyLengthOffset(SysFlag) - 12)..]);

    /// <summary>PREPARED_TRANSACTION_OFFSET.</summary>
    public long PreparedTransactionOffset => BinaryPrimitives.ReadInt64BigEndian(_bytes[(MessageRecord.BodyLengthOffset(SysFlag) - 8)..]);

    /// <summary>The body as stored (still compressed when <see cref="MessageSysFlag.Compressed"/> is set).</summary>
    public ReadOnlySpan<byte> Body
    {
        get
        {
            var at = MessageRecord.BodyLengthOffset(SysFlag);
            return _bytes.Slice(at + 4, BinaryPrimitives.ReadInt32BigEndian(_bytes[at..]));
        }
    }

    /// <summary>The topic's bytes (ASCII by RocketMQ's name rules).</summary>
    public ReadOnlySpan<byte> Topic
    {
        get
        {
            var at = TopicLengthOffset;
            return _bytes.Slice(at + 1, _bytes[at]);
        }
    }

    /// <summary>The properties string's bytes (<c>name 0x01 value 0x02 ...</c>, UTF-8).</summary>
    public ReadOnlySpan<byte> Properties
    {
        get
        {
            var at = TopicLengthOffset + 1 + _bytes[TopicLengthOffset];
            return _bytes.Slice(at + 2, BinaryPrimitives.ReadInt16BigEndian(_bytes[at..]));
        }
    }

    private int TopicLengthOffset
    {
        get
        {
            var at = MessageRecord.BodyLengthOffset(SysFlag);
            return at + 4 + BinaryPrimitives.ReadInt32BigEndian(_bytes[at..]);
        }
    }
}
