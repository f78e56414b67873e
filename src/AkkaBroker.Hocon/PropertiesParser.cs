using System.Text;

namespace AkkaBroker.Hocon;

/// <summary>
/// Java .properties files: <c>key=value</c>, <c>key: value</c> or <c>key value</c>, <c>#</c>/<c>!</c> comments,
/// backslash line continuations and escapes. Keys are split at '.' into paths; every value is a string.
/// When a key is both a value and a parent (<c>a=1</c>, <c>a.b=2</c>) the object wins.
/// </summary>
internal static class PropertiesParser
{
    public static HoconObject Parse(string text, string source)
    {
        var root = new HoconObject(new ConfigOrigin(source, 1, 1));
        string[] lines = text.TrimStart('\uFEFF').Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int lineNo = i + 1;
            string line = lines[i].TrimStart(' ', '\t', '\f');
            if (line.Length == 0 || line[0] is '#' or '!')
            {
                continue;
            }
            while (EndsWithContinuation(line) && i + 1 < lines.Length)
            {
                line = line[..^1] + lines[++i].TrimStart(' ', '\t', '\f');
            }
            if (EndsWithContinuation(line)) line = line[..^1];
            int pos = 0;
            string key = ReadPart(line, ref pos, isKey: true);
            while (pos < line.Length && line[pos] is ' ' or '\t' or '\f') pos++;
            if (pos < line.Length && line[pos] is '=' or ':') pos++;
            while (pos < line.Length && line[pos] is ' ' or '\t' or '\f') pos++;
            string value = ReadPart(line, ref pos, isKey: false);
            var origin = new ConfigOrigin(source, lineNo, 1);
            Add(root, key.Split('.'), HoconScalar.String(value, origin), origin);
        }
        return root;
    }

    private static bool EndsWithContinuation(string line)
    {
        int n = 0;
        for (int i = line.Length - 1; i >= 0 && line[i] == '\\'; i--) n++;
        return n % 2 == 1;
    }

    private static string ReadPart(string line, ref int pos, bool isKey)
    {
        var sb = new StringBuilder();
        while (pos < line.Length)
        {
            char c = line[pos];
            if (isKey && c is '=' or ':' or ' ' or '\t' or '\f') break;
            pos++;
            if (c != '\\' || pos >= line.Length)
            {
                sb.Append(c);
                continue;
            }
            char e = line[pos++];
            switch (e)
            {
                case 't': sb.Append('\t'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 'f': sb.Append('\f'); break;
                case 'u' when pos + 4 <= line.Length && int.TryParse(line.AsSpan(pos, 4), System.Globalization.NumberStyles.HexNumber, null, out int code):
                    sb.Append((char)code);
                    pos += 4;
                    break;
                default: sb.Append(e); break;
            }
        }
        return sb.ToString();
    }

    private static void Add(HoconObject root, string[] path, HoconScalar value, ConfigOrigin origin)
    {
        var current = root;
        for (int i = 0; i < path.Length - 1; i++)
        {
            if (!current.TryGetValue(path[i], out var next) || next is not HoconObject nextObj)
            {
                nextObj = new HoconObject(origin);
                current.Set(path[i], nextObj);
            }
            current = nextObj;
        }
        if (!current.TryGetValue(path[^1], out var existing) || existing is not HoconObject)
        {
            current.Set(path[^1], value);
        }
    }
}
