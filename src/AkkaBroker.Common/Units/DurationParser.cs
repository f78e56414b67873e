using System.Numerics;

namespace AkkaBroker.Common.Units;

/// <summary>
/// Parses HOCON duration strings: a number followed by an optional unit, e.g. <c>"500ms"</c>, <c>"15s"</c>,
/// <c>"2 minutes"</c>, <c>"0.5s"</c>. A bare number means milliseconds.
/// Units: <c>ns</c>/nano(s)/nanosecond(s), <c>us</c>/micro(s)/microsecond(s), <c>ms</c>/milli(s)/millisecond(s),
/// <c>s</c>/second(s), <c>m</c>/minute(s), <c>h</c>/hour(s), <c>d</c>/day(s).
/// </summary>
public static class DurationParser
{
    private static readonly Dictionary<string, long> NanosPerUnit = BuildUnits();

    private static Dictionary<string, long> BuildUnits()
    {
        var units = new Dictionary<string, long>(StringComparer.Ordinal);
        void Add(long nanos, params string[] names)
        {
            foreach (string n in names)
            {
                units[n] = nanos;
            }
        }
        Add(1L, "ns", "nano", "nanos", "nanosecond", "nanoseconds");
        Add(1_000L, "us", "µs", "micro", "micros", "microsecond", "microseconds");
        Add(1_000_000L, "", "ms", "milli", "millis", "millisecond", "milliseconds");
        Add(1_000_000_000L, "s", "second", "seconds");
        Add(60_000_000_000L, "m", "minute", "minutes");
        Add(3_600_000_000_000L, "h", "hour", "hours");
        Add(86_400_000_000_000L, "d", "day", "days");
        return units;
    }

    /// <summary>Parses <paramref name="text"/> to a whole number of nanoseconds (fractions truncated).</summary>
    /// <returns><c>false</c> for an unknown unit, a malformed number or a value outside <see cref="long"/>.</returns>
    public static bool TryParseNanos(ReadOnlySpan<char> text, out long nanos)
    {
        nanos = 0;
        if (!UnitNumber.TrySplit(text, out var number, out var unit))
        {
            return false;
        }
        if (!NanosPerUnit.TryGetValue(unit.ToString(), out long factor))
        {
            return false;
        }
        if (!UnitNumber.TryMultiply(number, factor, out BigInteger result)
            || result > long.MaxValue || result < long.MinValue)
        {
            return false;
        }
        nanos = (long)result;
        return true;
    }

    /// <summary>Parses <paramref name="text"/> to a <see cref="TimeSpan"/> (resolution 100 ns, truncated).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (!TryParseNanos(text, out long nanos))
        {
            return false;
        }
        value = TimeSpan.FromTicks(nanos / 100);
        return true;
    }

    /// <summary>Parses <paramref name="text"/> to a <see cref="TimeSpan"/>, throwing <see cref="FormatException"/> on bad input.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"'{text}' is not a valid duration (e.g. 500ms, 15s, 2 minutes)");
}
