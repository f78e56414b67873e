using AkkaBroker.Actors;

namespace AkkaBroker.Actors.Tests;

/// <summary>Replies every message to the sender.</summary>
public sealed class EchoActor : ActorBase
{
    protected override void OnReceive(object message) => Sender.Tell(message, Self);
}

/// <summary>Forwards every message to a target (keeping a record of lifecycle events there too).</summary>
public sealed class ForwardActor(IActorRef target) : ActorBase
{
    protected override void OnReceive(object message) => target.Tell(message, Sender);
}

public sealed record Fail(string Why);
public sealed record GetState;
public sealed record Lifecycle(string Event, string Who);

/// <summary>Counts messages; throws on Fail; reports lifecycle hooks to a probe.</summary>
public sealed class StatefulActor(IActorRef reporter, string name = "child") : ActorBase
{
    private int _count;

    protected override void PreStart() => reporter.Tell(new Lifecycle("PreStart", name));
    protected override void PostStop() => reporter.Tell(new Lifecycle("PostStop", name));

    protected override void PreRestart(Exception reason, object? message)
    {
        reporter.Tell(new Lifecycle("PreRestart:" + reason.Message + ":" + message, name));
        base.PreRestart(reason, message);
    }

    protected override void PostRestart(Exception reason)
    {
        reporter.Tell(new Lifecycle("PostRestart:" + reason.Message, name));
        base.PostRestart(reason);
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Fail f: throw new InvalidOperationException(f.Why);
            case GetState: Sender.Tell(_count); break;
            default: _count++; break;
        }
    }
}

public sealed record CreateChild(Props Props, string Name);

/// <summary>A parent with a given strategy; creates children on request and replies with their refs.</summary>
public sealed class SupervisorActor(SupervisorStrategy strategy, IActorRef? reporter = null, string name = "parent") : ActorBase
{
    protected override SupervisorStrategy SupervisorStrategy() => strategy;
    protected override void PreStart() => reporter?.Tell(new Lifecycle("PreStart", name));
    protected override void PostStop() => reporter?.Tell(new Lifecycle("PostStop", name));

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case CreateChild c: Sender.Tell(Context.ActorOf(c.Props, c.Name)); break;
            case Fail f: throw new InvalidOperationException(f.Why);
            default: Unhandled(message); break;
        }
    }
}

/// <summary>Blocks its thread on the first message until the gate opens (to let a backlog build).</summary>
public sealed class GatedActor(ManualResetEventSlim gate, IActorRef reporter, ManualResetEventSlim? entered = null) : ActorBase
{
    private bool _first = true;

    protected override void OnReceive(object message)
    {
        if (_first)
        {
            _first = false;
            entered?.Set();
            gate.Wait(TimeSpan.FromSeconds(30));
        }
        reporter.Tell(message, Sender);
    }
}
