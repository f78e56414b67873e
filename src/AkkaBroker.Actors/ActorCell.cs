using Microsoft.Extensions.Logging;

namespace AkkaBroker.Actors;

/// <summary>A user message in the mailbox queue (sender may be null).</summary>
internal readonly struct QueuedMessage(object message, IActorRef? sender)
{
    public readonly object Message = message;
    public readonly IActorRef? Sender = sender;
}

/// <summary>
/// The runtime side of one actor: its mailbox (a lock-free user queue, a lock-free system message stack and a status
/// word), its instance, children, watchers, stash and timers. The cell is itself the thread-pool work item that runs
/// the mailbox, so scheduling allocates nothing. All fields not marked otherwise are touched only by the mailbox run
/// (one thread at a time).
/// </summary>
internal sealed partial class ActorCell : IActorContext
{
    [ThreadStatic] private static ActorCell? t_creating;

    private static long s_nextUid;

    private readonly ActorCell? _parent;
    private readonly MpscQueue<QueuedMessage> _queue = new();
    private readonly int _capacity;          // 0 = unbounded
    private int _queuedCount;                // only for bounded mailboxes
    private readonly int _throughput;
    private readonly bool _isGuardian;
    private readonly Dictionary<string, ChildRestartStats> _children = new(StringComparer.Ordinal); // locked
    private long _nextChildName;

    private ActorBase? _actor;
    private Action<object>? _behavior;
    private List<Action<object>>? _behaviorStack;
    private QueuedMessage _current;
    private HashSet<IActorRef>? _watching;
    private HashSet<IActorRef>? _watchedBy;
    private TimerScheduler? _timers;
    private StashBuffer? _stash;
    private LinkedList<QueuedMessage>? _front;   // unstashed messages, before the queue
    private ILogger? _log;
    private TimeSpan? _receiveTimeout;

    internal ActorCell(ActorSystem system, ActorCell? parent, Props props, string name, bool isGuardian = false)
    {
        System = system;
        _parent = parent;
        Props = props;
        _isGuardian = isGuardian;
        Path = new ActorPath(system.Name, parent?.Path, name, Interlocked.Increment(ref s_nextUid));
        Self = new LocalActorRef(this);
        _capacity = props.MailboxCapacity ?? 0;
        _throughput = props.Throughput ?? system.Settings.Throughput;
        if (props.DedicatedThread) _runner = new DedicatedRunner(this);
    }

    /// <summary>The cell whose actor instance is being constructed on this thread (read by the ActorBase constructor).</summary>
    internal static ActorCell? Creating => t_creating;

    public ActorSystem System { get; }
    public ActorPath Path { get; }
    public IActorRef Self { get; }
    public Props Props { get; }
    public IActorRef Parent => _parent?.Self ?? ActorRefs.Nobody;
    public IActorRef Sender => _current.Sender ?? System.DeadLetters;
    public ILogger Log => _log ??= System.LoggerFactory.CreateLogger(Props.ActorType.FullName ?? Props.ActorType.Name);
    public ITimerScheduler Timers => _timers ??= new TimerScheduler(this);
    internal IStash StashAccess => _stash ??= new StashBuffer(this);
    public TimeSpan? ReceiveTimeout => _receiveTimeout;

    /// <summary>Mailbox runs so far (diagnostics and fairness tests).</summary>
    internal long Runs;

    // ---------------------------------------------------------------- sending

    /// <summary>Queues a user message (any thread). Never blocks.</summary>
    internal void SendUser(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_terminated)
        {
            SendToDeadLetters(message, sender);
            return;
        }
        if (_capacity > 0 && Interlocked.Increment(ref _queuedCount) > _capacity)
        {
            Interlocked.Decrement(ref _queuedCount);
            SendToDeadLetters(message, sender);
            return;
        }
        _queue.Enqueue(new QueuedMessage(message, sender));
        TrySchedule();
    }

    /// <summary>Queues a user message from inside the actor itself, ignoring the mailbox bound (Terminated, unstash).</summary>
    private void EnqueueSelf(object message, IActorRef? sender)
    {
        if (_capacity > 0) Interlocked.Increment(ref _queuedCount);
        _queue.Enqueue(new QueuedMessage(message, sender));
    }

    internal void SendToDeadLetters(object message, IActorRef? sender)
    {
        if (message is DeadLetter) return; // a dead letter that cannot be delivered to a subscriber is dropped, no loop
        System.DeadLetters.Tell(new DeadLetter(message, sender ?? System.DeadLetters, Self));
    }

    // ---------------------------------------------------------------- context

    public IActorRef ActorOf(Props props, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(props);
        if (name is null)
        {
            name = "$" + Base36(Interlocked.Increment(ref _nextChildName));
        }
        else if (name.Length == 0 || name[0] == '$' || name.Contains('/') || name.Contains('#') || name.Any(char.IsWhiteSpace))
        {
            throw new InvalidActorNameException($"Invalid actor name '{name}': must be non-empty, not start with '$', and contain no '/', '#' or whitespace");
        }
        var child = new ActorCell(System, this, props, name);
        lock (_children)
        {
            if (_terminating || _terminated)
                throw new InvalidOperationException($"Cannot create child '{name}': {Path} is stopping");
            if (_children.ContainsKey(name))
                throw new InvalidActorNameException($"Actor name '{name}' is not unique under {Path}");
            _children.Add(name, new ChildRestartStats(child));
        }
        child.SendSystem(new SysCreate());
        return child.Self;
    }

    private static string Base36(long n)
    {
        const string digits = "abcdefghijklmnopqrstuvwxyz0123456789";
        Span<char> buf = stackalloc char[16];
        var i = buf.Length;
        do { buf[--i] = digits[(int)(n % 36)]; n /= 36; } while (n > 0);
        return new string(buf[i..]);
    }

    public IActorRef Child(string name)
    {
        lock (_children)
        {
            return _children.TryGetValue(name, out var c) && !c.Stopping ? c.Child.Self : ActorRefs.Nobody;
        }
    }

    public IReadOnlyList<IActorRef> Children
    {
        get
        {
            lock (_children)
            {
                var list = new List<IActorRef>(_children.Count);
                foreach (var c in _children.Values) if (!c.Stopping) list.Add(c.Child.Self);
                return list;
            }
        }
    }

    public void Stop(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor is not LocalActorRef local) return;
        if (local.Cell == this)
        {
            SendSystem(new SysTerminate());
            return;
        }
        if (local.Cell._parent == this) StopChild(local.Cell);
        else local.Cell.SendSystem(new SysTerminate());
    }

    private void StopChild(ActorCell child)
    {
        lock (_children)
        {
            if (_children.TryGetValue(child.Path.Name, out var stats) && stats.Child == child) stats.Stopping = true;
        }
        child.SendSystem(new SysTerminate());
    }

    public IActorRef Watch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (subject.Equals(Self)) return subject;
        _watching ??= new HashSet<IActorRef>();
        if (!_watching.Add(subject)) return subject;
        if (subject is LocalActorRef local) local.Cell.SendSystem(new SysWatch(Self));
        else SendSystem(new SysDeathWatchNotification(subject, ExistenceConfirmed: false));
        return subject;
    }

    public IActorRef Unwatch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (_watching is not null && _watching.Remove(subject) && subject is LocalActorRef local)
            local.Cell.SendSystem(new SysUnwatch(Self));
        return subject;
    }

    public void Become(Action<object> receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        _behaviorStack ??= new List<Action<object>>();
        if (_behaviorStack.Count > 0) _behaviorStack[^1] = receive;
        else _behaviorStack.Add(receive);
        _behavior = receive;
    }

    public void BecomeStacked(Action<object> receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        (_behaviorStack ??= new List<Action<object>>()).Add(receive);
        _behavior = receive;
    }

    public void Unbecome()
    {
        if (_behaviorStack is { Count: > 0 }) _behaviorStack.RemoveAt(_behaviorStack.Count - 1);
        _behavior = _behaviorStack is { Count: > 0 } ? _behaviorStack[^1] : _actor?.ReceiveDelegate;
    }

    private static readonly object ReceiveTimeoutKey = new();

    public void SetReceiveTimeout(TimeSpan? timeout)
    {
        _receiveTimeout = timeout is { } t && t > TimeSpan.Zero ? t : null;
        ResetReceiveTimeout();
    }

    private void ResetReceiveTimeout()
    {
        if (_receiveTimeout is { } t) Timers.StartSingleTimer(ReceiveTimeoutKey, Actors.ReceiveTimeout.Instance, t);
        else _timers?.Cancel(ReceiveTimeoutKey);
    }

    public override string ToString() => Path.ToString();

    // ---------------------------------------------------------------- stash

    private sealed class StashBuffer(ActorCell cell) : IStash
    {
        private readonly List<QueuedMessage> _items = new();

        public int Count => _items.Count;

        public void Stash() => _items.Add(cell._current);

        public void Unstash()
        {
            if (_items.Count == 0) return;
            var first = _items[0];
            _items.RemoveAt(0);
            (cell._front ??= new LinkedList<QueuedMessage>()).AddFirst(first);
        }

        public void UnstashAll()
        {
            if (_items.Count == 0) return;
            var front = cell._front ??= new LinkedList<QueuedMessage>();
            for (var i = _items.Count - 1; i >= 0; i--) front.AddFirst(_items[i]);
            _items.Clear();
        }

        public void DeadLetterAll()
        {
            foreach (var m in _items) cell.SendToDeadLetters(m.Message, m.Sender);
            _items.Clear();
        }
    }
}
