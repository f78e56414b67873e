using System.Globalization;

namespace AkkaBroker.Hocon;

/// <summary>The kind of a <see cref="HoconValue"/>.</summary>
public enum HoconValueType
{
    /// <summary>An object (<see cref="HoconObject"/>).</summary>
    Object,
    /// <summary>An array (<see cref="HoconArray"/>).</summary>
    Array,
    /// <summary>A string scalar.</summary>
    String,
    /// <summary>A number scalar (its text is kept as written).</summary>
    Number,
    /// <summary>A boolean scalar.</summary>
    Boolean,
    /// <summary>The null scalar.</summary>
    Null,
    /// <summary>A substitution, concatenation or merge that <see cref="Config.Resolve"/> has not resolved yet.</summary>
    Unresolved,
}

/// <summary>A node of a HOCON value tree. Every value knows its origin (file:line:column).</summary>
public abstract class HoconValue
{
    private protected HoconValue(ConfigOrigin origin) => Origin = origin;

    /// <summary>Where the value was written.</summary>
    public ConfigOrigin Origin { get; }

    /// <summary>The kind of value.</summary>
    public abstract HoconValueType Type { get; }

    /// <summary>True when the value and everything under it is resolved (no substitutions left).</summary>
    public abstract bool IsResolved { get; }

    /// <summary>A short type name used in error messages.</summary>
    internal string TypeName => Type switch
    {
        HoconValueType.Object => "object",
        HoconValueType.Array => "list",
        HoconValueType.String => "string",
        HoconValueType.Number => "number",
        HoconValueType.Boolean => "boolean",
        HoconValueType.Null => "null",
        _ => "unresolved value",
    };
}

/// <summary>A string, number, boolean or null. <see cref="Text"/> is the value as written (numbers keep their spelling).</summary>
public sealed class HoconScalar : HoconValue
{
    /// <summary>Creates a scalar of <paramref name="type"/> (String, Number, Boolean or Null) with its text.</summary>
    public HoconScalar(HoconValueType type, string text, ConfigOrigin origin) : base(origin)
    {
        if (type is HoconValueType.Object or HoconValueType.Array or HoconValueType.Unresolved)
        {
            throw new ArgumentException("a scalar must be a string, number, boolean or null", nameof(type));
        }
        Type = type;
        Text = text;
    }

    /// <summary>Creates a string scalar.</summary>
    public static HoconScalar String(string text, ConfigOrigin origin) => new(HoconValueType.String, text, origin);

    /// <inheritdoc />
    public override HoconValueType Type { get; }

    /// <summary>The text of the value: a string's content, a number as written, <c>true</c>/<c>false</c>, <c>null</c>.</summary>
    public string Text { get; }

    /// <inheritdoc />
    public override bool IsResolved => true;

    /// <summary>Whitespace kept between the parts of a concatenation (internal to the parser).</summary>
    internal bool IsWhitespace { get; init; }

    /// <summary>The number as a double, for numbers only.</summary>
    internal double AsDouble() => double.Parse(Text, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override string ToString() => Text;
}

/// <summary>An ordered list of values.</summary>
public sealed class HoconArray : HoconValue, IReadOnlyList<HoconValue>
{
    private readonly List<HoconValue> _items;
    private bool? _resolved;

    /// <summary>Creates an array (the list is copied).</summary>
    public HoconArray(IEnumerable<HoconValue> items, ConfigOrigin origin) : base(origin) => _items = [.. items];

    /// <inheritdoc />
    public override HoconValueType Type => HoconValueType.Array;

    /// <inheritdoc />
    public override bool IsResolved => _resolved ??= _items.TrueForAll(v => v.IsResolved);

    /// <inheritdoc />
    public int Count => _items.Count;

    /// <inheritdoc />
    public HoconValue this[int index] => _items[index];

    /// <inheritdoc />
    public IEnumerator<HoconValue> GetEnumerator() => _items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>An object: keys to values, in the order they were first written.</summary>
public sealed class HoconObject : HoconValue
{
    private readonly Dictionary<string, HoconValue> _fields = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private bool? _resolved;

    /// <summary>Creates an empty object.</summary>
    public HoconObject(ConfigOrigin origin) : base(origin) { }

    /// <summary>Creates an object from fields (later duplicates replace earlier ones).</summary>
    public HoconObject(IEnumerable<KeyValuePair<string, HoconValue>> fields, ConfigOrigin origin) : base(origin)
    {
        foreach (var (key, value) in fields)
        {
            Set(key, value);
        }
    }

    /// <inheritdoc />
    public override HoconValueType Type => HoconValueType.Object;

    /// <inheritdoc />
    public override bool IsResolved
    {
        get
        {
            if (_resolved is null)
            {
                bool all = true;
                foreach (var v in _fields.Values)
                {
                    if (!v.IsResolved) { all = false; break; }
                }
                _resolved = all;
            }
            return _resolved.Value;
        }
    }

    /// <summary>The keys in first-written order.</summary>
    public IReadOnlyList<string> Keys => _order;

    /// <summary>Number of fields.</summary>
    public int Count => _order.Count;

    /// <summary>The value of <paramref name="key"/> (a single key, not a path).</summary>
    public HoconValue this[string key] => _fields[key];

    /// <summary>Looks up a single key (not a path).</summary>
    public bool TryGetValue(string key, out HoconValue value) => _fields.TryGetValue(key, out value!);

    /// <summary>The fields in first-written order.</summary>
    public IEnumerable<KeyValuePair<string, HoconValue>> Fields
    {
        get
        {
            foreach (string key in _order)
            {
                yield return new(key, _fields[key]);
            }
        }
    }

    /// <summary>Sets a field while the object is being built (parser, merger, resolver only).</summary>
    internal void Set(string key, HoconValue value)
    {
        if (!_fields.ContainsKey(key))
        {
            _order.Add(key);
        }
        _fields[key] = value;
        _resolved = null;
    }
}
