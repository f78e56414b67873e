using System.Buffers.Binary;

namespace AkkaBroker.Store.ConsumeQueues;

/// <summary>
/// One ConsumeQueue entry: where a message of a topic-queue lives in the CommitLog and its tag code.
/// <para>Layout (20 bytes, big-endian, RocketMQ's <c>CQ_STORE_UNIT_SIZE</c>): @0 long commitLogOffset,
/// @8 int size, @12 long tagsCode. Unit N of a queue lives at byte N*20 of the queue's files.</para>
/// <para>A blank unit <c>(0, int.MaxValue, 0)</c> fills a gap in the queue (RocketMQ's padding); it refers to no
/// message and pulls skip it. An all-zero unit never appears below the queue's end: recovery stops at one.</para>
/// </summary>
/// <param name="PhysicalOffset">CommitLog offset of the record.</param>
/// <param name="Size">Size of the record in bytes.</param>
/// <param name="TagsCode">Java hash code of the TAGS property (0 without tags); the delivery time for scheduled topics.</param>
public readonly record struct ConsumeQueueUnit(long PhysicalOffset, int Size, long TagsCode)
{
    /// <summary>Bytes per unit.</summary>
    public const int Length = 20;

    /// <summary>The padding unit written into gaps.</summary>
    public static ConsumeQueueUnit Blank => new(0, int.MaxValue, 0);

    /// <summary>Whether this is a padding unit, which refers to no message.</summary>
    public bool IsBlank => Size == int.MaxValue && PhysicalOffset == 0 && TagsCode == 0;

    /// <summary>Whether the unit can be a written one (recovery stops at the first that is not).</summary>
    public bool IsValid => PhysicalOffset >= 0 && Size > 0;

    /// <summary>CommitLog offset just past the record (meaningless for a blank unit).</summary>
    public long EndPhysicalOffset => PhysicalOffset + Size;

    /// <summary>Decodes the 20 bytes at the start of <paramref name="source"/>.</summary>
    public static ConsumeQueueUnit Read(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadInt64BigEndian(source),
        BinaryPrimitives.ReadInt32BigEndian(source[8..]),
        BinaryPrimitives.ReadInt64BigEndian(source[12..]));

    /// <summary>Encodes the unit into the first 20 bytes of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, PhysicalOffset);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], Size);
        BinaryPrimitives.WriteInt64BigEndian(destination[12..], TagsCode);
    }
}

/// <summary>What <see cref="ConsumeQueue.PutUnit"/> did.</summary>
public enum ConsumeQueuePutResult
{
    /// <summary>The unit was appended at the queue's end.</summary>
    Appended,

    /// <summary>The unit was past the end: the gap was filled with blank units, then the unit appended.</summary>
    AppendedAfterPadding,

    /// <summary>An equal unit was already there (re-dispatch after recovery); nothing was written.</summary>
    AlreadyPresent,

    /// <summary>A different unit was there and was overwritten (the CommitLog was rebuilt differently; worth a warning).</summary>
    Overwritten,

    /// <summary>The offset lies below the queue's minimum (its file was deleted); nothing was written.</summary>
    BelowMinOffset,
}
