using System.Text.Json;

namespace AkkaBroker.Hocon;

internal enum IncludeKind { Heuristic, File, Classpath, Url }

internal sealed record IncludeSpec(string Name, ConfigOrigin Origin)
{
    public IncludeKind Kind { get; init; } = IncludeKind.Heuristic;

    public bool Required { get; init; }
}

/// <summary>Where the text being parsed came from: its folder (for relative includes), its include location and depth.</summary>
internal sealed record IncludeContext(string? Directory, string[] Prefix, int Depth);

/// <summary>
/// Reads files by extension (.conf HOCON, .json strict JSON, .properties Java properties), loads basenames
/// (all three merged, .conf over .json over .properties) and carries out include statements.
/// </summary>
internal sealed class HoconLoader
{
    /// <summary>Deepest chain of nested includes (an include cycle stops here).</summary>
    public const int MaxIncludeDepth = 50;

    public static readonly HoconLoader Instance = new();

    private static readonly string[] Extensions = [".conf", ".json", ".properties"];

    public HoconObject ParseText(string text, string source, IncludeContext context, Syntax syntax)
    {
        switch (syntax)
        {
            case Syntax.Properties:
                return PropertiesParser.Parse(text, source);
            case Syntax.Json:
                ValidateJson(text, source);
                break;
        }
        var root = HoconParser.ParseDocument(text, source, this, context);
        return root as HoconObject
            ?? throw new ConfigWrongTypeException(root.Origin, $"the root of {source} must be an object, found {root.TypeName}");
    }

    public enum Syntax { Hocon, Json, Properties }

    public static Syntax SyntaxOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".json" => Syntax.Json,
        ".properties" => Syntax.Properties,
        _ => Syntax.Hocon,
    };

    public static bool HasKnownExtension(string path) =>
        Array.IndexOf(Extensions, Path.GetExtension(path).ToLowerInvariant()) >= 0;

    /// <summary>Parses one file; its syntax comes from its extension.</summary>
    public HoconObject ParseFile(string path, string[] prefix, int depth, ConfigOrigin? includedFrom)
    {
        if (depth > MaxIncludeDepth)
        {
            throw new ConfigParseException(includedFrom, $"includes nested deeper than {MaxIncludeDepth} levels (include cycle?) at '{path}'");
        }
        string full = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (IOException e)
        {
            throw new ConfigParseException(includedFrom, $"cannot read '{full}': {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ConfigParseException(includedFrom, $"cannot read '{full}': {e.Message}", e);
        }
        return ParseText(text, path, new IncludeContext(Path.GetDirectoryName(full), prefix, depth), SyntaxOf(path));
    }

    /// <summary>
    /// Loads <paramref name="path"/>: a file with a known extension, or a basename whose .conf, .json and .properties
    /// files that exist are merged (.conf wins). Returns null when nothing exists.
    /// </summary>
    public HoconObject? LoadAny(string path, string[] prefix, int depth, ConfigOrigin? includedFrom)
    {
        if (HasKnownExtension(path))
        {
            return File.Exists(path) ? ParseFile(path, prefix, depth, includedFrom) : null;
        }
        HoconObject? result = null;
        foreach (string ext in Extensions)
        {
            string candidate = path + ext;
            if (File.Exists(candidate))
            {
                var parsed = ParseFile(candidate, prefix, depth, includedFrom);
                result = result is null ? parsed : HoconMerge.MergeObjects(result, parsed);
            }
        }
        return result;
    }

    /// <summary>
    /// Carries out an include. <c>include "x"</c> and <c>include file("x")</c> both resolve a relative name against the
    /// folder of the including file (the working directory for text from <see cref="Config.ParseString"/>).
    /// <c>classpath()</c> resources do not exist in .NET and are treated as not found; <c>url()</c> is rejected.
    /// A missing include is an empty object unless it is wrapped in <c>required()</c>.
    /// </summary>
    public HoconObject Include(IncludeSpec spec, IncludeContext context, string[] location)
    {
        if (spec.Kind == IncludeKind.Url)
        {
            throw new ConfigParseException(spec.Origin, $"include url(\"{spec.Name}\") is not supported: URLs are never fetched");
        }
        HoconObject? result = null;
        if (spec.Kind != IncludeKind.Classpath)
        {
            string path = Path.IsPathRooted(spec.Name) ? spec.Name : Path.Combine(context.Directory ?? Directory.GetCurrentDirectory(), spec.Name);
            result = LoadAny(path, location, context.Depth + 1, spec.Origin);
        }
        if (result is null && spec.Required)
        {
            string what = spec.Kind == IncludeKind.Classpath ? "classpath resources are not supported" : "file not found";
            throw new ConfigParseException(spec.Origin, $"required include '{spec.Name}' could not be loaded: {what}");
        }
        return result ?? new HoconObject(spec.Origin);
    }

    public static bool ContainsSubstitutions(HoconValue value) => value switch
    {
        HoconObject o => o.Fields.Any(f => ContainsSubstitutions(f.Value)),
        HoconArray a => a.Any(ContainsSubstitutions),
        HoconScalar => false,
        _ => true,
    };

    private static void ValidateJson(string text, string source)
    {
        try
        {
            using var doc = JsonDocument.Parse(text.TrimStart('\uFEFF'), new JsonDocumentOptions { MaxDepth = HoconParser.MaxNesting });
        }
        catch (JsonException e)
        {
            var origin = new ConfigOrigin(source, (int)(e.LineNumber ?? 0) + 1, (int)(e.BytePositionInLine ?? 0) + 1);
            throw new ConfigParseException(origin, $"invalid JSON: {e.Message}", e);
        }
    }
}
