namespace AkkaBroker.Hocon;

/// <summary>
/// <c>hocon/reference.conf</c>, embedded: every AkkaBroker setting with its default. Settings classes read a
/// deployment config that has this as its fallback, so defaults live in one place only.
/// </summary>
public static class ReferenceConfig
{
    private const string ResourceName = "AkkaBroker.reference.conf";

    /// <summary>The text of reference.conf.</summary>
    public static string Text { get; } = ReadText();

    private static readonly Lazy<Config> Parsed = new(() => Config.ParseString(Text, "reference.conf"));

    /// <summary>reference.conf parsed but not resolved (resolve it together with the layers above it).</summary>
    public static Config Load() => Parsed.Value;

    /// <summary>
    /// Throws for the first key under <paramref name="rootPath"/> in <paramref name="user"/> that
    /// <paramref name="reference"/> does not have, naming its path and position: a misspelt key would
    /// otherwise leave the default silently in force. Values that are lists or substitutions are not entered.
    /// </summary>
    /// <exception cref="ConfigBadValueException">An unknown key.</exception>
    public static void RejectUnknownKeys(Config user, Config reference, string rootPath)
    {
        if (!user.Root.TryGetValue(rootPath, out var userSection) || userSection is not HoconObject userObject) return;
        if (!reference.Root.TryGetValue(rootPath, out var referenceSection) || referenceSection is not HoconObject referenceObject) return;
        Check(userObject, referenceObject, rootPath);
    }

    /// <summary>Every leaf setting under <paramref name="rootPath"/>: its path and whether its value is a list.</summary>
    public static IEnumerable<(string Path, bool IsList)> LeafPaths(Config config, string rootPath)
    {
        var pending = new Stack<(string Path, HoconValue Value)>();
        if (config.Root.TryGetValue(rootPath, out var start)) pending.Push((rootPath, start));
        while (pending.TryPop(out var item))
        {
            if (item.Value is HoconObject obj)
            {
                foreach (var (key, value) in obj.Fields) pending.Push(($"{item.Path}.{key}", value));
            }
            else
            {
                yield return (item.Path, item.Value.Type == HoconValueType.Array);
            }
        }
    }

    private static void Check(HoconObject user, HoconObject reference, string path)
    {
        foreach (var (key, value) in user.Fields)
        {
            var keyPath = $"{path}.{key}";
            if (!reference.TryGetValue(key, out var known))
                throw new ConfigBadValueException(value.Origin, $"unknown setting '{keyPath}' (reference.conf lists every setting)");
            if (value is HoconObject userChild && known is HoconObject referenceChild) Check(userChild, referenceChild, keyPath);
        }
    }

    private static string ReadText()
    {
        using var stream = typeof(ReferenceConfig).Assembly.GetManifestResourceStream(ResourceName)
                           ?? throw new InvalidOperationException($"resource {ResourceName} is missing from {typeof(ReferenceConfig).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
