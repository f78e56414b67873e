using System.Collections.Concurrent;
using AkkaBroker.Actors;
using Microsoft.Extensions.Logging;
using ActorProps = AkkaBroker.Actors.Props;

namespace AkkaBroker.Client.Actors;

/// <summary>
/// A <see cref="PushConsumer"/> behind an actor that hands each batch of messages (one message unless
/// <see cref="PushConsumerOptions.ConsumeMessageBatchMaxSize"/> is larger) to a target actor as a <see cref="Deliver"/>
/// and waits for the target's answer before the batch counts as consumed:
/// <see cref="Ack"/> lets the group's offset pass the batch; <see cref="Nack"/>, or no answer within the ack time-out,
/// sends it back to the broker for redelivery (through the group's retry topic, with a higher
/// <see cref="MessageExt.ReconsumeTimes"/>). In orderly mode the queue is held and the same batch is delivered again.
/// <para>
/// The actor starts its consumer before its first message and watches the target: when the target stops, so does the
/// consumer. Stop it with <c>GracefulStop(timeout, ConsumerActor.Shutdown.Instance)</c>: pulling stops, the deliveries
/// in flight are still answered, offsets are committed and the consumer leaves its group; stopped any other way,
/// unanswered deliveries count as negative and the consumer shuts down in the background.
/// </para>
/// </summary>
public sealed class ConsumerActor : ActorBase
{
    /// <summary>A topic to subscribe with its tag expression.</summary>
    /// <param name="Topic">The topic.</param>
    /// <param name="Expression">Tag expression: <c>*</c>, or <c>TagA || TagB</c>.</param>
    public sealed record Subscription(string Topic, string Expression = "*");

    /// <summary>
    /// Messages for the target, sent with the consumer actor as sender. Answer with <see cref="Ack"/> or
    /// <see cref="Nack"/> of <see cref="DeliveryId"/> (to the sender, or to <see cref="Consumer"/> from anywhere).
    /// </summary>
    /// <param name="DeliveryId">Identifies this delivery in the answer.</param>
    /// <param name="Messages">The batch (at least one message).</param>
    /// <param name="Consumer">The consumer actor that waits for the answer.</param>
    public sealed record Deliver(long DeliveryId, IReadOnlyList<MessageExt> Messages, IActorRef Consumer)
    {
        /// <summary>Tells the consumer actor the batch was consumed.</summary>
        public void Acknowledge() => Consumer.Tell(new Ack(DeliveryId));

        /// <summary>Tells the consumer actor the batch failed and must be redelivered.</summary>
        public void Reject() => Consumer.Tell(new Nack(DeliveryId));
    }

    /// <summary>The target consumed delivery <paramref name="DeliveryId"/>; the offset may pass it.</summary>
    /// <param name="DeliveryId">The <see cref="Deliver.DeliveryId"/>.</param>
    public sealed record Ack(long DeliveryId);

    /// <summary>The target failed delivery <paramref name="DeliveryId"/>; it is redelivered later.</summary>
    /// <param name="DeliveryId">The <see cref="Deliver.DeliveryId"/>.</param>
    public sealed record Nack(long DeliveryId);

    /// <summary>Asks for a <see cref="ConsumerStatus"/> (answered once the consumer has started).</summary>
    public sealed record GetStatus
    {
        private GetStatus() { }

        /// <summary>The single instance.</summary>
        public static readonly GetStatus Instance = new();
    }

    /// <summary>The consumer's client id and the queues it owns now.</summary>
    /// <param name="ClientId">The consumer's client id in its group.</param>
    /// <param name="OwnedQueues">The queues rebalancing gave this member.</param>
    /// <param name="PendingDeliveries">Deliveries waiting for the target's answer.</param>
    public sealed record ConsumerStatus(string ClientId, IReadOnlyCollection<MessageQueueRef> OwnedQueues, int PendingDeliveries);

    /// <summary>Stops pulling, waits for the deliveries in flight, commits offsets, leaves the group, then stops the actor.</summary>
    public sealed record Shutdown
    {
        private Shutdown() { }

        /// <summary>The single instance.</summary>
        public static readonly Shutdown Instance = new();
    }

    private sealed record ShutdownDone(Exception? Error);

    private readonly PushConsumerOptions _options;
    private readonly IReadOnlyList<Subscription> _subscriptions;
    private readonly IActorRef _target;
    private readonly TimeSpan _ackTimeout;
    private readonly bool _orderly;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<bool>> _pending = new();
    private PushConsumer? _consumer;
    private IActorRef _self = ActorRefs.Nobody;
    private ILogger? _log;
    private long _nextDeliveryId;
    private bool _stopping;
    private bool _shutDown;

    private ConsumerActor(PushConsumerOptions options, IReadOnlyList<Subscription> subscriptions, IActorRef target, TimeSpan ackTimeout, bool orderly)
    {
        _options = options;
        _subscriptions = subscriptions;
        _target = target;
        _ackTimeout = ackTimeout;
        _orderly = orderly;
    }

    /// <summary>A consumer actor delivering to <paramref name="target"/>.</summary>
    /// <param name="options">The push consumer's options (group, name servers, batch size, ...).</param>
    /// <param name="subscriptions">Topics to subscribe (at least one).</param>
    /// <param name="target">Receives each batch as a <see cref="Deliver"/> and answers it.</param>
    /// <param name="ackTimeout">How long a delivery waits for its answer before it counts as negative (default 30 s).</param>
    /// <param name="orderly">
    /// Consume each queue in order, one delivery at a time (RocketMQ's orderly listener): a negative answer holds the
    /// queue and delivers the same batch again shortly, instead of going through the retry topic.
    /// </param>
    public static ActorProps Props(PushConsumerOptions options, IReadOnlyList<Subscription> subscriptions, IActorRef target,
        TimeSpan? ackTimeout = null, bool orderly = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(subscriptions);
        ArgumentNullException.ThrowIfNull(target);
        if (subscriptions.Count == 0) throw new ArgumentException("subscribe to at least one topic", nameof(subscriptions));
        var timeout = ackTimeout ?? TimeSpan.FromSeconds(30);
        if (timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ackTimeout), "must be positive");
        var copy = subscriptions.ToArray();
        return ActorProps.Create(() => new ConsumerActor(options, copy, target, timeout, orderly));
    }

    /// <inheritdoc />
    protected override void PreStart()
    {
        _self = Self;
        _log = Log;
        Context.Watch(_target);
        var consumer = new PushConsumer(_options);
        foreach (var s in _subscriptions) consumer.Subscribe(s.Topic, s.Expression);
        if (_orderly)
        {
            consumer.RegisterOrderlyListener(async batch =>
                await DeliverAsync(batch).ConfigureAwait(false) ? OrderlyConsumeResult.Success : OrderlyConsumeResult.SuspendCurrentQueueAMoment);
        }
        else
        {
            consumer.RegisterListener(async batch =>
                await DeliverAsync(batch).ConfigureAwait(false) ? ConsumeResult.Success : ConsumeResult.ReconsumeLater);
        }

        _consumer = consumer;
        // The mailbox waits for the start, so a GetStatus is answered by a started consumer.
        RunTask(() => consumer.StartAsync());
    }

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Ack ack:
                Answer(ack.DeliveryId, true);
                break;
            case Nack nack:
                Answer(nack.DeliveryId, false);
                break;
            case GetStatus:
                Sender.Tell(new ConsumerStatus(_consumer!.ClientId, _consumer.OwnedQueues, _pending.Count));
                break;
            case Shutdown:
                BeginShutdown();
                break;
            case Terminated t when t.ActorRef.Equals(_target):
                Log.LogInformation("Target {Target} of consumer {Group} stopped; shutting the consumer down", _target.Path, _options.ConsumerGroup);
                BeginShutdown();
                break;
            case ShutdownDone done:
                if (done.Error is not null) Log.LogWarning(done.Error, "Consumer {Group} shutdown failed", _options.ConsumerGroup);
                Context.Stop(Self);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        // Unanswered deliveries count as negative: the consumer's callbacks must not wait for an actor that is gone.
        foreach (var id in _pending.Keys) Answer(id, false);
        if (_consumer is not { } consumer || _shutDown) return;
        _shutDown = true;
        var log = Log;
        _ = consumer.ShutdownAsync().ContinueWith(t => log.LogWarning(t.Exception, "Consumer shutdown failed"),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    private void BeginShutdown()
    {
        if (_stopping) return;
        _stopping = true;
        _shutDown = true;
        // Not RunTask: the mailbox must stay open, since the deliveries in flight are answered through it.
        _ = _consumer!.ShutdownAsync().PipeTo(Self, success: () => new ShutdownDone(null), failure: e => new ShutdownDone(e));
    }

    private void Answer(long deliveryId, bool consumed)
    {
        if (_pending.TryRemove(deliveryId, out var answer)) answer.TrySetResult(consumed);
        else Log.LogDebug("Answer to unknown or expired delivery {DeliveryId} ignored", deliveryId);
    }

    // Runs on the push consumer's threads, not in the actor.
    private async Task<bool> DeliverAsync(IReadOnlyList<MessageExt> batch)
    {
        var id = Interlocked.Increment(ref _nextDeliveryId);
        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        _target.Tell(new Deliver(id, batch, _self), _self);
        try
        {
            return await answer.Task.WaitAsync(_ackTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _log?.LogWarning("Delivery {DeliveryId} of {Count} message(s) to {Target} got no answer within {Timeout}; it will be redelivered",
                id, batch.Count, _target.Path, _ackTimeout);
            return false;
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }
}
