using System.Text;

namespace AkkaBroker.Hocon;

/// <summary>Path expressions: <c>a.b."c.d"</c> to segments and back.</summary>
internal static class HoconPath
{
    /// <summary>Parses a getter path. Quoted segments may contain dots; empty unquoted segments are an error.</summary>
    public static string[] Parse(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new ConfigBadPathException(null, "path is empty");
        }
        var segments = new List<string>();
        var current = new StringBuilder();
        bool hasContent = false;
        for (int i = 0; i < path.Length; i++)
        {
            char c = path[i];
            if (c == '"')
            {
                int end = i + 1;
                var sb = new StringBuilder();
                while (end < path.Length && path[end] != '"')
                {
                    if (path[end] == '\\' && end + 1 < path.Length) end++;
                    sb.Append(path[end]);
                    end++;
                }
                if (end >= path.Length)
                {
                    throw new ConfigBadPathException(null, $"path '{path}': unterminated quoted segment");
                }
                current.Append(sb);
                hasContent = true;
                i = end;
            }
            else if (c == '.')
            {
                if (!hasContent)
                {
                    throw new ConfigBadPathException(null, $"path '{path}' has an empty segment (leading, trailing or doubled '.')");
                }
                segments.Add(current.ToString());
                current.Clear();
                hasContent = false;
            }
            else
            {
                current.Append(c);
                hasContent = true;
            }
        }
        if (!hasContent)
        {
            throw new ConfigBadPathException(null, $"path '{path}' has an empty segment (leading, trailing or doubled '.')");
        }
        segments.Add(current.ToString());
        return [.. segments];
    }

    /// <summary>Renders segments as a path expression, quoting segments that need it.</summary>
    public static string Render(IEnumerable<string> segments) => string.Join('.', segments.Select(RenderKey));

    /// <summary>Renders one key, quoted when it is not a plain word.</summary>
    public static string RenderKey(string key) => IsPlainKey(key) ? key : Quote(key);

    private static bool IsPlainKey(string key)
    {
        if (key.Length == 0 || key is "include" or "true" or "false" or "null" || !(char.IsAsciiLetter(key[0]) || key[0] == '_'))
        {
            return false;
        }
        foreach (char c in key)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>A JSON string literal.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') sb.Append($"\\u{(int)c:x4}");
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
        return sb.ToString();
    }

    public static string Key(IReadOnlyList<string> path) => string.Join('\u0001', path);
}
