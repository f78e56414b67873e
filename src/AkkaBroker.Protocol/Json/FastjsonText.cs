namespace AkkaBroker.Protocol.Json;

/// <summary>
/// Turns the object keys fastjson writes but strict JSON forbids (reference §6.2) into strings, so
/// System.Text.Json can read them: bare keys such as <c>{0:"addr"}</c> become <c>{"0":"addr"}</c>, and object keys
/// such as ConsumeStats' <c>{{"brokerName":"b","queueId":0,"topic":"T"}:{…}}</c> become a string holding the key's
/// JSON text, which the map's converter parses again.
/// </summary>
/// <remarks>
/// The pass tracks whether the parser stands where an object key belongs, so a value that looks like a key
/// (an array element object, a number) is never touched. Malformed input is copied as it is: the strict parser that
/// runs afterwards reports it.
/// </remarks>
public static class FastjsonText
{
    private const int MaxDepth = 256;

    /// <summary>Returns <paramref name="json"/> with every non-string object key quoted; unchanged when none.</summary>
    public static byte[] QuoteKeys(ReadOnlySpan<byte> json) => QuoteKeysIfAny(json) ?? json.ToArray();

    /// <summary>Like <see cref="QuoteKeys"/>, but null when nothing needed quoting, so strict input is not copied.</summary>
    public static byte[]? QuoteKeysIfAny(ReadOnlySpan<byte> json)
    {
        List<byte>? output = null;
        var copiedUpTo = 0;
        // Whether each open container is an object (keys expected after '{' and ',') or an array.
        Span<bool> isObject = stackalloc bool[MaxDepth];
        var depth = 0;
        var expectKey = false;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            switch (c)
            {
                case (byte)'"':
                    i = SkipString(json, i);
                    expectKey = false;
                    continue;
                case (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n':
                    continue;
                case (byte)'{' or (byte)'[' when expectKey:
                {
                    var end = MatchingClose(json, i);
                    if (end < 0) return Finish(json, output, copiedUpTo);
                    output ??= new List<byte>(json.Length + 32);
                    output.AddRange(json[copiedUpTo..i]);
                    AppendQuoted(output, json[i..(end + 1)]);
                    copiedUpTo = end + 1;
                    i = end;
                    expectKey = false;
                    continue;
                }
                case (byte)'{' or (byte)'[':
                    if (depth == MaxDepth) return Finish(json, output, copiedUpTo);
                    isObject[depth++] = c == (byte)'{';
                    expectKey = c == (byte)'{';
                    continue;
                case (byte)'}' or (byte)']':
                    if (depth > 0) depth--;
                    expectKey = false;
                    continue;
                case (byte)',':
                    expectKey = depth > 0 && isObject[depth - 1];
                    continue;
                case (byte)':':
                    expectKey = false;
                    continue;
            }

            if (!expectKey) continue;
            var tokenEnd = i;
            while (tokenEnd < json.Length && IsBareKeyByte(json[tokenEnd])) tokenEnd++;
            expectKey = false;
            if (tokenEnd == i) continue;
            output ??= new List<byte>(json.Length + 16);
            output.AddRange(json[copiedUpTo..i]);
            output.Add((byte)'"');
            output.AddRange(json[i..tokenEnd]);
            output.Add((byte)'"');
            copiedUpTo = tokenEnd;
            i = tokenEnd - 1;
        }

        return Finish(json, output, copiedUpTo);
    }

    private static byte[]? Finish(ReadOnlySpan<byte> json, List<byte>? output, int copiedUpTo)
    {
        if (output is null) return null;
        output.AddRange(json[copiedUpTo..]);
        return [.. output];
    }

    /// <summary>Index of the closing quote of the string opening at <paramref name="start"/> (or the last index).</summary>
    private static int SkipString(ReadOnlySpan<byte> json, int start)
    {
        for (var i = start + 1; i < json.Length; i++)
        {
            if (json[i] == (byte)'\\') i++;
            else if (json[i] == (byte)'"') return i;
        }

        return json.Length - 1;
    }

    /// <summary>Index of the bracket closing the one at <paramref name="start"/>, or -1 when the input ends first.</summary>
    private static int MatchingClose(ReadOnlySpan<byte> json, int start)
    {
        var depth = 0;
        for (var i = start; i < json.Length; i++)
        {
            switch (json[i])
            {
                case (byte)'"':
                    i = SkipString(json, i);
                    break;
                case (byte)'{' or (byte)'[':
                    depth++;
                    break;
                case (byte)'}' or (byte)']':
                    if (--depth == 0) return i;
                    break;
            }
        }

        return -1;
    }

    private static void AppendQuoted(List<byte> output, ReadOnlySpan<byte> text)
    {
        output.Add((byte)'"');
        foreach (var b in text)
        {
            if (b is (byte)'"' or (byte)'\\')
            {
                output.Add((byte)'\\');
                output.Add(b);
            }
            else if (b < 0x20)
            {
                output.AddRange("\\u00"u8);
                output.Add(HexDigit(b >> 4));
                output.Add(HexDigit(b & 0xF));
            }
            else
            {
                output.Add(b);
            }
        }

        output.Add((byte)'"');
    }

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'a' + value - 10);

    private static bool IsBareKeyByte(byte c) =>
        c is (>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z')
            or (byte)'_' or (byte)'$' or (byte)'-' or (byte)'+' or (byte)'.';
}
