using System.Numerics;
using System.Text;

namespace AkkaBroker.Hocon;

/// <summary>
/// Writes a tree as HOCON or strict JSON. Keys are sorted: all-digit keys first by numeric value (any length),
/// then the rest ordinally. Keys and strings are quoted whenever needed to read back the same tree.
/// Unresolved values are written as their substitutions (not valid in strict JSON).
/// </summary>
internal static class HoconRenderer
{
    public static string Render(HoconValue value, ConfigRenderOptions options)
    {
        var sb = new StringBuilder();
        Write(sb, value, options, 0);
        sb.Append('\n');
        return sb.ToString();
    }

    internal static IEnumerable<string> SortedKeys(HoconObject obj) => obj.Keys.Order(KeyComparer.Instance);

    private sealed class KeyComparer : IComparer<string>
    {
        public static readonly KeyComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            bool xn = IsDigits(x!), yn = IsDigits(y!);
            if (xn && yn)
            {
                int c = BigInteger.Parse(x!).CompareTo(BigInteger.Parse(y!));
                return c != 0 ? c : string.CompareOrdinal(x, y);
            }
            if (xn != yn) return xn ? -1 : 1;
            return string.CompareOrdinal(x, y);
        }

        private static bool IsDigits(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);
    }

    private static void Indent(StringBuilder sb, ConfigRenderOptions options, int level) => sb.Append(' ', level * options.IndentSize);

    private static void Write(StringBuilder sb, HoconValue value, ConfigRenderOptions options, int level)
    {
        switch (value)
        {
            case HoconObject obj:
                if (obj.Count == 0)
                {
                    sb.Append("{}");
                    return;
                }
                sb.Append("{\n");
                bool first = true;
                foreach (string key in SortedKeys(obj))
                {
                    var child = obj[key];
                    if (!first) sb.Append(options.StrictJson ? ",\n" : "\n");
                    first = false;
                    if (options.OriginComments && !options.StrictJson && child.Origin.Description.Length > 0)
                    {
                        Indent(sb, options, level + 1);
                        sb.Append("# ").Append(child.Origin.Description).Append(':').Append(child.Origin.Line).Append('\n');
                    }
                    Indent(sb, options, level + 1);
                    sb.Append(options.StrictJson ? HoconPath.Quote(key) : HoconPath.RenderKey(key));
                    sb.Append(options.StrictJson ? " : " : " = ");
                    Write(sb, child, options, level + 1);
                }
                sb.Append('\n');
                Indent(sb, options, level);
                sb.Append('}');
                return;
            case HoconArray array:
                if (array.Count == 0)
                {
                    sb.Append("[]");
                    return;
                }
                sb.Append("[\n");
                for (int i = 0; i < array.Count; i++)
                {
                    Indent(sb, options, level + 1);
                    Write(sb, array[i], options, level + 1);
                    sb.Append(i + 1 < array.Count ? ",\n" : "\n");
                }
                Indent(sb, options, level);
                sb.Append(']');
                return;
            case HoconScalar s:
                sb.Append(s.Type switch
                {
                    HoconValueType.String => HoconPath.Quote(s.Text),
                    HoconValueType.Number => options.StrictJson ? JsonNumber(s) : s.Text,
                    _ => s.Text,
                });
                return;
            case HoconSubstitution sub:
                sb.Append(sub.ToString());
                return;
            case HoconConcatenation concat:
                foreach (var piece in concat.Pieces)
                {
                    if (piece is HoconScalar { IsWhitespace: true } ws) sb.Append(ws.Text);
                    else Write(sb, piece, options, level);
                }
                return;
            case HoconDelayedMerge merge:
                Write(sb, merge.Stack[0], options, level);
                return;
        }
    }

    private static string JsonNumber(HoconScalar s)
    {
        string t = s.Text;
        bool leadingZero = t.TrimStart('-').Length > 1 && t.TrimStart('-')[0] == '0' && t.TrimStart('-')[1] != '.';
        return leadingZero ? s.AsDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture) : t;
    }
}
