using System.Globalization;
using System.Numerics;
using AkkaBroker.Common.Units;

namespace AkkaBroker.Hocon;

public sealed partial class Config
{
    /// <summary>True when <paramref name="path"/> exists and is not null.</summary>
    /// <exception cref="ConfigBadPathException">The path expression is malformed.</exception>
    public bool HasPath(string path)
    {
        HoconValue current = Root;
        foreach (string segment in HoconPath.Parse(path))
        {
            if (current is not HoconObject obj || !obj.TryGetValue(segment, out current!)) return false;
        }
        return current.Type != HoconValueType.Null;
    }

    /// <summary>The raw value at <paramref name="path"/>.</summary>
    /// <exception cref="ConfigMissingException">The path is missing or null.</exception>
    public HoconValue GetValue(string path)
    {
        string[] segments = HoconPath.Parse(path);
        HoconValue current = Root;
        for (int i = 0; i < segments.Length; i++)
        {
            if (current is not HoconObject obj)
            {
                string parent = HoconPath.Render(segments[..i]);
                throw new ConfigWrongTypeException(current.Origin, $"'{parent}' has type {current.TypeName} rather than object, so '{path}' cannot be read");
            }
            if (!obj.TryGetValue(segments[i], out current!))
            {
                throw new ConfigMissingException(obj.Origin, $"no configuration setting found for key '{path}'");
            }
        }
        if (current.Type == HoconValueType.Null)
        {
            throw new ConfigMissingException(current.Origin, $"configuration key '{path}' is set to null");
        }
        if (!current.IsResolved)
        {
            throw new ConfigResolveException(current.Origin, $"'{path}' has unresolved substitutions; call Resolve() first");
        }
        return current;
    }

    /// <summary>A string; numbers and booleans are converted to their text.</summary>
    public string GetString(string path) => AsString(GetValue(path), path);

    /// <summary>A boolean; the strings true/false/yes/no/on/off are converted.</summary>
    public bool GetBoolean(string path) => AsBoolean(GetValue(path), path);

    /// <summary>A 32-bit integer; numeric strings are converted.</summary>
    public int GetInt(string path) => AsInt(GetValue(path), path);

    /// <summary>A 64-bit integer; numeric strings are converted.</summary>
    public long GetLong(string path) => AsLong(GetValue(path), path);

    /// <summary>A double; numeric strings are converted.</summary>
    public double GetDouble(string path) => AsDouble(GetValue(path), path);

    /// <summary>A duration (<c>500ms</c>, <c>15s</c>, <c>2 minutes</c>, <c>0.5s</c>); a bare number means milliseconds.</summary>
    public TimeSpan GetTimeSpan(string path) => TimeSpan.FromTicks(AsNanos(GetValue(path), path) / 100);

    /// <summary>A duration in nanoseconds, computed exactly.</summary>
    public long GetDurationNanos(string path) => AsNanos(GetValue(path), path);

    /// <summary>A size in bytes (<c>64k</c>, <c>1g</c>, <c>5.72m</c>, <c>1kB</c>); a bare number means bytes.</summary>
    /// <exception cref="ConfigBadValueException">Not a size, or it does not fit in a <see cref="long"/>.</exception>
    public long GetByteSize(string path) => AsBytes(GetValue(path), path);

    /// <summary>A size in bytes of any magnitude (for example <c>1YB</c> = 10^24, which does not fit in a long).</summary>
    public BigInteger GetByteSizeBig(string path) => AsBigBytes(GetValue(path), path);

    /// <summary>The object at <paramref name="path"/> as a config.</summary>
    public Config GetConfig(string path)
    {
        var value = GetValue(path);
        return value is HoconObject obj ? new Config(obj) : throw WrongType(value, path, "object");
    }

    /// <summary>A list of values (an object with numeric keys reads as a list ordered by key).</summary>
    public IReadOnlyList<HoconValue> GetList(string path) => AsList(GetValue(path), path);

    /// <summary>A list of strings.</summary>
    public IReadOnlyList<string> GetStringList(string path) => MapList(path, AsString);

    /// <summary>A list of 32-bit integers.</summary>
    public IReadOnlyList<int> GetIntList(string path) => MapList(path, AsInt);

    /// <summary>A list of 64-bit integers.</summary>
    public IReadOnlyList<long> GetLongList(string path) => MapList(path, AsLong);

    /// <summary>A list of doubles.</summary>
    public IReadOnlyList<double> GetDoubleList(string path) => MapList(path, AsDouble);

    /// <summary>A list of booleans.</summary>
    public IReadOnlyList<bool> GetBooleanList(string path) => MapList(path, AsBoolean);

    /// <summary>A list of durations.</summary>
    public IReadOnlyList<TimeSpan> GetTimeSpanList(string path) => MapList(path, (v, p) => TimeSpan.FromTicks(AsNanos(v, p) / 100));

    /// <summary>A list of sizes in bytes.</summary>
    public IReadOnlyList<long> GetByteSizeList(string path) => MapList(path, AsBytes);

    /// <summary>A list of sizes in bytes of any magnitude.</summary>
    public IReadOnlyList<BigInteger> GetByteSizeBigList(string path) => MapList(path, AsBigBytes);

    /// <summary>A list of objects as configs.</summary>
    public IReadOnlyList<Config> GetConfigList(string path) =>
        MapList(path, (v, p) => v is HoconObject o ? new Config(o) : throw WrongType(v, p, "object"));

    private IReadOnlyList<T> MapList<T>(string path, Func<HoconValue, string, T> convert)
    {
        var items = AsList(GetValue(path), path);
        var result = new T[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            string itemPath = $"{path}[{i}]";
            if (items[i].Type == HoconValueType.Null)
            {
                throw new ConfigMissingException(items[i].Origin, $"list element '{itemPath}' is null");
            }
            result[i] = convert(items[i], itemPath);
        }
        return result;
    }

    private static IReadOnlyList<HoconValue> AsList(HoconValue value, string path)
    {
        if (value is HoconArray array) return array;
        if (value is HoconObject obj)
        {
            var indexed = new List<(BigInteger Index, HoconValue Value)>();
            foreach (var (key, item) in obj.Fields)
            {
                if (key.Length > 0 && key.All(char.IsAsciiDigit)) indexed.Add((BigInteger.Parse(key, CultureInfo.InvariantCulture), item));
            }
            if (indexed.Count > 0 || obj.Count == 0)
            {
                return indexed.OrderBy(e => e.Index).Select(e => e.Value).ToList();
            }
        }
        throw WrongType(value, path, "list");
    }

    private static ConfigWrongTypeException WrongType(HoconValue value, string path, string expected) =>
        new(value.Origin, $"'{path}' has type {value.TypeName} rather than {expected}");

    private static string AsString(HoconValue value, string path) =>
        value is HoconScalar s ? s.Text : throw WrongType(value, path, "string");

    private static bool AsBoolean(HoconValue value, string path)
    {
        if (value is HoconScalar { Type: HoconValueType.Boolean or HoconValueType.String } s)
        {
            switch (s.Text)
            {
                case "true" or "yes" or "on": return true;
                case "false" or "no" or "off": return false;
            }
        }
        throw WrongType(value, path, "boolean");
    }

    private static double AsDouble(HoconValue value, string path)
    {
        if (value is HoconScalar { Type: HoconValueType.Number or HoconValueType.String } s
            && double.TryParse(s.Text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
        {
            return d;
        }
        throw WrongType(value, path, "number");
    }

    private static long AsLong(HoconValue value, string path)
    {
        if (value is HoconScalar { Type: HoconValueType.Number or HoconValueType.String } s)
        {
            string text = s.Text.Trim();
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return l;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
            {
                if (d >= long.MinValue && d < 9.2233720368547758e18) return (long)d;
                throw new ConfigBadValueException(value.Origin, $"'{path}' = {text} is out of range for a 64-bit integer");
            }
        }
        throw WrongType(value, path, "number");
    }

    private static int AsInt(HoconValue value, string path)
    {
        long l = AsLong(value, path);
        return l is >= int.MinValue and <= int.MaxValue
            ? (int)l
            : throw new ConfigBadValueException(value.Origin, $"'{path}' = {l} is out of range for a 32-bit integer");
    }

    private static long AsNanos(HoconValue value, string path)
    {
        if (value is HoconScalar { Type: HoconValueType.Number or HoconValueType.String } s)
        {
            return DurationParser.TryParseNanos(s.Text, out long nanos)
                ? nanos
                : throw new ConfigBadValueException(value.Origin, $"'{path}' = '{s.Text}' is not a duration (e.g. 500ms, 15s, 2 minutes; units ns, us, ms, s, m, h, d)");
        }
        throw WrongType(value, path, "duration");
    }

    private static BigInteger AsBigBytes(HoconValue value, string path)
    {
        if (value is HoconScalar { Type: HoconValueType.Number or HoconValueType.String } s)
        {
            return ByteSizeParser.TryParseBig(s.Text, out BigInteger bytes)
                ? bytes
                : throw new ConfigBadValueException(value.Origin, $"'{path}' = '{s.Text}' is not a size in bytes (e.g. 64k, 1g, 512MiB, 1kB)");
        }
        throw WrongType(value, path, "size in bytes");
    }

    private static long AsBytes(HoconValue value, string path)
    {
        BigInteger big = AsBigBytes(value, path);
        return big >= long.MinValue && big <= long.MaxValue
            ? (long)big
            : throw new ConfigBadValueException(value.Origin, $"'{path}' = '{((HoconScalar)value).Text}' is {big} bytes, which does not fit in a 64-bit integer");
    }
}
