using System.Runtime.ExceptionServices;
using AkkaBroker.Actors;
using Microsoft.Extensions.Logging;
using ActorProps = AkkaBroker.Actors.Props;

namespace AkkaBroker.Client.Actors;

/// <summary>
/// A <see cref="Producer"/> behind an actor: tell it <see cref="Send"/> or <see cref="SendBatch"/> and the sender gets a
/// <see cref="SendSucceeded"/> or a <see cref="SendFailed"/> (both <see cref="SendOutcome"/>) back as a message, or ask it
/// (<see cref="ProducerActorExtensions.SendAsync"/>). Sends run concurrently, so replies may come in another order
/// than the commands; a command's <see cref="Send.Correlation"/> comes back in its reply.
/// <para>
/// The actor starts its producer before its first message. Stop it with
/// <c>GracefulStop(timeout, ProducerActor.Shutdown.Instance)</c>: it waits for the sends in flight, then the producer
/// unregisters from its brokers. Stopped any other way, it shuts the producer down in the background.
/// </para>
/// </summary>
public sealed class ProducerActor : ActorBase
{
    /// <summary>Sends one message; the sender gets a <see cref="SendOutcome"/> carrying <paramref name="Correlation"/>.</summary>
    /// <param name="Message">The message.</param>
    /// <param name="Correlation">Anything the sender wants back in the reply (e.g. its own request id).</param>
    public sealed record Send(Message Message, object? Correlation = null);

    /// <summary>Sends messages of one topic as one batch (consecutive offsets in one queue); replied to like <see cref="Send"/>.</summary>
    /// <param name="Messages">The messages, all of one topic.</param>
    /// <param name="Correlation">Anything the sender wants back in the reply.</param>
    public sealed record SendBatch(IReadOnlyList<Message> Messages, object? Correlation = null);

    /// <summary>Waits for the sends in flight, shuts the producer down (unregistering it), then stops the actor.</summary>
    public sealed record Shutdown
    {
        private Shutdown() { }

        /// <summary>The single instance.</summary>
        public static readonly Shutdown Instance = new();
    }

    private readonly Producer _producer;
    private readonly bool _owned;
    private readonly List<Task> _inFlight = [];
    private bool _shutDown;

    private ProducerActor(Producer producer, bool owned)
    {
        _producer = producer;
        _owned = owned;
    }

    /// <summary>An actor owning a new producer with <paramref name="options"/>: it starts it and shuts it down.</summary>
    public static ActorProps Props(ProducerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return ActorProps.Create(() => new ProducerActor(new Producer(options), owned: true));
    }

    /// <summary>
    /// An actor sending through an existing, already started <paramref name="producer"/> (shared, e.g. a DI singleton):
    /// the actor neither starts nor shuts it down.
    /// </summary>
    public static ActorProps Props(Producer producer)
    {
        ArgumentNullException.ThrowIfNull(producer);
        return ActorProps.Create(() => new ProducerActor(producer, owned: false));
    }

    /// <inheritdoc />
    protected override void PreStart()
    {
        // The mailbox waits for this task, so no send runs before the producer is started.
        if (_owned) RunTask(() => _producer.StartAsync());
    }

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Send send:
                Track(_producer.SendAsync(send.Message), send.Correlation);
                break;
            case SendBatch batch:
                Track(_producer.SendBatchAsync(batch.Messages), batch.Correlation);
                break;
            case Shutdown:
                RunTask(async () =>
                {
                    await Task.WhenAll(_inFlight);
                    _inFlight.Clear();
                    if (_owned)
                    {
                        _shutDown = true;
                        await _producer.ShutdownAsync();
                    }

                    Context.Stop(Self);
                });
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        if (!_owned || _shutDown) return;
        _shutDown = true;
        var log = Log;
        // PostStop cannot wait; the producer still unregisters, in the background.
        _ = _producer.ShutdownAsync().ContinueWith(t => log.LogWarning(t.Exception, "Producer shutdown failed"),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    private void Track(Task<SendResult> send, object? correlation)
    {
        Task piped;
        try
        {
            piped = send.PipeTo(Sender, Self, result => new SendSucceeded(result, correlation), error => new SendFailed(error, correlation));
        }
        catch (Exception e)
        {
            // A send that throws before returning a task (e.g. an invalid message) is still answered.
            Sender.Tell(new SendFailed(e, correlation), Self);
            return;
        }

        _inFlight.RemoveAll(t => t.IsCompleted);
        _inFlight.Add(piped);
    }
}

/// <summary>The reply to a <see cref="ProducerActor.Send"/> or <see cref="ProducerActor.SendBatch"/>.</summary>
/// <param name="Correlation">The command's correlation value.</param>
public abstract record SendOutcome(object? Correlation);

/// <summary>The broker stored the message (or batch).</summary>
/// <param name="Result">The broker's answer: status, message id, queue and offset.</param>
/// <param name="Correlation">The command's correlation value.</param>
public sealed record SendSucceeded(SendResult Result, object? Correlation = null) : SendOutcome(Correlation);

/// <summary>The send failed after the producer's retries.</summary>
/// <param name="Cause">Why (e.g. <see cref="MQClientException"/>, <see cref="MQBrokerException"/>, <see cref="ArgumentException"/>).</param>
/// <param name="Correlation">The command's correlation value.</param>
public sealed record SendFailed(Exception Cause, object? Correlation = null) : SendOutcome(Correlation);

/// <summary>Ask-style sending through a <see cref="ProducerActor"/> (at the edges, not between actors).</summary>
public static class ProducerActorExtensions
{
    /// <summary>Asks <paramref name="producer"/> to send <paramref name="message"/> and returns the broker's result.</summary>
    /// <param name="producer">A <see cref="ProducerActor"/>.</param>
    /// <param name="message">The message.</param>
    /// <param name="timeout">How long to wait for the reply (default: the system's ask time-out).</param>
    /// <param name="cancellationToken">Stops waiting (the send itself goes on).</param>
    /// <exception cref="AskTimeoutException">No reply in time.</exception>
    /// <exception cref="Exception">The <see cref="SendFailed.Cause"/> of a failed send.</exception>
    public static async Task<SendResult> SendAsync(this IActorRef producer, Message message, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var outcome = await producer.Ask<SendOutcome>(new ProducerActor.Send(message), timeout, cancellationToken).ConfigureAwait(false);
        if (outcome is SendFailed failed) ExceptionDispatchInfo.Throw(failed.Cause);
        return ((SendSucceeded)outcome).Result;
    }
}
