namespace AkkaBroker.Hocon;

/// <summary>Options of <see cref="Config.Resolve"/>.</summary>
public sealed class ConfigResolveOptions
{
    private ConfigResolveOptions(Func<string, string?>? environmentLookup) => EnvironmentLookup = environmentLookup;

    /// <summary>Substitutions not found in the tree fall back to process environment variables (as in Typesafe Config).</summary>
    public static ConfigResolveOptions Default { get; } = new(Environment.GetEnvironmentVariable);

    /// <summary>Substitutions are resolved against the tree only.</summary>
    public static ConfigResolveOptions NoEnvironment { get; } = new(null);

    /// <summary>Substitutions not found in the tree fall back to <paramref name="lookup"/> (name to value, null when undefined).</summary>
    public static ConfigResolveOptions WithEnvironment(Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        return new(lookup);
    }

    /// <summary>The fallback lookup for substitutions not found in the tree, or null for none.</summary>
    public Func<string, string?>? EnvironmentLookup { get; }
}

/// <summary>Options of <see cref="Config.Render"/>.</summary>
public sealed record ConfigRenderOptions
{
    /// <summary>HOCON output without origin comments.</summary>
    public static ConfigRenderOptions Default { get; } = new();

    /// <summary>Strict JSON output.</summary>
    public static ConfigRenderOptions Json { get; } = new() { StrictJson = true };

    /// <summary>Write strict JSON (quoted keys, commas, no comments) instead of HOCON.</summary>
    public bool StrictJson { get; init; }

    /// <summary>Write a <c># file:line</c> comment above every field (ignored for strict JSON).</summary>
    public bool OriginComments { get; init; }

    /// <summary>Spaces per indentation level.</summary>
    public int IndentSize { get; init; } = 2;
}
