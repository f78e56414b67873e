namespace AkkaBroker.Hocon;

/// <summary>Where a value or an error comes from: a file (or origin description), a 1-based line and column.</summary>
/// <param name="Description">The file path, or the origin description given to <see cref="Config.ParseString"/>.</param>
/// <param name="Line">1-based line, 0 when unknown.</param>
/// <param name="Column">1-based column, 0 when unknown.</param>
public sealed record ConfigOrigin(string Description, int Line, int Column)
{
    /// <summary>An origin for values built in code.</summary>
    public static ConfigOrigin None { get; } = new("", 0, 0);

    /// <summary><c>file:line:column</c>.</summary>
    public override string ToString() => $"{Description}:{Line}:{Column}";
}

/// <summary>Base of every configuration error. The message starts with <c>file:line:column: </c> when the origin is known.</summary>
public abstract class ConfigException : Exception
{
    /// <summary>Creates the exception; <paramref name="origin"/> may be null when no position is known.</summary>
    protected ConfigException(ConfigOrigin? origin, string message, Exception? inner = null)
        : base(Format(origin, message), inner)
    {
        if (origin is not null && origin.Description.Length > 0)
        {
            OriginFile = origin.Description;
            Line = origin.Line;
            Column = origin.Column;
        }
    }

    /// <summary>The file (or origin description) of the error, when known.</summary>
    public string? OriginFile { get; }

    /// <summary>The 1-based line of the error, 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>The 1-based column of the error, 0 when unknown.</summary>
    public int Column { get; }

    private static string Format(ConfigOrigin? origin, string message) =>
        origin is null || origin.Description.Length == 0 ? message : $"{origin}: {message}";
}

/// <summary>Syntax error, bad include, include cycle or nesting too deep.</summary>
public sealed class ConfigParseException : ConfigException
{
    /// <summary>Creates the exception.</summary>
    public ConfigParseException(ConfigOrigin? origin, string message, Exception? inner = null) : base(origin, message, inner) { }
}

/// <summary>A substitution could not be resolved (undefined, or part of a cycle).</summary>
public sealed class ConfigResolveException : ConfigException
{
    /// <summary>Creates the exception.</summary>
    public ConfigResolveException(ConfigOrigin? origin, string message) : base(origin, message) { }
}

/// <summary>A requested path does not exist (or is null). The message names the full path.</summary>
public sealed class ConfigMissingException : ConfigException
{
    /// <summary>Creates the exception.</summary>
    public ConfigMissingException(ConfigOrigin? origin, string message) : base(origin, message) { }
}

/// <summary>A value has a different type than requested. The message names the path, expected and found type.</summary>
public sealed class ConfigWrongTypeException : ConfigException
{
    /// <summary>Creates the exception.</summary>
    public ConfigWrongTypeException(ConfigOrigin? origin, string message) : base(origin, message) { }
}

/// <summary>A value has the right type but cannot be converted (e.g. <c>"abc"</c> read as a duration).</summary>
public sealed class ConfigBadValueException : ConfigException
{
    /// <summary>Creates the exception.</summary>
    public ConfigBadValueException(ConfigOrigin? origin, string message) : base(origin, message) { }
}

/// <summary>A path expression is malformed (e.g. <c>".a"</c>, <c>"a."</c>, <c>"a..b"</c>).</summary>
public sealed class ConfigBadPathException : ConfigException
{
    /// <summary>Creates the exception.</summary>
    public ConfigBadPathException(ConfigOrigin? origin, string message) : base(origin, message) { }
}
