namespace AkkaBroker.Hocon;

/// <summary>
/// Resolves substitutions against the root of one tree. Each path's final value is computed once (memoised) and a
/// path met again while it is being computed is a cycle. A substitution written directly as a field's value (alone,
/// in a concatenation or in a merge of several assignments) that points at that field or below it is
/// self-referential: it reads the value the field had before this assignment ("look back").
/// </summary>
internal sealed class HoconResolver
{
    /// <summary>Deepest chain of nested resolutions before giving up (protects the stack).</summary>
    public const int MaxDepth = 300;

    private readonly HoconObject _root;
    private readonly Func<string, string?>? _environment;
    private readonly Dictionary<string, HoconValue?> _memo = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inProgress = new(StringComparer.Ordinal);
    private int _depth;

    private HoconResolver(HoconObject root, Func<string, string?>? environment)
    {
        _root = root;
        _environment = environment;
    }

    public static HoconObject Resolve(HoconObject root, Func<string, string?>? environment)
    {
        if (root.IsResolved) return root;
        var resolver = new HoconResolver(root, environment);
        return (HoconObject)resolver.ResolveValue(root, [], null, canonical: true)!;
    }

    /// <summary>The field being resolved and a lazy view of the value it had before the current assignment.</summary>
    private sealed class Lookback(string[] path, Func<HoconValue?> previous)
    {
        private readonly Lazy<HoconValue?> _previous = new(previous, LazyThreadSafetyMode.None);

        public string[] Path { get; } = path;

        public HoconValue? Previous => _previous.Value;
    }

    private HoconValue? ResolveCanonical(string[] path, HoconValue node)
    {
        if (node.IsResolved) return node;
        string key = HoconPath.Key(path);
        if (_memo.TryGetValue(key, out var done)) return done;
        if (!_inProgress.Add(key))
        {
            throw new ConfigResolveException(node.Origin, $"cycle in substitutions: the value of '{HoconPath.Render(path)}' depends on itself");
        }
        HoconValue? value;
        try
        {
            value = ResolveValue(node, path, new Lookback(path, () => null), canonical: true);
        }
        finally
        {
            _inProgress.Remove(key);
        }
        _memo[key] = value;
        return value;
    }

    private HoconValue? ResolveValue(HoconValue node, string[] path, Lookback? lookback, bool canonical)
    {
        if (node.IsResolved) return node;
        if (++_depth > MaxDepth)
        {
            throw new ConfigResolveException(node.Origin, $"substitutions nested deeper than {MaxDepth} levels at '{HoconPath.Render(path)}'");
        }
        try
        {
            switch (node)
            {
                case HoconObject obj:
                {
                    var result = new HoconObject(obj.Origin);
                    foreach (var (key, child) in obj.Fields)
                    {
                        string[] childPath = [.. path, key];
                        HoconValue? v = canonical
                            ? ResolveCanonical(childPath, child)
                            : ResolveValue(child, childPath, new Lookback(childPath, () => ChildOf(lookback?.Previous, key)), canonical: false);
                        if (v is not null) result.Set(key, v);
                    }
                    return result;
                }
                case HoconArray array:
                {
                    var items = new List<HoconValue>(array.Count);
                    foreach (var item in array)
                    {
                        var v = ResolveValue(item, path, null, canonical: false);
                        if (v is not null) items.Add(v);
                    }
                    return new HoconArray(items, array.Origin);
                }
                case HoconSubstitution sub:
                    return ResolveSubstitution(sub, lookback);
                case HoconConcatenation concat:
                {
                    var pieces = new List<HoconValue>(concat.Pieces.Count);
                    foreach (var piece in concat.Pieces)
                    {
                        bool direct = piece is HoconSubstitution or HoconConcatenation or HoconDelayedMerge;
                        var v = ResolveValue(piece, path, direct ? lookback : null, canonical: false);
                        if (v is not null) pieces.Add(v);
                    }
                    return HoconMerge.Concatenate(pieces, concat.Origin, HoconPath.Render(path));
                }
                case HoconDelayedMerge merge:
                    return ResolveStack(merge.Stack, 0, path, lookback);
                default:
                    return node;
            }
        }
        finally
        {
            _depth--;
        }
    }

    /// <summary>Merges the stack from <paramref name="start"/> down: objects merge, anything else cuts off what is below.</summary>
    private HoconValue? ResolveStack(IReadOnlyList<HoconValue> stack, int start, string[] path, Lookback? outer)
    {
        HoconValue? acc = null;
        for (int i = start; i < stack.Count; i++)
        {
            int below = i + 1;
            var lookback = new Lookback(path, () => LookbackValue(stack, below, path, outer));
            var v = ResolveValue(stack[i], path, lookback, canonical: false);
            if (v is null) continue;
            if (acc is null)
            {
                acc = v;
                if (v is not HoconObject) return v;
            }
            else if (v is HoconObject vo)
            {
                acc = HoconMerge.MergeObjects((HoconObject)acc, vo);
            }
            else
            {
                return acc;
            }
        }
        return acc;
    }

    private HoconValue? LookbackValue(IReadOnlyList<HoconValue> stack, int start, string[] path, Lookback? outer)
    {
        var v = ResolveStack(stack, start, path, outer);
        if (v is null) return outer?.Previous;
        if (v is HoconObject vo && outer?.Previous is HoconObject po) return HoconMerge.MergeObjects(vo, po);
        return v;
    }

    private static HoconValue? ChildOf(HoconValue? value, string key) =>
        value is HoconObject o && o.TryGetValue(key, out var child) ? child : null;

    private HoconValue? ResolveSubstitution(HoconSubstitution sub, Lookback? lookback)
    {
        if (sub.Prefix.Length > 0 && TryResolvePath([.. sub.Prefix, .. sub.Path], lookback, out var prefixed))
        {
            return prefixed;
        }
        if (TryResolvePath(sub.Path, lookback, out var value))
        {
            return value;
        }
        if (_environment?.Invoke(string.Join('.', sub.Path)) is { } env)
        {
            return HoconScalar.String(env, sub.Origin);
        }
        if (sub.Optional) return null;
        throw new ConfigResolveException(sub.Origin, $"could not resolve substitution {sub} to a value");
    }

    private bool TryResolvePath(string[] path, Lookback? lookback, out HoconValue? value)
    {
        if (lookback is not null && StartsWith(path, lookback.Path))
        {
            value = lookback.Previous;
            for (int i = lookback.Path.Length; i < path.Length && value is not null; i++)
            {
                value = ChildOf(value, path[i]);
            }
            return value is not null;
        }
        value = LookupCanonical(path);
        return value is not null;
    }

    private static bool StartsWith(string[] path, string[] prefix)
    {
        if (path.Length < prefix.Length) return false;
        for (int i = 0; i < prefix.Length; i++)
        {
            if (!string.Equals(path[i], prefix[i], StringComparison.Ordinal)) return false;
        }
        return true;
    }

    /// <summary>The resolved value at an absolute path, or null when nothing is there.</summary>
    private HoconValue? LookupCanonical(string[] path)
    {
        HoconValue node = _root;
        for (int i = 0; i < path.Length; i++)
        {
            if (node is not HoconObject obj)
            {
                if (ResolveCanonical(path[..i], node) is not HoconObject resolved) return null;
                obj = resolved;
            }
            if (!obj.TryGetValue(path[i], out var child)) return null;
            node = child;
        }
        return ResolveCanonical(path, node);
    }
}
