namespace AkkaBroker.Store.Config;

/// <summary>
/// Reads what fastjson writes but System.Text.Json rejects (reference §6.2): map keys written bare, like
/// <c>{0:12,1:7}</c> in consumerOffset.json and delayOffset.json.
/// </summary>
public static class LenientJson
{
    /// <summary>
    /// Quotes bare object keys (a token after <c>{</c> or <c>,</c> that a <c>:</c> follows), outside strings;
    /// everything else is copied as it is. Returns the input unchanged when there is nothing to quote.
    /// </summary>
    public static byte[] QuoteBareKeys(ReadOnlySpan<byte> json)
    {
        List<byte>? output = null;
        var copiedUpTo = 0;
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            if (inString)
            {
                if (c == (byte)'\\') i++;
                else if (c == (byte)'"') inString = false;
                continue;
            }

            if (c == (byte)'"')
            {
                inString = true;
                continue;
            }

            if (c != (byte)'{' && c != (byte)',') continue;
            var start = i + 1;
            while (start < json.Length && IsSpace(json[start])) start++;
            var end = start;
            while (end < json.Length && IsTokenByte(json[end])) end++;
            if (end == start) continue;
            var colon = end;
            while (colon < json.Length && IsSpace(json[colon])) colon++;
            if (colon >= json.Length || json[colon] != (byte)':') continue;

            output ??= new List<byte>(json.Length + 16);
            output.AddRange(json[copiedUpTo..start]);
            output.Add((byte)'"');
            output.AddRange(json[start..end]);
            output.Add((byte)'"');
            copiedUpTo = end;
            i = end - 1;
        }

        if (output is null) return json.ToArray();
        output.AddRange(json[copiedUpTo..]);
        return [.. output];
    }

    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private static bool IsTokenByte(byte c) =>
        c is (>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z')
            or (byte)'_' or (byte)'$' or (byte)'-' or (byte)'+' or (byte)'.';
}
