namespace AkkaBroker.Hocon;

/// <summary><c>${path}</c> or <c>${?path}</c>. <see cref="Prefix"/> is the location of the include it came from.</summary>
internal sealed class HoconSubstitution(string[] path, bool optional, string[] prefix, ConfigOrigin origin) : HoconValue(origin)
{
    public string[] Path { get; } = path;

    public bool Optional { get; } = optional;

    /// <summary>Include location: the path is first tried under it, then from the root.</summary>
    public string[] Prefix { get; } = prefix;

    public override HoconValueType Type => HoconValueType.Unresolved;

    public override bool IsResolved => false;

    public override string ToString() => "${" + (Optional ? "?" : "") + HoconPath.Render(Path) + "}";
}

/// <summary>Values written next to each other, at least one of them unresolved. Whitespace pieces are kept.</summary>
internal sealed class HoconConcatenation(IReadOnlyList<HoconValue> pieces, ConfigOrigin origin) : HoconValue(origin)
{
    public IReadOnlyList<HoconValue> Pieces { get; } = pieces;

    public override HoconValueType Type => HoconValueType.Unresolved;

    public override bool IsResolved => false;
}

/// <summary>
/// Several values assigned to the same path where at least one is unresolved, highest priority first.
/// Resolution merges them (objects merge, anything else cuts off what lies below it).
/// </summary>
internal sealed class HoconDelayedMerge(IReadOnlyList<HoconValue> stack, ConfigOrigin origin) : HoconValue(origin)
{
    public IReadOnlyList<HoconValue> Stack { get; } = stack;

    public override HoconValueType Type => HoconValueType.Unresolved;

    public override bool IsResolved => false;
}
