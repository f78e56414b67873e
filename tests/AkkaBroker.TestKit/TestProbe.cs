using System.Diagnostics;
using AkkaBroker.Actors;

namespace AkkaBroker.TestKit;

/// <summary>Thrown when a TestKit expectation fails.</summary>
public sealed class TestKitAssertionException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// An actor whose received messages a test inspects: <see cref="ExpectMsg{T}"/>, <see cref="ExpectNoMsg"/>,
/// <see cref="ExpectTerminated"/>, <see cref="FishForMessage"/> and their async forms. Timeouts default to 3 s times
/// the time factor; inside <see cref="Within"/> they are capped by its deadline.
/// </summary>
public sealed class TestProbe
{
    private readonly object _lock = new();
    private readonly Queue<Envelope> _messages = new();
    private readonly SemaphoreSlim _available = new(0);
    private DateTimeOffset? _deadline;

    internal TestProbe(ActorSystem system, double timeFactor, string? name)
    {
        System = system;
        TimeFactor = timeFactor;
        Ref = system.ActorOf(Props.Create(() => new ProbeActor(this)), name);
    }

    /// <summary>The system the probe lives in.</summary>
    public ActorSystem System { get; }

    /// <summary>The probe's actor ref: use it as a recipient or as the sender of a Tell.</summary>
    public IActorRef Ref { get; }

    /// <summary>Factor applied to every default and explicit timeout.</summary>
    public double TimeFactor { get; }

    /// <summary>Sender of the last message received by an expectation.</summary>
    public IActorRef LastSender { get; private set; } = ActorRefs.Nobody;

    /// <summary>The last message received by an expectation.</summary>
    public object? LastMessage { get; private set; }

    /// <summary>3 s times the time factor.</summary>
    public TimeSpan DefaultTimeout => Dilated(TimeSpan.FromSeconds(3));

    /// <summary>Scales <paramref name="duration"/> by the time factor.</summary>
    public TimeSpan Dilated(TimeSpan duration) => TimeSpan.FromTicks((long)(duration.Ticks * TimeFactor));

    internal void Enqueue(Envelope envelope)
    {
        lock (_lock) _messages.Enqueue(envelope);
        _available.Release();
    }

    private TimeSpan Remaining(TimeSpan? requested)
    {
        var timeout = requested is { } r ? Dilated(r) : DefaultTimeout;
        if (_deadline is { } deadline)
        {
            var left = deadline - DateTimeOffset.UtcNow;
            if (left < timeout) timeout = left < TimeSpan.Zero ? TimeSpan.Zero : left;
        }
        return timeout;
    }

    private Envelope Take()
    {
        lock (_lock)
        {
            var e = _messages.Dequeue();
            LastSender = e.Sender;
            LastMessage = e.Message;
            return e;
        }
    }

    /// <summary>Receives the next message within the timeout, or null.</summary>
    public object? ReceiveOne(TimeSpan? timeout = null) => _available.Wait(Remaining(timeout)) ? Take().Message : null;

    /// <summary>Receives the next message within the timeout, or null.</summary>
    public async Task<object?> ReceiveOneAsync(TimeSpan? timeout = null)
        => await _available.WaitAsync(Remaining(timeout)).ConfigureAwait(false) ? Take().Message : null;

    /// <summary>Expects a message of type <typeparamref name="T"/> (matching <paramref name="predicate"/>) as the next message.</summary>
    public T ExpectMsg<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null)
        => Check(ReceiveOne(timeout), predicate, timeout);

    /// <summary>Async form of <see cref="ExpectMsg{T}"/>.</summary>
    public async Task<T> ExpectMsgAsync<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null)
        => Check(await ReceiveOneAsync(timeout).ConfigureAwait(false), predicate, timeout);

    /// <summary>Expects the next message to equal <paramref name="expected"/>.</summary>
    public T ExpectMsg<T>(T expected, TimeSpan? timeout = null) where T : notnull
        => Check<T>(ReceiveOne(timeout), m => Equals(m, expected), timeout, $"equal to {expected}");

    /// <summary>Async form of <see cref="ExpectMsg{T}(T, TimeSpan?)"/>.</summary>
    public async Task<T> ExpectMsgAsync<T>(T expected, TimeSpan? timeout = null) where T : notnull
        => Check<T>(await ReceiveOneAsync(timeout).ConfigureAwait(false), m => Equals(m, expected), timeout, $"equal to {expected}");

    private T Check<T>(object? message, Func<T, bool>? predicate, TimeSpan? timeout, string? what = null)
    {
        if (message is null)
            throw new TestKitAssertionException($"Timeout ({Remaining(timeout)}) waiting for {typeof(T).Name} {what}");
        if (message is not T typed)
            throw new TestKitAssertionException($"Expected {typeof(T).Name} {what} but got {message.GetType().Name}: {message}");
        if (predicate is not null && !predicate(typed))
            throw new TestKitAssertionException($"Message {message} does not match the expectation {what}");
        return typed;
    }

    /// <summary>Expects no message for <paramref name="duration"/> (default 100 ms times the time factor).</summary>
    public void ExpectNoMsg(TimeSpan? duration = null)
    {
        var message = ReceiveOne(duration ?? TimeSpan.FromMilliseconds(100));
        if (message is not null) throw new TestKitAssertionException($"Expected no message but got {message.GetType().Name}: {message}");
    }

    /// <summary>Async form of <see cref="ExpectNoMsg"/>.</summary>
    public async Task ExpectNoMsgAsync(TimeSpan? duration = null)
    {
        var message = await ReceiveOneAsync(duration ?? TimeSpan.FromMilliseconds(100)).ConfigureAwait(false);
        if (message is not null) throw new TestKitAssertionException($"Expected no message but got {message.GetType().Name}: {message}");
    }

    /// <summary>Expects <see cref="Terminated"/> for <paramref name="actor"/> (watch it first with <see cref="Watch"/>).</summary>
    public Terminated ExpectTerminated(IActorRef actor, TimeSpan? timeout = null)
        => Check<Terminated>(ReceiveOne(timeout), t => t.ActorRef.Equals(actor), timeout, $"for {actor.Path}");

    /// <summary>Async form of <see cref="ExpectTerminated"/>.</summary>
    public async Task<Terminated> ExpectTerminatedAsync(IActorRef actor, TimeSpan? timeout = null)
        => Check<Terminated>(await ReceiveOneAsync(timeout).ConfigureAwait(false), t => t.ActorRef.Equals(actor), timeout, $"for {actor.Path}");

    /// <summary>Skips messages until one satisfies <paramref name="isMessage"/>, which it returns; fails at the timeout.</summary>
    public object FishForMessage(Func<object, bool> isMessage, TimeSpan? timeout = null)
    {
        var end = DateTimeOffset.UtcNow + Remaining(timeout);
        while (true)
        {
            var left = end - DateTimeOffset.UtcNow;
            var message = _available.Wait(left < TimeSpan.Zero ? TimeSpan.Zero : left) ? Take().Message : null;
            if (message is null) throw new TestKitAssertionException("Timeout while fishing for a message");
            if (isMessage(message)) return message;
        }
    }

    /// <summary>Async form of <see cref="FishForMessage"/>.</summary>
    public async Task<object> FishForMessageAsync(Func<object, bool> isMessage, TimeSpan? timeout = null)
    {
        var end = DateTimeOffset.UtcNow + Remaining(timeout);
        while (true)
        {
            var left = end - DateTimeOffset.UtcNow;
            var message = await _available.WaitAsync(left < TimeSpan.Zero ? TimeSpan.Zero : left).ConfigureAwait(false) ? Take().Message : null;
            if (message is null) throw new TestKitAssertionException("Timeout while fishing for a message");
            if (isMessage(message)) return message;
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> and checks that it took between <paramref name="min"/> and <paramref name="max"/>
    /// (max scaled by the time factor); expectations inside time out at that deadline.
    /// </summary>
    public void Within(TimeSpan min, TimeSpan max, Action action)
    {
        var previous = _deadline;
        var dilatedMax = Dilated(max);
        var started = Stopwatch.GetTimestamp();
        _deadline = DateTimeOffset.UtcNow + dilatedMax;
        try
        {
            action();
        }
        finally
        {
            _deadline = previous;
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (elapsed < min) throw new TestKitAssertionException($"Block took {elapsed}, less than the minimum {min}");
        if (elapsed > dilatedMax) throw new TestKitAssertionException($"Block took {elapsed}, more than the maximum {dilatedMax}");
    }

    /// <summary>Async form of <see cref="Within(TimeSpan, TimeSpan, Action)"/>.</summary>
    public async Task WithinAsync(TimeSpan min, TimeSpan max, Func<Task> action)
    {
        var previous = _deadline;
        var dilatedMax = Dilated(max);
        var started = Stopwatch.GetTimestamp();
        _deadline = DateTimeOffset.UtcNow + dilatedMax;
        try
        {
            await action().ConfigureAwait(false);
        }
        finally
        {
            _deadline = previous;
        }
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (elapsed < min) throw new TestKitAssertionException($"Block took {elapsed}, less than the minimum {min}");
        if (elapsed > dilatedMax) throw new TestKitAssertionException($"Block took {elapsed}, more than the maximum {dilatedMax}");
    }

    /// <summary>Watches <paramref name="actor"/>: the probe will receive <see cref="Terminated"/> when it stops.</summary>
    public IActorRef Watch(IActorRef actor)
    {
        var done = new ManualResetEventSlim();
        Ref.Tell(new ProbeActor.WatchCommand(actor, done, Watch: true));
        if (!done.Wait(DefaultTimeout)) throw new TestKitAssertionException("Probe did not start watching in time");
        return actor;
    }

    /// <summary>Stops watching <paramref name="actor"/>.</summary>
    public IActorRef Unwatch(IActorRef actor)
    {
        var done = new ManualResetEventSlim();
        Ref.Tell(new ProbeActor.WatchCommand(actor, done, Watch: false));
        if (!done.Wait(DefaultTimeout)) throw new TestKitAssertionException("Probe did not stop watching in time");
        return actor;
    }

    /// <summary>Tells <paramref name="message"/> to <paramref name="actor"/> with the probe as sender.</summary>
    public void Send(IActorRef actor, object message) => actor.Tell(message, Ref);

    /// <summary>Replies to <see cref="LastSender"/> with the probe as sender.</summary>
    public void Reply(object message) => LastSender.Tell(message, Ref);

    /// <summary>Forwards <see cref="LastMessage"/> (or <paramref name="message"/>) to <paramref name="actor"/>, keeping <see cref="LastSender"/>.</summary>
    public void Forward(IActorRef actor, object? message = null)
        => actor.Tell(message ?? LastMessage ?? throw new InvalidOperationException("No message received yet"), LastSender);

    private sealed class ProbeActor(TestProbe probe) : ActorBase
    {
        public sealed record WatchCommand(IActorRef Actor, ManualResetEventSlim Done, bool Watch);

        protected override void OnReceive(object message)
        {
            if (message is WatchCommand cmd)
            {
                if (cmd.Watch) Context.Watch(cmd.Actor);
                else Context.Unwatch(cmd.Actor);
                cmd.Done.Set();
                return;
            }
            probe.Enqueue(new Envelope(message, Sender));
        }
    }
}
