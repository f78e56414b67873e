using AkkaBroker.Protocol.Remoting;

namespace AkkaBroker.Remoting;

/// <summary>Limits of one remoting connection; shared by clients and servers.</summary>
public sealed class RemotingOptions
{
    /// <summary>The largest frame accepted, counting the 4-byte length prefix (Java's frameMaxLength, 16 MiB).</summary>
    public int MaxFrameSize { get; init; } = RemotingCodec.DefaultMaxFrameSize;

    /// <summary>
    /// A connection with neither a read nor a write for this long is closed (Java's channel idle time, 120 s).
    /// <see cref="Timeout.InfiniteTimeSpan"/> disables the check.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// The clock idle time is measured on (the check itself runs on this provider's timers). Tests pass one they
    /// advance by hand, so thread-pool stalls on a loaded machine cannot look like idleness.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>What fails this connection's overdue calls: the process-wide one, or a test's own.</summary>
    internal ResponseTimeouts ResponseTimeouts { get; init; } = ResponseTimeouts.Shared;

    /// <summary>The shared defaults.</summary>
    public static RemotingOptions Default { get; } = new();
}
