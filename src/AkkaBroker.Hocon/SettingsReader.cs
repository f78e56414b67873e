using System.Globalization;
using AkkaBroker.Common.Naming;

namespace AkkaBroker.Hocon;

/// <summary>
/// Reads one section of a resolved config into settings classes: typed getters with range checks whose
/// errors name the full key path and the file position, so every settings class reports problems alike.
/// </summary>
public sealed class SettingsReader
{
    private readonly Config _config;
    private readonly bool _relative;

    /// <summary>A reader of <paramref name="section"/>.</summary>
    /// <param name="config">The resolved config.</param>
    /// <param name="section">Path of the section, e.g. <c>akkabroker.store</c>; used in error messages.</param>
    /// <param name="relative">True when <paramref name="config"/> is the section itself (an element of a config list).</param>
    public SettingsReader(Config config, string section, bool relative = false)
    {
        _config = config;
        Section = section;
        _relative = relative;
    }

    /// <summary>The section's path.</summary>
    public string Section { get; }

    /// <summary>The full path of <paramref name="key"/> in this section.</summary>
    public string PathOf(string key) => $"{Section}.{key}";

    /// <summary>Whether the key is present and not null.</summary>
    public bool HasPath(string key) => _config.HasPath(Lookup(key));

    /// <summary>A string.</summary>
    public string String(string key) => Read(key, static (c, p) => c.GetString(p));

    /// <summary>A boolean (true/false, yes/no, on/off).</summary>
    public bool Bool(string key) => Read(key, static (c, p) => c.GetBoolean(p));

    /// <summary>An int within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int Int(string key, int min = int.MinValue, int max = int.MaxValue)
    {
        var value = Read(key, static (c, p) => c.GetInt(p));
        return value >= min && value <= max ? value : throw BadValue(key, $"{value} is outside {min}..{max}");
    }

    /// <summary>A long within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long Long(string key, long min = long.MinValue, long max = long.MaxValue)
    {
        var value = Read(key, static (c, p) => c.GetLong(p));
        return value >= min && value <= max ? value : throw BadValue(key, $"{value} is outside {min}..{max}");
    }

    /// <summary>A double within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public double Double(string key, double min, double max)
    {
        var value = Read(key, static (c, p) => c.GetDouble(p));
        return value >= min && value <= max ? value : throw BadValue(key, $"{value.ToString(CultureInfo.InvariantCulture)} is outside {min}..{max}");
    }

    /// <summary>A TCP port, 1..65535.</summary>
    public int Port(string key) => Int(key, 1, 65535);

    /// <summary>A size in bytes (<c>64k</c>, <c>1g</c>) within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long ByteSize(string key, long min = 0, long max = long.MaxValue)
    {
        var value = Read(key, static (c, p) => c.GetByteSize(p));
        return value >= min && value <= max
            ? value
            : throw BadValue(key, $"{value.ToString(CultureInfo.InvariantCulture)} bytes is outside {min}..{max}");
    }

    /// <summary>A duration; positive unless <paramref name="allowZero"/>.</summary>
    public TimeSpan Duration(string key, bool allowZero = false)
    {
        var value = Read(key, static (c, p) => c.GetTimeSpan(p));
        if (value < TimeSpan.Zero || (value == TimeSpan.Zero && !allowZero))
            throw BadValue(key, allowZero ? "must not be negative" : "must be a positive duration");
        return value;
    }

    /// <summary>
    /// An enum value written as RocketMQ writes it (<c>ASYNC_FLUSH</c>) or as the C# name (<c>AsyncFlush</c>);
    /// an unknown value lists the allowed ones.
    /// </summary>
    public T Enum<T>(string key) where T : struct, Enum
    {
        var text = String(key);
        foreach (var value in System.Enum.GetValues<T>())
        {
            if (string.Equals(text.Replace("_", ""), value.ToString(), StringComparison.OrdinalIgnoreCase)) return value;
        }

        var allowed = string.Join(", ", System.Enum.GetNames<T>().Select(ToScreamingSnakeCase));
        throw BadValue(key, $"'{text}' is not one of {allowed}");
    }

    /// <summary>A name by RocketMQ's resource name rules (letters, digits, <c>%|_-</c>).</summary>
    public string Name(string key)
    {
        var value = String(key);
        return ResourceNames.ValidateGroup(value) is { } problem ? throw BadValue(key, problem) : value;
    }

    /// <summary>A topic name by RocketMQ's rules.</summary>
    public string TopicName(string key)
    {
        var value = String(key);
        return ResourceNames.ValidateTopic(value) is { } problem ? throw BadValue(key, problem) : value;
    }

    /// <summary>A list of strings.</summary>
    public IReadOnlyList<string> StringList(string key) => Read(key, static (c, p) => c.GetStringList(p));

    /// <summary>A list of objects, each as its own config.</summary>
    public IReadOnlyList<Config> ConfigList(string key) => Read(key, static (c, p) => c.GetConfigList(p));

    /// <summary>Rejects keys of this section other than <paramref name="known"/> (for sections that are list elements).</summary>
    public void RejectUnknownKeys(params string[] known)
    {
        var root = _relative ? _config.Root : _config.GetConfig(Section).Root;
        foreach (var key in root.Keys)
        {
            if (!known.Contains(key)) throw BadValue(key, $"unknown setting; known here are {string.Join(", ", known)}");
        }
    }

    /// <summary>An error about <paramref name="key"/> (or the section when null) at the value's position in its file.</summary>
    public ConfigBadValueException BadValue(string? key, string message)
    {
        ConfigOrigin? origin = null;
        if (key is not null && _config.HasPath(Lookup(key))) origin = _config.GetValue(Lookup(key)).Origin;
        return new ConfigBadValueException(origin, $"{(key is null ? Section : PathOf(key))}: {message}");
    }

    private string Lookup(string key) => _relative ? key : PathOf(key);

    private T Read<T>(string key, Func<Config, string, T> get)
    {
        if (!_relative) return get(_config, Lookup(key));
        try
        {
            return get(_config, key);
        }
        catch (ConfigException e)
        {
            // The element's own error names only the relative key; name the full path instead.
            var prefix = e.OriginFile is null ? "" : $"{e.OriginFile}:{e.Line}:{e.Column}: ";
            var origin = e.OriginFile is null ? null : new ConfigOrigin(e.OriginFile, e.Line, e.Column);
            throw new ConfigBadValueException(origin, $"{PathOf(key)}: {e.Message[prefix.Length..]}");
        }
    }

    private static string ToScreamingSnakeCase(string name) =>
        string.Concat(name.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : char.ToUpperInvariant(c).ToString()));
}
