using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Actors;

/// <summary>What a supervisor does with a failed child.</summary>
public enum Directive
{
    /// <summary>Keep the actor and its state; drop the message that failed and go on with the next.</summary>
    Resume,
    /// <summary>Replace the actor instance by a fresh one (PreRestart on the old, PostRestart on the new); the failed message is dropped.</summary>
    Restart,
    /// <summary>Stop the actor (and its children).</summary>
    Stop,
    /// <summary>Fail the supervisor itself with the same exception, so its own supervisor decides.</summary>
    Escalate,
}

/// <summary>How a parent handles the failures of its children.</summary>
public abstract class SupervisorStrategy
{
    /// <summary>
    /// The default decider: <see cref="ActorInitializationException"/>, <see cref="ActorKilledException"/> and
    /// <see cref="DeathPactException"/> stop the child; any other exception restarts it. (Akka escalates non-Exception
    /// throwables; in .NET everything thrown is an Exception, so there is no such case.)
    /// </summary>
    public static Directive DefaultDecider(Exception exception) => exception switch
    {
        ActorInitializationException or ActorKilledException or DeathPactException => Directive.Stop,
        _ => Directive.Restart,
    };

    /// <summary>One-for-one, unlimited restarts, <see cref="DefaultDecider"/>.</summary>
    public static SupervisorStrategy DefaultStrategy { get; } = new OneForOneStrategy(DefaultDecider);

    /// <summary>One-for-one strategy that stops every failing child.</summary>
    public static SupervisorStrategy StoppingStrategy { get; } = new OneForOneStrategy(static _ => Directive.Stop);

    /// <summary>Decides the directive for a failure.</summary>
    public abstract Directive Decide(Exception cause);

    /// <summary>Whether one more restart is allowed for a child, given its restart history (updated in place).</summary>
    internal abstract bool RequestRestartPermission(ChildRestartStats stats);
}

/// <summary>
/// Applies the decider's directive to the failed child only. A child restarted more than
/// <c>maxNrOfRetries</c> times within <c>withinTimeRange</c> is stopped instead.
/// </summary>
public sealed class OneForOneStrategy : SupervisorStrategy
{
    private readonly Func<Exception, Directive> _decider;

    /// <summary>Creates the strategy.</summary>
    /// <param name="maxNrOfRetries">Restarts allowed in the window; -1 for unlimited, 0 for none (stop instead).</param>
    /// <param name="withinTimeRange">The window; <see cref="TimeSpan.Zero"/> or <see cref="Timeout.InfiniteTimeSpan"/> for no window (restarts are counted forever).</param>
    /// <param name="decider">Maps an exception to a directive.</param>
    public OneForOneStrategy(int maxNrOfRetries, TimeSpan withinTimeRange, Func<Exception, Directive> decider)
    {
        ArgumentNullException.ThrowIfNull(decider);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNrOfRetries, -1);
        MaxNrOfRetries = maxNrOfRetries;
        WithinTimeRange = withinTimeRange;
        _decider = decider;
    }

    /// <summary>Unlimited restarts with <paramref name="decider"/>.</summary>
    public OneForOneStrategy(Func<Exception, Directive> decider) : this(-1, Timeout.InfiniteTimeSpan, decider) { }

    /// <summary>Restarts allowed within <see cref="WithinTimeRange"/> (-1 unlimited).</summary>
    public int MaxNrOfRetries { get; }

    /// <summary>The restart counting window.</summary>
    public TimeSpan WithinTimeRange { get; }

    /// <inheritdoc />
    public override Directive Decide(Exception cause) => _decider(cause);

    internal override bool RequestRestartPermission(ChildRestartStats stats)
    {
        if (MaxNrOfRetries < 0) return true;
        if (MaxNrOfRetries == 0) return false;
        if (WithinTimeRange > TimeSpan.Zero)
        {
            var now = Stopwatch.GetTimestamp();
            if (stats.RestartCount == 0 || Stopwatch.GetElapsedTime(stats.WindowStart, now) > WithinTimeRange)
            {
                stats.WindowStart = now;
                stats.RestartCount = 0;
            }
        }
        stats.RestartCount++;
        return stats.RestartCount <= MaxNrOfRetries;
    }
}

/// <summary>The parent's bookkeeping for one child.</summary>
internal sealed class ChildRestartStats(ActorCell child)
{
    public ActorCell Child { get; } = child;
    public int RestartCount;
    public long WindowStart;
    public bool Stopping;
}

/// <summary>
/// The user guardian's strategy for top-level actors: the default decider, except that an escalation reaching the
/// guardian (or a decider saying Escalate) stops that top-level actor and logs an error. A failure never ends the
/// process or the system.
/// </summary>
internal static class GuardianSupervision
{
    public static Directive Decide(Exception cause, bool escalated, ILogger log, IActorRef child)
    {
        if (escalated)
        {
            log.LogError(cause, "Failure escalated to the user guardian by {Actor}; stopping it", child.Path);
            return Directive.Stop;
        }
        var directive = SupervisorStrategy.DefaultDecider(cause);
        return directive == Directive.Escalate ? Directive.Stop : directive;
    }
}
