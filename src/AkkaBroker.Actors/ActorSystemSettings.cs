namespace AkkaBroker.Actors;

/// <summary>Settings of an <see cref="ActorSystem"/>. Immutable; change with a <c>with</c> expression.</summary>
public sealed record ActorSystemSettings
{
    /// <summary>The defaults.</summary>
    public static ActorSystemSettings Default { get; } = new();

    /// <summary>Maximum number of user messages an actor processes per mailbox run before yielding its thread (default 30).</summary>
    public int Throughput { get; init; } = 30;

    /// <summary>Timeout of an <c>Ask</c> without an explicit timeout (default 10 s).</summary>
    public TimeSpan DefaultAskTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether dead letters are logged (default on), at most <see cref="LogDeadLettersMax"/> per <see cref="LogDeadLettersInterval"/>.</summary>
    public bool LogDeadLetters { get; init; } = true;

    /// <summary>Maximum dead letters logged per interval; the rest are counted and summarised (default 10).</summary>
    public int LogDeadLettersMax { get; init; } = 10;

    /// <summary>The dead-letter logging window (default 10 s).</summary>
    public TimeSpan LogDeadLettersInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Creates the system's scheduler; null uses the default timer-based scheduler. Tests plug a virtual-time scheduler here.</summary>
    public Func<ActorSystem, IScheduler>? SchedulerFactory { get; init; }

    /// <summary>Factor applied to test timeouts on slow machines (default 1.0).</summary>
    public double TestTimeFactor { get; init; } = 1.0;

    internal void Validate()
    {
        if (Throughput < 1) throw new ArgumentOutOfRangeException(nameof(Throughput), Throughput, "must be >= 1");
        if (DefaultAskTimeout <= TimeSpan.Zero && DefaultAskTimeout != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(DefaultAskTimeout), DefaultAskTimeout, "must be positive");
        if (LogDeadLettersMax < 0) throw new ArgumentOutOfRangeException(nameof(LogDeadLettersMax), LogDeadLettersMax, "must be >= 0");
        if (TestTimeFactor <= 0) throw new ArgumentOutOfRangeException(nameof(TestTimeFactor), TestTimeFactor, "must be positive");
    }
}
