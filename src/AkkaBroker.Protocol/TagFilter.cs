using System.Text;

namespace AkkaBroker.Protocol;

/// <summary>
/// A subscription's tag expression (<c>*</c>, or tags joined by <c>||</c>), matched first by the ConsumeQueue's
/// tag hash code (cheap, may let a hash collision through) and then by the exact tag of the record, as RocketMQ
/// does. Immutable; build once per subscription.
/// </summary>
public sealed class TagFilter
{
    private readonly HashSet<long> _codes;
    private readonly byte[][] _tags;

    private TagFilter(bool all, string expression, IReadOnlyList<string> tags)
    {
        MatchesAll = all;
        Expression = expression;
        Tags = tags;
        _codes = [.. tags.Select(t => (long)JavaHash.StringHashCode(t))];
        _tags = [.. tags.Select(Encoding.UTF8.GetBytes)];
    }

    /// <summary>The filter that lets everything through.</summary>
    public static TagFilter All { get; } = new(true, "*", []);

    /// <summary>Whether every message matches (<c>*</c> or an empty expression).</summary>
    public bool MatchesAll { get; }

    /// <summary>The expression as given.</summary>
    public string Expression { get; }

    /// <summary>The distinct tags of the expression, in order.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>Parses <c>*</c>, an empty expression (both: everything), or <c>TagA || TagB</c>.</summary>
    public static TagFilter Parse(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression) || expression.Trim() == "*") return All;
        var tags = expression.Split("||", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToArray();
        return tags.Length == 0 ? All : new TagFilter(false, expression, tags);
    }

    /// <summary>First-pass match on the ConsumeQueue unit's tag code.</summary>
    public bool MatchesCode(long tagsCode) => MatchesAll || _codes.Contains(tagsCode);

    /// <summary>Exact match on the record's TAGS property (UTF-8); a message without a tag matches only <c>*</c>.</summary>
    public bool MatchesTag(ReadOnlySpan<byte> tag)
    {
        if (MatchesAll) return true;
        foreach (var t in _tags)
        {
            if (tag.SequenceEqual(t)) return true;
        }

        return false;
    }
}
