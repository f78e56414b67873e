using Microsoft.Extensions.Logging;

namespace AkkaBroker.Actors;

internal abstract class SystemMessage
{
    public SystemMessage? Next;
}

internal sealed class SysCreate : SystemMessage;
internal sealed class SysTerminate : SystemMessage;
internal sealed class SysResume : SystemMessage;
internal sealed class SysRecreate(Exception cause) : SystemMessage { public Exception Cause { get; } = cause; }
internal sealed class SysWatch(IActorRef watcher) : SystemMessage { public IActorRef Watcher { get; } = watcher; }
internal sealed class SysUnwatch(IActorRef watcher) : SystemMessage { public IActorRef Watcher { get; } = watcher; }
internal sealed class SysChildTerminated(ActorCell child) : SystemMessage { public ActorCell Child { get; } = child; }

internal sealed class SysDeathWatchNotification(IActorRef actor, bool ExistenceConfirmed) : SystemMessage
{
    public IActorRef Actor { get; } = actor;
    public bool ExistenceConfirmed { get; } = ExistenceConfirmed;
}

internal sealed class SysFailed(ActorCell child, Exception cause, bool escalated) : SystemMessage
{
    public ActorCell Child { get; } = child;
    public Exception Cause { get; } = cause;
    public bool Escalated { get; } = escalated;
}

internal sealed class SysTaskCompleted(int generation, AggregateException? error) : SystemMessage
{
    public int Generation { get; } = generation;
    public AggregateException? Error { get; } = error;
}

internal sealed class SysCallback(SendOrPostCallback callback, object? state, int generation, SynchronizationContext context) : SystemMessage
{
    public SendOrPostCallback Callback { get; } = callback;
    public object? State { get; } = state;
    public int Generation { get; } = generation;
    public SynchronizationContext Context { get; } = context;
}

/// <summary>System messages, lifecycle (create, restart, stop), supervision and death watch.</summary>
internal sealed partial class ActorCell
{
    [ThreadStatic] private static ActorCell? t_running;

    private SystemMessage? _systemHead;     // lock-free LIFO stack, reversed when processed
    private bool _failed;                   // waiting for the parent's directive
    private object? _failedMessage;
    private Exception? _pendingRecreate;    // restart waiting for stopping children
    private bool _terminating;
    private volatile bool _terminated;

    /// <summary>The cell whose mailbox is running on this thread, if any.</summary>
    internal static ActorCell? Running => t_running;

    internal bool IsTerminated => _terminated;

    internal void SendSystem(SystemMessage message)
    {
        while (true)
        {
            var head = Volatile.Read(ref _systemHead);
            message.Next = head;
            if (Interlocked.CompareExchange(ref _systemHead, message, head) == head) break;
        }
        TrySchedule();
    }

    private void ProcessSystemMessages()
    {
        while (Interlocked.Exchange(ref _systemHead, null) is { } list)
        {
            SystemMessage? ordered = null;
            while (list is not null)
            {
                var next = list.Next;
                list.Next = ordered;
                ordered = list;
                list = next;
            }
            while (ordered is not null)
            {
                var next = ordered.Next;
                ordered.Next = null;
                HandleSystem(ordered);
                ordered = next;
            }
        }
    }

    private void HandleSystem(SystemMessage message)
    {
        if (_terminated)
        {
            // Dead: answer watches so watchers learn it at once; everything else is moot.
            if (message is SysWatch w) NotifyWatcher(w.Watcher, existenceConfirmed: false);
            return;
        }
        try
        {
            switch (message)
            {
                case SysCreate: Create(); break;
                case SysTerminate: BeginTerminate(); break;
                case SysWatch w: (_watchedBy ??= new HashSet<IActorRef>()).Add(w.Watcher); break;
                case SysUnwatch u: _watchedBy?.Remove(u.Watcher); break;
                case SysDeathWatchNotification d: OnDeathWatchNotification(d); break;
                case SysChildTerminated c: OnChildTerminated(c.Child); break;
                case SysFailed f: OnChildFailed(f); break;
                case SysResume: OnResume(); break;
                case SysRecreate r: OnRecreate(r.Cause); break;
                case SysTaskCompleted t: CompleteTask(t.Generation, t.Error); break;
                case SysCallback cb: RunCallback(cb); break;
            }
        }
        catch (Exception ex)
        {
            HandleInvokeFailure(ex, null);
        }
    }

    // ---------------------------------------------------------------- create / restart

    private void NewInstance()
    {
        var previous = t_creating;
        t_creating = this;
        try
        {
            var actor = Props.Factory();
            _actor = actor ?? throw new InvalidOperationException($"The props factory of {Path} returned null");
            _behaviorStack?.Clear();
            _behavior = actor.ReceiveDelegate;
        }
        finally
        {
            t_creating = previous;
        }
    }

    private void Create()
    {
        try
        {
            NewInstance();
            _actor!.InvokePreStart();
        }
        catch (Exception ex)
        {
            _actor = null;
            HandleInvokeFailure(new ActorInitializationException(Self, $"Failed to create {Path}: {ex.Message}", ex), null);
        }
    }

    private void OnRecreate(Exception cause)
    {
        if (_terminating) return;
        var failedMessage = _failedMessage;
        _timers?.CancelAll();
        _taskGeneration++;
        _pendingTasks = 0;
        _stash?.UnstashAll();
        var old = _actor;
        if (old is not null)
        {
            try
            {
                old.InvokePreRestart(cause, failedMessage);
            }
            catch (Exception ex)
            {
                Log.LogError(ex, "PreRestart of {Actor} failed", Path);
            }
        }
        _actor = null;
        _behavior = null;
        if (AnyChildStopping()) _pendingRecreate = cause;
        else FinishRecreate(cause);
    }

    private void FinishRecreate(Exception cause)
    {
        _pendingRecreate = null;
        _failed = false;
        _failedMessage = null;
        try
        {
            NewInstance();
            _actor!.InvokePostRestart(cause);
        }
        catch (Exception ex)
        {
            _actor = null;
            HandleInvokeFailure(new ActorInitializationException(Self, $"Failed to restart {Path}: {ex.Message}", ex), null);
        }
    }

    private void OnResume()
    {
        if (!_failed) return;
        _failed = false;
        _failedMessage = null;
        // If the failure was escalated from a child, that child is still waiting: resume it as well.
        foreach (var child in ChildCells()) child.SendSystem(new SysResume());
    }

    // ---------------------------------------------------------------- failure and supervision

    private void HandleInvokeFailure(Exception cause, object? message, bool escalated = false)
    {
        if (_terminating || _failed)
        {
            Log.LogError(cause, "{Actor} failed while {State}", Path, _terminating ? "stopping" : "already failed");
            return;
        }
        _failed = true;
        _failedMessage = message;
        if (_parent is null)
        {
            Log.LogError(cause, "Guardian {Actor} failed; resuming", Path);
            _failed = false;
            return;
        }
        _parent.SendSystem(new SysFailed(this, cause, escalated));
    }

    private void OnChildFailed(SysFailed failed)
    {
        var child = failed.Child;
        ChildRestartStats? stats;
        lock (_children)
        {
            if (!_children.TryGetValue(child.Path.Name, out stats) || stats.Child != child || stats.Stopping) return;
        }
        var cause = failed.Cause;
        Directive directive;
        SupervisorStrategy strategy = Actors.SupervisorStrategy.DefaultStrategy;
        if (_isGuardian)
        {
            directive = GuardianSupervision.Decide(cause, failed.Escalated, Log, child.Self);
        }
        else
        {
            try
            {
                strategy = _actor?.InvokeSupervisorStrategy() ?? Props.SupervisorStrategy ?? Actors.SupervisorStrategy.DefaultStrategy;
                directive = strategy.Decide(cause);
            }
            catch (Exception ex)
            {
                Log.LogError(ex, "Supervisor strategy of {Actor} failed; escalating", Path);
                directive = Directive.Escalate;
            }
        }
        switch (directive)
        {
            case Directive.Resume:
                Log.LogWarning(cause, "{Child} failed; resuming", child.Path);
                child.SendSystem(new SysResume());
                break;
            case Directive.Restart when strategy.RequestRestartPermission(stats):
                Log.LogError(cause, "{Child} failed; restarting", child.Path);
                child.SendSystem(new SysRecreate(cause));
                break;
            case Directive.Restart:
                Log.LogError(cause, "{Child} failed and exceeded its restart limit; stopping", child.Path);
                StopChild(child);
                break;
            case Directive.Stop:
                Log.LogError(cause, "{Child} failed; stopping", child.Path);
                StopChild(child);
                break;
            default:
                Log.LogError(cause, "{Child} failed; escalating from {Actor}", child.Path, Path);
                HandleInvokeFailure(cause, null, escalated: true);
                break;
        }
    }

    // ---------------------------------------------------------------- stop

    private void BeginTerminate()
    {
        if (_terminating) return;
        _terminating = true;
        _timers?.CancelAll();
        foreach (var child in ChildCells()) StopChild(child);
        if (!HasChildren()) FinishTerminate();
    }

    private void FinishTerminate()
    {
        var actor = _actor;
        _actor = null;
        _behavior = null;
        _behaviorStack?.Clear();
        if (actor is not null)
        {
            var previous = t_running;
            t_running = this;
            try
            {
                actor.InvokePostStop();
            }
            catch (Exception ex)
            {
                Log.LogError(ex, "PostStop of {Actor} failed", Path);
            }
            finally
            {
                t_running = previous;
            }
        }
        _terminated = true;
        Interlocked.MemoryBarrier();
        if (_stash is { Count: > 0 } stash) stash.DeadLetterAll();
        if (_watching is not null)
        {
            foreach (var watchee in _watching)
                if (watchee is LocalActorRef local) local.Cell.SendSystem(new SysUnwatch(Self));
            _watching.Clear();
        }
        if (_watchedBy is not null)
        {
            foreach (var watcher in _watchedBy) NotifyWatcher(watcher, existenceConfirmed: true);
            _watchedBy.Clear();
        }
        if (_parent is not null) _parent.SendSystem(new SysChildTerminated(this));
        else System.OnGuardianTerminated();
    }

    private void NotifyWatcher(IActorRef watcher, bool existenceConfirmed)
    {
        if (watcher is LocalActorRef local) local.Cell.SendSystem(new SysDeathWatchNotification(Self, existenceConfirmed));
        else watcher.Tell(new Terminated(Self, existenceConfirmed), Self);
    }

    private void OnDeathWatchNotification(SysDeathWatchNotification notification)
    {
        if (_terminating) return;
        if (_watching is not null && _watching.Remove(notification.Actor))
            EnqueueSelf(new Terminated(notification.Actor, notification.ExistenceConfirmed), notification.Actor);
    }

    private void OnChildTerminated(ActorCell child)
    {
        lock (_children)
        {
            if (_children.TryGetValue(child.Path.Name, out var stats) && stats.Child == child) _children.Remove(child.Path.Name);
        }
        if (_terminating)
        {
            if (!HasChildren()) FinishTerminate();
        }
        else if (_pendingRecreate is { } cause && !AnyChildStopping())
        {
            FinishRecreate(cause);
        }
    }

    private List<ActorCell> ChildCells()
    {
        lock (_children)
        {
            var list = new List<ActorCell>(_children.Count);
            foreach (var c in _children.Values) list.Add(c.Child);
            return list;
        }
    }

    private bool HasChildren()
    {
        lock (_children) return _children.Count > 0;
    }

    private bool AnyChildStopping()
    {
        lock (_children)
        {
            foreach (var c in _children.Values) if (c.Stopping) return true;
            return false;
        }
    }
}
