using AkkaBroker.Protocol;

namespace AkkaBroker.Store.ConsumeQueues;

/// <summary>The ConsumeQueue's tag code (reference §4.3): Java <c>String.hashCode()</c> of the TAGS property, widened to long.</summary>
public static class TagsCode
{
    /// <summary>The tag code of the UTF-8 TAGS value; 0 when the message has no tag.</summary>
    public static long Of(ReadOnlySpan<byte> tagUtf8) => tagUtf8.IsEmpty ? 0 : JavaHash.StringHashCode(tagUtf8);

    /// <summary>The tag code of a TAGS string; 0 when null or empty.</summary>
    public static long Of(string? tag) => string.IsNullOrEmpty(tag) ? 0 : JavaHash.StringHashCode(tag.AsSpan());
}
