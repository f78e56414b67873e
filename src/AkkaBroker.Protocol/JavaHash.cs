using System.Text;

namespace AkkaBroker.Protocol;

/// <summary>
/// Java's <c>String.hashCode()</c> (31-based over UTF-16 code units), which RocketMQ uses for the ConsumeQueue's
/// tag code and the IndexFile's key hash. Computing it over UTF-8 bytes avoids creating a string per message.
/// </summary>
public static class JavaHash
{
    /// <summary>The hash of a .NET string, equal to Java's for the same text.</summary>
    public static int StringHashCode(ReadOnlySpan<char> text)
    {
        var h = 0;
        foreach (var c in text) h = unchecked((31 * h) + c);
        return h;
    }

    /// <summary>The Java hash of the text whose UTF-8 encoding is <paramref name="utf8"/>; invalid sequences count as U+FFFD, as Java decodes them.</summary>
    public static int StringHashCode(ReadOnlySpan<byte> utf8)
    {
        var h = 0;
        Span<char> units = stackalloc char[2];
        while (!utf8.IsEmpty)
        {
            var b = utf8[0];
            if (b < 0x80)
            {
                h = unchecked((31 * h) + b);
                utf8 = utf8[1..];
                continue;
            }

            Rune.DecodeFromUtf8(utf8, out var rune, out var consumed);
            var count = rune.EncodeToUtf16(units);
            for (var i = 0; i < count; i++) h = unchecked((31 * h) + units[i]);
            utf8 = utf8[consumed..];
        }

        return h;
    }
}
