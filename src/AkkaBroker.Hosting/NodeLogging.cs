using AkkaBroker.Hocon;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Hosting;

/// <summary>
/// Log levels of a node run by <c>akkabroker serve</c> (<c>akkabroker.logging</c>): the least level written, and
/// levels for categories and everything under them. A service that embeds a node logs as its own host says.
/// </summary>
/// <param name="Level">The least level written.</param>
/// <param name="Categories">Category prefix (e.g. <c>AkkaBroker.Broker.Storage</c>) and its least level.</param>
public sealed record NodeLogging(LogLevel Level, IReadOnlyList<KeyValuePair<string, LogLevel>> Categories)
{
    /// <summary>Reads <c>akkabroker.logging</c>.</summary>
    /// <exception cref="ConfigException">An unknown level, or a category entry not of the form <c>category=LEVEL</c>.</exception>
    public static NodeLogging Read(Config config)
    {
        var r = new SettingsReader(config, "akkabroker.logging");
        var categories = new List<KeyValuePair<string, LogLevel>>();
        foreach (var entry in r.StringList("categories"))
        {
            var at = entry.LastIndexOf('=');
            var category = at > 0 ? entry[..at].Trim() : "";
            if (category.Length == 0 || !TryParse(entry[(at + 1)..].Trim(), out var level))
                throw r.BadValue("categories", $"'{entry}' is not category=LEVEL with a LEVEL of {Allowed}");
            categories.Add(new(category, level));
        }

        return new NodeLogging(r.Enum<LogLevel>("level"), categories);
    }

    /// <summary>Applies the levels to <paramref name="logging"/>.</summary>
    public void ApplyTo(ILoggingBuilder logging)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.SetMinimumLevel(Level);
        foreach (var (category, level) in Categories) logging.AddFilter(category, level);
    }

    private static string Allowed => string.Join(", ", Enum.GetNames<LogLevel>().Select(n => n.ToUpperInvariant()));

    private static bool TryParse(string text, out LogLevel level)
    {
        foreach (var value in Enum.GetValues<LogLevel>())
        {
            if (!string.Equals(value.ToString(), text, StringComparison.OrdinalIgnoreCase)) continue;
            level = value;
            return true;
        }

        level = LogLevel.None;
        return false;
    }
}
