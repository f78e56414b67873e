using Microsoft.Extensions.Configuration;

namespace AkkaBroker.Hocon;

/// <summary>
/// Exposes a resolved <see cref="Config"/> to Microsoft.Extensions.Configuration: keys are path segments joined with
/// ':', array elements are addressed by index and scalars are invariant strings (null values map to null).
/// </summary>
public sealed class HoconConfigurationProvider : ConfigurationProvider
{
    private readonly Func<Config?> _load;

    /// <summary>Creates a provider that calls <paramref name="load"/> on every <see cref="Load"/> (null means empty).</summary>
    public HoconConfigurationProvider(Func<Config?> load) => _load = load ?? throw new ArgumentNullException(nameof(load));

    /// <inheritdoc />
    public override void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var config = _load();
        if (config is not null)
        {
            Flatten(config.Resolve().Root, null, data);
        }
        Data = data;
    }

    /// <summary>Flattens a resolved tree into MEC key/value pairs.</summary>
    public static void Flatten(HoconValue value, string? prefix, IDictionary<string, string?> data)
    {
        switch (value)
        {
            case HoconObject obj:
                foreach (var (key, child) in obj.Fields)
                {
                    Flatten(child, prefix is null ? key : prefix + ConfigurationPath.KeyDelimiter + key, data);
                }
                break;
            case HoconArray array:
                for (int i = 0; i < array.Count; i++)
                {
                    string index = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    Flatten(array[i], prefix is null ? index : prefix + ConfigurationPath.KeyDelimiter + index, data);
                }
                break;
            case HoconScalar s when prefix is not null:
                data[prefix] = s.Type == HoconValueType.Null ? null : s.Text;
                break;
        }
    }
}

/// <summary>The <see cref="IConfigurationSource"/> of <see cref="HoconConfigurationProvider"/>.</summary>
public sealed class HoconConfigurationSource : IConfigurationSource
{
    /// <summary>Creates a source that loads its config with <paramref name="load"/>.</summary>
    public HoconConfigurationSource(Func<Config?> load) => Load = load ?? throw new ArgumentNullException(nameof(load));

    /// <summary>Produces the config to expose (null for none).</summary>
    public Func<Config?> Load { get; }

    /// <inheritdoc />
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new HoconConfigurationProvider(Load);
}

/// <summary>Adds HOCON to an <see cref="IConfigurationBuilder"/>.</summary>
public static class HoconConfigurationExtensions
{
    /// <summary>
    /// Adds a HOCON file (syntax by extension, see <see cref="Config.ParseFile"/>), resolved with environment variables
    /// as the substitution fallback. A relative path is taken from the working directory.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="path">The file.</param>
    /// <param name="optional">When true a missing file adds nothing; otherwise loading fails.</param>
    public static IConfigurationBuilder AddHoconFile(this IConfigurationBuilder builder, string path, bool optional = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(path);
        string full = Path.GetFullPath(path);
        return builder.Add(new HoconConfigurationSource(() =>
            optional && !File.Exists(full) && !HasBasenameFile(full) ? null : Config.ParseFile(full)));
    }

    /// <summary>Adds an already parsed config (resolved on load if it is not yet).</summary>
    public static IConfigurationBuilder AddHocon(this IConfigurationBuilder builder, Config config)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(config);
        return builder.Add(new HoconConfigurationSource(() => config));
    }

    private static bool HasBasenameFile(string path) =>
        !HoconLoader.HasKnownExtension(path) && (File.Exists(path + ".conf") || File.Exists(path + ".json") || File.Exists(path + ".properties"));
}
