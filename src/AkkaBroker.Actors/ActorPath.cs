namespace AkkaBroker.Actors;

/// <summary>The hierarchical name of an actor, e.g. <c>akka://sys/user/a/b</c>. Immutable.</summary>
public sealed class ActorPath : IEquatable<ActorPath>
{
    private readonly string _text;

    internal ActorPath(string systemName, ActorPath? parent, string name, long uid)
    {
        SystemName = systemName;
        Parent = parent;
        Name = name;
        Uid = uid;
        _text = parent is null ? $"akka://{systemName}/{name}" : $"{parent._text}/{name}";
    }

    /// <summary>Name of the actor system.</summary>
    public string SystemName { get; }

    /// <summary>The parent's path, or null for a root path (such as <c>/user</c>).</summary>
    public ActorPath? Parent { get; }

    /// <summary>The last path element.</summary>
    public string Name { get; }

    /// <summary>Unique id of this incarnation: two actors created at the same path one after the other differ here.</summary>
    public long Uid { get; }

    /// <summary>The path as text, without the uid.</summary>
    public override string ToString() => _text;

    /// <summary>The path as text with <c>#uid</c> appended.</summary>
    public string ToStringWithUid() => $"{_text}#{Uid}";

    /// <summary>Paths are equal when their text and uid are equal.</summary>
    public bool Equals(ActorPath? other) => other is not null && other.Uid == Uid && other._text == _text;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ActorPath p && Equals(p);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_text, Uid);
}
