using AkkaBroker.Actors;
using AkkaBroker.Broker.Processing;
using AkkaBroker.Broker.Storage;
using AkkaBroker.Protocol.Remoting;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Broker.Polling;

/// <summary>
/// Creates and finds the per-topic-queue <see cref="QueueActor"/>s (DESIGN.md §3 QueueRegion): held pulls go to
/// their queue's actor, and the Dispatcher's arrival notices are routed to the actor of the queue that grew, if
/// that queue has one. A queue's actor exists from its first held pull on.
/// </summary>
public sealed class QueueRegion : ActorBase
{
    /// <summary>A pull that found nothing and may wait up to <paramref name="Wait"/> for messages.</summary>
    public sealed record Hold(PullContext Pull, TimeSpan Wait);

    /// <summary>Asks how many pulls are held across all queues; the reply is an int.</summary>
    public sealed record CountHeld
    {
        /// <summary>The one instance.</summary>
        public static readonly CountHeld Instance = new();
    }

    private readonly Dictionary<(string Topic, int QueueId), IActorRef> _queues = [];
    private readonly MessageStore _store;
    private readonly Func<PullMessageProcessor> _processor;
    private int _next;

    private QueueRegion(MessageStore store, Func<PullMessageProcessor> processor)
    {
        _store = store;
        _processor = processor;
    }

    /// <summary>
    /// Props for the region over <paramref name="store"/>; <paramref name="processor"/> gives the processor that
    /// re-runs woken pulls (a factory because the processor is built after this actor).
    /// </summary>
    public static Props Props(MessageStore store, Func<PullMessageProcessor> processor) =>
        Actors.Props.Create(() => new QueueRegion(store, processor));

    /// <inheritdoc />
    protected override void PreStart() => _store.Dispatcher.Tell(new Dispatcher.SubscribeArrivals(Self));

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Dispatcher.MessagesArrived arrived:
                if (_queues.TryGetValue((arrived.Topic, arrived.QueueId), out var queue)) queue.Tell(arrived);
                break;
            case Hold hold:
                var key = (hold.Pull.Header.Topic, hold.Pull.Header.QueueId);
                if (!_queues.TryGetValue(key, out var target))
                {
                    // Topic names may hold '%' and '|': the child's name is a counter.
                    target = Context.ActorOf(QueueActor.Props(key.Topic, key.QueueId, _store, _processor()), $"queue-{++_next}");
                    _queues[key] = target;
                }

                target.Tell(hold);
                break;
            case CountHeld:
                var replyTo = Sender;
                var asks = _queues.Values.Select(q => q.Ask<int>(QueueActor.CountHeld.Instance, TimeSpan.FromSeconds(5))).ToArray();
                Task.WhenAll(asks).ContinueWith(t => replyTo.Tell(t.IsCompletedSuccessfully ? t.Result.Sum() : -1), TaskScheduler.Default);
                break;
            default:
                Unhandled(message);
                break;
        }
    }
}

/// <summary>
/// One topic-queue's held pulls (DESIGN.md §3 QueueActor; RocketMQ's PullRequestHoldService for one queue). A held
/// pull is re-run as soon as the Dispatcher reports messages past its offset, or when its wait ends; either way it
/// then gets an answer (found, or not found with fresh offsets). Checking the queue's end when a pull is taken in
/// closes the race with a message dispatched between the pull's read and its hold.
/// </summary>
public sealed class QueueActor : ActorBase
{
    /// <summary>Asks how many pulls this queue holds; the reply is an int.</summary>
    public sealed record CountHeld
    {
        /// <summary>The one instance.</summary>
        public static readonly CountHeld Instance = new();
    }

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }

    private static readonly TimeSpan TickInterval = TimeSpan.FromMilliseconds(200);
    private readonly string _topic;
    private readonly int _queueId;
    private readonly MessageStore _store;
    private readonly PullMessageProcessor _processor;
    private readonly List<(PullContext Pull, long Deadline)> _held = [];
    private bool _ticking;

    private QueueActor(string topic, int queueId, MessageStore store, PullMessageProcessor processor)
    {
        _topic = topic;
        _queueId = queueId;
        _store = store;
        _processor = processor;
    }

    /// <summary>Props for the actor of one topic-queue.</summary>
    public static Props Props(string topic, int queueId, MessageStore store, PullMessageProcessor processor) =>
        Actors.Props.Create(() => new QueueActor(topic, queueId, store, processor));

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case QueueRegion.Hold hold:
                if (hold.Pull.Connection.IsClosed) break;
                if (_store.GetMaxOffset(_topic, _queueId) > hold.Pull.Header.QueueOffset || hold.Wait <= TimeSpan.Zero)
                {
                    Answer(hold.Pull);
                    break;
                }

                _held.Add((hold.Pull, Environment.TickCount64 + (long)hold.Wait.TotalMilliseconds));
                if (!_ticking)
                {
                    Timers.StartPeriodicTimer("expire", Tick.Instance, TickInterval);
                    _ticking = true;
                }

                break;
            case Dispatcher.MessagesArrived arrived:
                Wake(p => arrived.MaxOffset > p.Header.QueueOffset);
                break;
            case Tick:
                var now = Environment.TickCount64;
                Wake(null, now);
                if (_held.Count == 0)
                {
                    Timers.Cancel("expire");
                    _ticking = false;
                }

                break;
            case CountHeld:
                Sender.Tell(_held.Count);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>Answers every held pull that <paramref name="ready"/> accepts, or (on a tick) whose deadline passed or whose client left.</summary>
    private void Wake(Func<PullContext, bool>? ready, long now = 0)
    {
        for (var i = _held.Count - 1; i >= 0; i--)
        {
            var (pull, deadline) = _held[i];
            var due = ready is not null ? ready(pull) : deadline <= now || pull.Connection.IsClosed;
            if (!due) continue;
            _held.RemoveAt(i);
            if (!pull.Connection.IsClosed) Answer(pull);
        }
    }

    private void Answer(PullContext pull)
    {
        RemotingCommand? response;
        try
        {
            response = _processor.Execute(pull, allowSuspend: false);
        }
        catch (Exception e)
        {
            Context.Log.LogWarning(e, "Held pull on {Topic}:{QueueId} failed", _topic, _queueId);
            response = RemotingCommand.CreateResponse(pull.Request, ResponseCode.SystemError, e.Message);
        }

        if (response is not null) _ = pull.Connection.SendResponseAsync(pull.Request, response).AsTask();
    }
}
