using System.Numerics;

namespace AkkaBroker.Common.Units;

/// <summary>
/// Parses HOCON byte sizes: a number followed by an optional unit. A bare number means bytes.
/// Single letters (<c>k</c>/<c>K</c>, <c>m</c>/<c>M</c>, <c>g</c>/<c>G</c>, ...) and the IEC forms (<c>Ki</c>, <c>KiB</c>,
/// <c>kibibyte</c>, ...) are powers of two; the SI forms (<c>kB</c>, <c>MB</c>, <c>kilobyte</c>, ...) are powers of ten.
/// Fractions are allowed (<c>"5.72m"</c>, <c>"0.5M"</c>) and truncated to whole bytes.
/// </summary>
public static class ByteSizeParser
{
    private static readonly Dictionary<string, BigInteger> BytesPerUnit = BuildUnits();

    private static Dictionary<string, BigInteger> BuildUnits()
    {
        var units = new Dictionary<string, BigInteger>(StringComparer.Ordinal)
        {
            [""] = BigInteger.One, ["B"] = BigInteger.One, ["b"] = BigInteger.One,
            ["byte"] = BigInteger.One, ["bytes"] = BigInteger.One,
        };
        string[] letters = ["K", "M", "G", "T", "P", "E", "Z", "Y"];
        string[] si = ["kilo", "mega", "giga", "tera", "peta", "exa", "zetta", "yotta"];
        string[] iec = ["kibi", "mebi", "gibi", "tebi", "pebi", "exbi", "zebi", "yobi"];
        for (int i = 0; i < letters.Length; i++)
        {
            BigInteger pow2 = BigInteger.Pow(1024, i + 1);
            BigInteger pow10 = BigInteger.Pow(1000, i + 1);
            string l = letters[i];
            units[l] = pow2;
            units[l.ToLowerInvariant()] = pow2;
            units[l + "i"] = pow2;
            units[l + "iB"] = pow2;
            units[iec[i] + "byte"] = pow2;
            units[iec[i] + "bytes"] = pow2;
            units[(i == 0 ? "k" : l) + "B"] = pow10;
            units[si[i] + "byte"] = pow10;
            units[si[i] + "bytes"] = pow10;
        }
        return units;
    }

    /// <summary>Parses <paramref name="text"/> to a byte count of any size (e.g. <c>"1YB"</c> = 10^24).</summary>
    /// <returns><c>false</c> for an unknown unit or a malformed number.</returns>
    public static bool TryParseBig(ReadOnlySpan<char> text, out BigInteger bytes)
    {
        bytes = BigInteger.Zero;
        if (!UnitNumber.TrySplit(text, out var number, out var unit))
        {
            return false;
        }
        return BytesPerUnit.TryGetValue(unit.ToString(), out BigInteger factor)
            && UnitNumber.TryMultiply(number, factor, out bytes);
    }

    /// <summary>Parses <paramref name="text"/> to a byte count that fits in a <see cref="long"/>.</summary>
    /// <returns><c>false</c> for an unknown unit, a malformed number or a value outside <see cref="long"/>.</returns>
    public static bool TryParse(ReadOnlySpan<char> text, out long bytes)
    {
        bytes = 0;
        if (!TryParseBig(text, out BigInteger big) || big > long.MaxValue || big < long.MinValue)
        {
            return false;
        }
        bytes = (long)big;
        return true;
    }

    /// <summary>Parses <paramref name="text"/>, throwing <see cref="FormatException"/> on bad input or overflow.</summary>
    public static long Parse(string text) =>
        TryParse(text, out long value) ? value : throw new FormatException($"'{text}' is not a valid byte size (e.g. 64k, 1g, 512MiB)");
}
