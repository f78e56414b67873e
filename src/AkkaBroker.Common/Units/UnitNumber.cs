using System.Globalization;
using System.Numerics;

namespace AkkaBroker.Common.Units;

/// <summary>
/// Splits a "number + unit" text such as <c>"500ms"</c>, <c>"2 minutes"</c> or <c>"5.72m"</c> into its
/// numeric part and its unit, and multiplies the number by a unit factor exactly (no double rounding).
/// </summary>
public static class UnitNumber
{
    /// <summary>
    /// Splits <paramref name="text"/> (surrounding whitespace ignored) into a number and a unit.
    /// The number is an optional sign, digits and an optional fraction/exponent; the unit is the rest
    /// with whitespace trimmed (it may be empty).
    /// </summary>
    /// <returns><c>false</c> when the text does not start with a number.</returns>
    public static bool TrySplit(ReadOnlySpan<char> text, out ReadOnlySpan<char> number, out ReadOnlySpan<char> unit)
    {
        text = text.Trim();
        int i = text.Length;
        while (i > 0 && char.IsLetter(text[i - 1]))
        {
            i--;
        }
        number = text[..i].TrimEnd();
        unit = text[i..];
        if (number.IsEmpty)
        {
            return false;
        }
        foreach (char c in number)
        {
            if (!(char.IsAsciiDigit(c) || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
            {
                return false;
            }
        }
        return char.IsAsciiDigit(number[^1]) || number[^1] == '.';
    }

    /// <summary>
    /// Multiplies the decimal number in <paramref name="number"/> by <paramref name="factor"/> and truncates
    /// toward zero. Integers are multiplied exactly; fractions are multiplied exactly as decimal fractions.
    /// </summary>
    /// <returns><c>false</c> when the number cannot be parsed.</returns>
    public static bool TryMultiply(ReadOnlySpan<char> number, BigInteger factor, out BigInteger result)
    {
        result = BigInteger.Zero;
        bool negative = false;
        if (number.Length > 0 && (number[0] == '-' || number[0] == '+'))
        {
            negative = number[0] == '-';
            number = number[1..];
        }
        int exponent = 0;
        int e = number.IndexOfAny('e', 'E');
        if (e >= 0)
        {
            if (!int.TryParse(number[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent)
                || Math.Abs(exponent) > 400)
            {
                return false;
            }
            number = number[..e];
        }
        int dot = number.IndexOf('.');
        ReadOnlySpan<char> intPart = dot >= 0 ? number[..dot] : number;
        ReadOnlySpan<char> fracPart = dot >= 0 ? number[(dot + 1)..] : ReadOnlySpan<char>.Empty;
        if (intPart.IsEmpty && fracPart.IsEmpty)
        {
            return false;
        }
        BigInteger mantissa = BigInteger.Zero;
        foreach (char c in intPart)
        {
            if (!char.IsAsciiDigit(c)) return false;
            mantissa = mantissa * 10 + (c - '0');
        }
        foreach (char c in fracPart)
        {
            if (!char.IsAsciiDigit(c)) return false;
            mantissa = mantissa * 10 + (c - '0');
        }
        int scale = fracPart.Length - exponent;
        BigInteger value = mantissa * factor;
        if (scale > 0)
        {
            value /= BigInteger.Pow(10, scale);
        }
        else if (scale < 0)
        {
            value *= BigInteger.Pow(10, -scale);
        }
        result = negative ? -value : value;
        return true;
    }
}
