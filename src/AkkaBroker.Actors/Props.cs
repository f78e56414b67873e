namespace AkkaBroker.Actors;

/// <summary>
/// How to create an actor: its factory plus mailbox and dispatcher options. Immutable; every <c>WithXxx</c> returns a copy.
/// </summary>
public sealed class Props
{
    private Props(Func<ActorBase> factory, Type actorType)
    {
        Factory = factory;
        ActorType = actorType;
    }

    private Props(Props other)
    {
        Factory = other.Factory;
        ActorType = other.ActorType;
        MailboxCapacity = other.MailboxCapacity;
        DedicatedThread = other.DedicatedThread;
        Throughput = other.Throughput;
        SupervisorStrategy = other.SupervisorStrategy;
    }

    internal Func<ActorBase> Factory { get; }

    /// <summary>The actor's type (declared by the factory).</summary>
    public Type ActorType { get; }

    /// <summary>Capacity of a bounded mailbox, or null for unbounded (the default).</summary>
    public int? MailboxCapacity { get; private init; }

    /// <summary>Whether the actor runs on its own thread instead of the .NET thread pool.</summary>
    public bool DedicatedThread { get; private init; }

    /// <summary>Per-actor override of <see cref="ActorSystemSettings.Throughput"/>, or null.</summary>
    public int? Throughput { get; private init; }

    /// <summary>The strategy the actor applies to its children (unless it overrides <c>SupervisorStrategy()</c>), or null for the default.</summary>
    public SupervisorStrategy? SupervisorStrategy { get; private init; }

    /// <summary>Props creating actors with <paramref name="factory"/>, called once per start and once per restart.</summary>
    public static Props Create<T>(Func<T> factory) where T : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new Props(factory, typeof(T));
    }

    /// <summary>Props creating actors with the parameterless constructor of <typeparamref name="T"/>.</summary>
    public static Props Create<T>() where T : ActorBase, new() => new(static () => new T(), typeof(T));

    /// <summary>
    /// A mailbox holding at most <paramref name="capacity"/> queued user messages. When it is full, <c>Tell</c> does not
    /// block: the message goes to dead letters. System messages (watch, stop, supervision) are never bounded.
    /// </summary>
    public Props WithBoundedMailbox(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        return new Props(this) { MailboxCapacity = capacity };
    }

    /// <summary>Runs the actor on its own (background) thread, for blocking work such as fsync. The thread ends when the actor stops.</summary>
    public Props WithDedicatedThread() => new(this) { DedicatedThread = true };

    /// <summary>Maximum user messages per mailbox run for this actor.</summary>
    public Props WithThroughput(int throughput)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(throughput, 1);
        return new Props(this) { Throughput = throughput };
    }

    /// <summary>The supervisor strategy this actor applies to its children.</summary>
    public Props WithSupervisorStrategy(SupervisorStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        return new Props(this) { SupervisorStrategy = strategy };
    }
}
