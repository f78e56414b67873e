namespace AkkaBroker.Common.Naming;

/// <summary>
/// RocketMQ's rules for topic and group names: 1-127 characters from <c>%|a-zA-Z0-9_-</c> (topics), or up to
/// 255 characters of the same set (groups). One place, so the store, the broker and the config agree.
/// </summary>
public static class ResourceNames
{
    /// <summary>Longest topic name RocketMQ accepts.</summary>
    public const int MaxTopicLength = 127;

    /// <summary>Longest consumer or producer group name RocketMQ accepts.</summary>
    public const int MaxGroupLength = 255;

    /// <summary>Returns why <paramref name="topic"/> is not a valid topic name, or null when it is.</summary>
    public static string? ValidateTopic(string? topic) => Validate(topic, "topic", MaxTopicLength);

    /// <summary>Returns why <paramref name="group"/> is not a valid group name, or null when it is.</summary>
    public static string? ValidateGroup(string? group) => Validate(group, "group", MaxGroupLength);

    private static string? Validate(string? name, string what, int maxLength)
    {
        if (string.IsNullOrEmpty(name)) return $"the {what} name is empty";
        if (name.Length > maxLength) return $"the {what} name '{name[..20]}...' is longer than {maxLength} characters";
        foreach (var c in name)
        {
            if (!IsAllowed(c)) return $"the {what} name '{name}' contains '{c}'; allowed are letters, digits, '%', '|', '_' and '-'";
        }

        return null;
    }

    private static bool IsAllowed(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '%' or '|' or '_' or '-';
}
