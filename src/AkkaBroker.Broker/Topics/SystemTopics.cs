namespace AkkaBroker.Broker.Topics;

/// <summary>RocketMQ's reserved topic names and prefixes (reference §8.2), in one place.</summary>
public static class SystemTopics
{
    /// <summary>The template topic auto-created topics copy (a producer names it as defaultTopic).</summary>
    public const string AutoCreateTemplate = "TBW102";

    /// <summary>Topic a broker's self test sends to.</summary>
    public const string SelfTest = "SELF_TEST_TOPIC";

    /// <summary>Delayed messages wait here, queue = delay level - 1.</summary>
    public const string Schedule = "SCHEDULE_TOPIC_XXXX";

    /// <summary>Events about consumer offsets corrected by the broker.</summary>
    public const string OffsetMoved = "OFFSET_MOVED_EVENT";

    /// <summary>Prefix of a consumer group's retry topic.</summary>
    public const string RetryPrefix = "%RETRY%";

    /// <summary>Prefix of a consumer group's dead-letter topic.</summary>
    public const string DlqPrefix = "%DLQ%";

    /// <summary>The retry topic of <paramref name="group"/>.</summary>
    public static string RetryTopicOf(string group) => RetryPrefix + group;

    /// <summary>The dead-letter topic of <paramref name="group"/>.</summary>
    public static string DlqTopicOf(string group) => DlqPrefix + group;

    /// <summary>Whether <paramref name="topic"/> is a retry topic.</summary>
    public static bool IsRetry(string topic) => topic.StartsWith(RetryPrefix, StringComparison.Ordinal);

    /// <summary>Whether <paramref name="topic"/> is a dead-letter topic.</summary>
    public static bool IsDlq(string topic) => topic.StartsWith(DlqPrefix, StringComparison.Ordinal);
}

/// <summary>Topic permission bits (RocketMQ's PermName).</summary>
public static class TopicPerm
{
    /// <summary>Topics created from this one inherit it (TBW102).</summary>
    public const int Inherit = 1;

    /// <summary>Producers may write.</summary>
    public const int Write = 2;

    /// <summary>Consumers may read.</summary>
    public const int Read = 4;

    /// <summary>Whether <paramref name="perm"/> allows writing.</summary>
    public static bool IsWriteable(int perm) => (perm & Write) != 0;

    /// <summary>Whether <paramref name="perm"/> allows reading.</summary>
    public static bool IsReadable(int perm) => (perm & Read) != 0;

    /// <summary>Whether <paramref name="perm"/> is a template for auto-creation.</summary>
    public static bool IsInherited(int perm) => (perm & Inherit) != 0;
}
