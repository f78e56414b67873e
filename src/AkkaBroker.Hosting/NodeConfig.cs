using AkkaBroker.Hocon;

namespace AkkaBroker.Hosting;

/// <summary>
/// Builds a node's effective config: command-line overrides, then the deployment file, then the embedded
/// reference.conf, resolved together (so a deployment can substitute reference values and environment
/// variables). Keys under <c>akkabroker</c> that reference.conf does not know are rejected: a typo in a
/// deployment file must not silently run a node on defaults.
/// </summary>
public static class NodeConfig
{
    /// <summary>Loads and resolves the effective config.</summary>
    /// <param name="file">Deployment file, or null for the embedded single-node default.</param>
    /// <param name="overrides">Settings as <c>path=value</c> (HOCON syntax), highest precedence.</param>
    /// <exception cref="ConfigException">Syntax error (with file:line:column), unresolved substitution or unknown key.</exception>
    /// <exception cref="FileNotFoundException">The deployment file does not exist.</exception>
    public static Config Load(string? file, IEnumerable<string>? overrides = null)
    {
        var user = Config.Empty;
        if (file is not null)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"config file '{file}' not found", file);
            user = Config.ParseFile(Path.GetFullPath(file));
        }

        var index = 0;
        foreach (var setting in overrides ?? [])
        {
            index++;
            user = Config.ParseString(setting, $"--set #{index}").WithFallback(user);
        }

        var reference = ReferenceConfig.Load();
        ReferenceConfig.RejectUnknownKeys(user, reference, "akkabroker");
        return user.WithFallback(reference).Resolve();
    }
}
