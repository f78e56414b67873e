using AkkaBroker.Hocon;

namespace AkkaBroker.Hosting;

/// <summary>The roles one process can run (<c>akkabroker.roles</c>).</summary>
[Flags]
public enum NodeRoles
{
    /// <summary>No role; never valid for a node.</summary>
    None = 0,

    /// <summary>The route registry.</summary>
    NameServer = 1,

    /// <summary>A broker with its store.</summary>
    Broker = 2,
}

/// <summary>Reads <see cref="NodeRoles"/> from config.</summary>
public static class NodeRolesConfig
{
    /// <summary>Reads <c>akkabroker.roles</c>: a non-empty list of "namesrv" and "broker".</summary>
    /// <exception cref="ConfigException">The list is empty or names an unknown role.</exception>
    public static NodeRoles Read(Config config)
    {
        var r = new SettingsReader(config, "akkabroker");
        var roles = NodeRoles.None;
        foreach (var name in r.StringList("roles"))
        {
            roles |= name switch
            {
                "namesrv" => NodeRoles.NameServer,
                "broker" => NodeRoles.Broker,
                _ => throw r.BadValue("roles", $"unknown role '{name}'; the roles are namesrv and broker"),
            };
        }

        return roles == NodeRoles.None ? throw r.BadValue("roles", "names no role; use [namesrv], [broker] or both") : roles;
    }
}
