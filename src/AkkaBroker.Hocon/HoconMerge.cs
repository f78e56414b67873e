namespace AkkaBroker.Hocon;

/// <summary>Merging of values (HOCON "duplicate keys and object merging") and concatenation of resolved pieces.</summary>
internal static class HoconMerge
{
    /// <summary>Merges <paramref name="top"/> over <paramref name="bottom"/>; the top wins. Never mutates its inputs.</summary>
    public static HoconValue Merge(HoconValue top, HoconValue bottom)
    {
        if (top is HoconObject to)
        {
            if (bottom is HoconObject bo)
            {
                return MergeObjects(to, bo);
            }
            if (bottom is HoconSubstitution or HoconConcatenation or HoconDelayedMerge)
            {
                return Stack(top, bottom);
            }
            return top;
        }
        if (top is HoconSubstitution or HoconConcatenation or HoconDelayedMerge)
        {
            return Stack(top, bottom);
        }
        return top;
    }

    private static HoconDelayedMerge Stack(HoconValue top, HoconValue bottom)
    {
        var list = new List<HoconValue>();
        void Add(HoconValue v)
        {
            if (v is HoconDelayedMerge d) list.AddRange(d.Stack);
            else list.Add(v);
        }
        Add(top);
        Add(bottom);
        return new HoconDelayedMerge(list, top.Origin);
    }

    public static HoconObject MergeObjects(HoconObject top, HoconObject bottom)
    {
        var result = new HoconObject(top.Origin);
        foreach (var (key, value) in bottom.Fields)
        {
            result.Set(key, top.TryGetValue(key, out var t) ? Merge(t, value) : value);
        }
        foreach (var (key, value) in top.Fields)
        {
            if (!bottom.TryGetValue(key, out _))
            {
                result.Set(key, value);
            }
        }
        return result;
    }

    /// <summary>
    /// Joins resolved concatenation pieces: all objects merge (later wins), all arrays append, simple values join as a
    /// string with whitespace pieces kept. Returns null when nothing but whitespace remains. Mixing kinds is an error.
    /// </summary>
    public static HoconValue? Concatenate(IReadOnlyList<HoconValue> pieces, ConfigOrigin origin, string where)
    {
        HoconValue? single = null;
        int nonWhitespace = 0;
        bool anyObject = false, anyArray = false, anySimple = false;
        foreach (var p in pieces)
        {
            if (p is HoconScalar { IsWhitespace: true })
            {
                continue;
            }
            nonWhitespace++;
            single = p;
            switch (p)
            {
                case HoconObject: anyObject = true; break;
                case HoconArray: anyArray = true; break;
                default: anySimple = true; break;
            }
        }
        if (nonWhitespace == 0)
        {
            return null;
        }
        if (nonWhitespace == 1 && (anyObject || anyArray || pieces.Count == 1))
        {
            return single;
        }
        if ((anyObject ? 1 : 0) + (anyArray ? 1 : 0) + (anySimple ? 1 : 0) > 1)
        {
            string kinds = string.Join(" and ", new[] { anySimple ? "string" : null, anyArray ? "list" : null, anyObject ? "object" : null }.Where(k => k is not null));
            throw new ConfigWrongTypeException(origin, $"{where}: cannot concatenate {kinds} values");
        }
        if (anyObject)
        {
            HoconObject? acc = null;
            foreach (var p in pieces)
            {
                if (p is HoconObject o) acc = acc is null ? o : MergeObjects(o, acc);
            }
            return acc;
        }
        if (anyArray)
        {
            var items = new List<HoconValue>();
            foreach (var p in pieces)
            {
                if (p is HoconArray a) items.AddRange(a);
            }
            return new HoconArray(items, origin);
        }
        if (nonWhitespace == 1)
        {
            return single;
        }
        var sb = new System.Text.StringBuilder();
        foreach (var p in pieces)
        {
            sb.Append(((HoconScalar)p).Text);
        }
        return HoconScalar.String(sb.ToString(), origin);
    }
}
