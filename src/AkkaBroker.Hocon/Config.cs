namespace AkkaBroker.Hocon;

/// <summary>
/// An immutable HOCON configuration: parse (<see cref="ParseString"/>, <see cref="ParseFile"/>), layer
/// (<see cref="WithFallback"/>), resolve substitutions (<see cref="Resolve"/>) and read typed values by path.
/// </summary>
/// <remarks>
/// Includes: <c>include "x"</c> and <c>include file("x")</c> resolve a relative name against the folder of the
/// including file (the process working directory for <see cref="ParseString"/>); this differs from Typesafe Config,
/// which reads <c>file()</c> relative to the working directory. A name without a known extension is a basename
/// (.conf, .json and .properties merged, .conf wins). Missing includes are empty unless wrapped in <c>required()</c>.
/// <c>classpath()</c> resources are treated as not found; <c>url()</c> is rejected. Includes nest at most 50 deep.
/// </remarks>
public sealed partial class Config
{
    private bool? _resolved;

    /// <summary>Wraps a value tree.</summary>
    public Config(HoconObject root) => Root = root ?? throw new ArgumentNullException(nameof(root));

    /// <summary>The empty configuration.</summary>
    public static Config Empty { get; } = new(new HoconObject(ConfigOrigin.None));

    /// <summary>The value tree.</summary>
    public HoconObject Root { get; }

    /// <summary>The top-level keys.</summary>
    public IReadOnlyCollection<string> Keys => Root.Keys;

    /// <summary>True when no substitution is left in the tree.</summary>
    public bool IsResolved => _resolved ??= Root.IsResolved;

    /// <summary>Parses HOCON text (unresolved). <paramref name="originDescription"/> names the text in positions and errors.</summary>
    /// <exception cref="ConfigParseException">The text is not valid HOCON.</exception>
    public static Config ParseString(string text, string originDescription = "string")
    {
        ArgumentNullException.ThrowIfNull(text);
        var context = new IncludeContext(null, [], 0);
        return new Config(HoconLoader.Instance.ParseText(text, originDescription, context, HoconLoader.Syntax.Hocon));
    }

    /// <summary>
    /// Parses a file (unresolved). The syntax comes from the extension: .conf HOCON, .json strict JSON, .properties Java
    /// properties (anything else is read as HOCON). A path without extension is a basename: the .conf, .json and
    /// .properties files that exist are merged, .conf winning over .json over .properties.
    /// </summary>
    /// <exception cref="ConfigParseException">No file exists, it cannot be read, or it is malformed.</exception>
    public static Config ParseFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var root = HoconLoader.HasKnownExtension(path) || File.Exists(path)
            ? HoconLoader.Instance.ParseFile(path, [], 0, null)
            : HoconLoader.Instance.LoadAny(path, [], 0, null);
        return new Config(root ?? throw new ConfigParseException(null, $"no configuration file found for '{path}' (tried .conf, .json, .properties)"));
    }

    /// <summary>Merges this config over <paramref name="fallback"/> (this wins). Works on unresolved configs.</summary>
    public Config WithFallback(Config fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        if (fallback.Root.Count == 0) return this;
        if (Root.Count == 0) return fallback;
        return new Config(HoconMerge.MergeObjects(Root, fallback.Root));
    }

    /// <summary>Resolves substitutions. By default, names not found in the tree fall back to environment variables.</summary>
    /// <exception cref="ConfigResolveException">A substitution is undefined or part of a cycle.</exception>
    public Config Resolve(ConfigResolveOptions? options = null)
    {
        if (IsResolved) return this;
        var resolved = new Config(HoconResolver.Resolve(Root, (options ?? ConfigResolveOptions.Default).EnvironmentLookup));
        resolved._resolved = true;
        return resolved;
    }

    /// <summary>Renders the tree as HOCON (or strict JSON) with keys sorted deterministically.</summary>
    public string Render(ConfigRenderOptions? options = null) => HoconRenderer.Render(Root, options ?? ConfigRenderOptions.Default);

    /// <inheritdoc />
    public override string ToString() => Render();
}
