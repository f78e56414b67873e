using Microsoft.Extensions.Logging;

namespace AkkaBroker.Actors;

/// <summary>
/// Mailbox run. Status word: Idle or Scheduled. A sender enqueues, then CASes Idle -> Scheduled and, if it won, queues
/// the cell on the thread pool (or signals its dedicated thread). A run processes all system messages, then up to
/// <c>throughput</c> user messages (system messages are re-checked before each one), then sets Idle and re-checks both
/// queues, rescheduling itself if anything arrived meanwhile: no lost wake-up.
/// </summary>
internal sealed partial class ActorCell : IThreadPoolWorkItem
{
    private const int Idle = 0;
    private const int Scheduled = 1;

    private int _status;
    private readonly DedicatedRunner? _runner;

    internal void TrySchedule()
    {
        if (Interlocked.CompareExchange(ref _status, Scheduled, Idle) != Idle) return;
        if (_runner is { } runner && runner.TrySignal()) return;
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>True when the actor may process user messages now.</summary>
    private bool CanProcessUser => _actor is not null && !_failed && _pendingTasks == 0 && !_terminating && _pendingRecreate is null;

    private bool HasUserMessages => _front is { Count: > 0 } || !_queue.IsEmpty;

    public void Execute()
    {
        var previous = t_running;
        t_running = this;
        try
        {
            Run();
        }
        catch (Exception ex)
        {
            // Only a runtime bug gets here (handlers and hooks are guarded); never let it take the process down.
            try { Log.LogCritical(ex, "Mailbox run of {Actor} failed", Path); } catch { /* logging failed too */ }
        }
        finally
        {
            t_running = previous;
            Interlocked.Exchange(ref _status, Idle);
            if (Volatile.Read(ref _systemHead) is not null || ((_terminated || CanProcessUser) && HasUserMessages))
                TrySchedule();
        }
    }

    private void Run()
    {
        Runs++;
        ProcessSystemMessages();
        if (!_terminated)
        {
            var left = _throughput;
            while (left > 0 && CanProcessUser)
            {
                if (Volatile.Read(ref _systemHead) is not null)
                {
                    ProcessSystemMessages();
                    if (!CanProcessUser) break;
                }
                if (!TryDequeueUser(out var message)) break;
                left--;
                Invoke(message);
            }
            if (Volatile.Read(ref _systemHead) is not null) ProcessSystemMessages();
        }
        if (_terminated) DrainToDeadLetters();
    }

    private bool TryDequeueUser(out QueuedMessage message)
    {
        if (_front is { Count: > 0 } front)
        {
            message = front.First!.Value;
            front.RemoveFirst();
            return true;
        }
        if (!_queue.TryDequeue(out message)) return false;
        if (_capacity > 0) Interlocked.Decrement(ref _queuedCount);
        return true;
    }

    private void DrainToDeadLetters()
    {
        while (TryDequeueUser(out var m)) SendToDeadLetters(m.Message, m.Sender);
    }

    private void Invoke(QueuedMessage envelope)
    {
        _current = envelope;
        var message = envelope.Message;
        try
        {
            if (message is AutoReceivedMessage auto) HandleAutoReceived(auto);
            else _behavior!(message);
        }
        catch (Exception ex)
        {
            HandleInvokeFailure(ex, message);
        }
        if (_pendingTasks == 0) _current = default; // keep the sender only while a RunTask needs it
        if (_receiveTimeout is not null && !_terminating && !ReferenceEquals(message, Actors.ReceiveTimeout.Instance)
            && !(message is TimerMessage { Message: Actors.ReceiveTimeout })) ResetReceiveTimeout();
    }

    private void HandleAutoReceived(AutoReceivedMessage message)
    {
        switch (message)
        {
            case PoisonPill:
                SendSystem(new SysTerminate());
                break;
            case Kill:
                throw new ActorKilledException("Kill");
            case TimerMessage tick:
                if (tick.Owner != _timers || !tick.Owner.Accept(tick)) return;
                if (tick.Message is AutoReceivedMessage inner) HandleAutoReceived(inner);
                else _behavior!(tick.Message);
                break;
        }
    }

    internal int DrainQueued(List<Envelope> into, int max)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (t_running != this) throw new InvalidOperationException("DrainQueued may only be called from inside the actor's message handler");
        var n = 0;
        while (n < max)
        {
            QueuedMessage m;
            if (_front is { Count: > 0 } front)
            {
                m = front.First!.Value;
                if (m.Message is AutoReceivedMessage) break;
                front.RemoveFirst();
            }
            else
            {
                if (!_queue.TryPeek(out m) || m.Message is AutoReceivedMessage) break;
                _queue.TryDequeue(out m);
                if (_capacity > 0) Interlocked.Decrement(ref _queuedCount);
            }
            into.Add(new Envelope(m.Message, m.Sender ?? System.DeadLetters));
            n++;
        }
        return n;
    }

    // ---------------------------------------------------------------- RunTask (ReceiveAsync)

    private int _pendingTasks;
    private int _taskGeneration;

    internal void RunTask(Func<Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (t_running != this) throw new InvalidOperationException("RunTask may only be called from inside the actor");
        var generation = _taskGeneration;
        var context = new ActorSynchronizationContext(this, generation);
        _pendingTasks++;
        var previous = SynchronizationContext.Current;
        Task task;
        SynchronizationContext.SetSynchronizationContext(context);
        try
        {
            task = action() ?? Task.CompletedTask;
        }
        catch (Exception ex)
        {
            task = Task.FromException(ex);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
        if (task.IsCompleted) CompleteTask(generation, task.Exception);
        else task.ContinueWith(static (t, s) =>
        {
            var (cell, gen) = ((ActorCell, int))s!;
            cell.SendSystem(new SysTaskCompleted(gen, t.Exception));
        }, (this, generation), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void CompleteTask(int generation, AggregateException? error)
    {
        if (generation != _taskGeneration || _terminated) return;
        _pendingTasks--;
        if (error is not null)
        {
            var cause = error.InnerExceptions.Count == 1 ? error.InnerExceptions[0] : error;
            HandleInvokeFailure(cause, _current.Message);
        }
    }

    private void RunCallback(SysCallback callback)
    {
        if (callback.Generation != _taskGeneration || _terminated) return;
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(callback.Context);
        try
        {
            callback.Callback(callback.State);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    /// <summary>Posts continuations of a RunTask back into the actor's mailbox as system messages.</summary>
    private sealed class ActorSynchronizationContext(ActorCell cell, int generation) : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state) => cell.SendSystem(new SysCallback(d, state, generation, this));

        public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("Send is not supported inside an actor");

        public override SynchronizationContext CreateCopy() => this;
    }

    /// <summary>The thread of an actor created WithDedicatedThread: waits for a signal, runs the mailbox, exits when the actor stops.</summary>
    private sealed class DedicatedRunner
    {
        private readonly ActorCell _cell;
        private readonly SemaphoreSlim _signal = new(0);
        private readonly object _gate = new();
        private bool _exited;

        public DedicatedRunner(ActorCell cell)
        {
            _cell = cell;
            new Thread(Loop) { IsBackground = true, Name = "actor:" + cell.Path }.Start();
        }

        public bool TrySignal()
        {
            lock (_gate)
            {
                if (_exited) return false;
                _signal.Release();
                return true;
            }
        }

        private void Loop()
        {
            while (true)
            {
                _signal.Wait();
                _cell.Execute();
                if (!_cell._terminated) continue;
                lock (_gate)
                {
                    _exited = true;
                    // A run signalled after the last one: hand it to the thread pool (the status is already Scheduled).
                    if (_signal.Wait(0)) ThreadPool.UnsafeQueueUserWorkItem(_cell, preferLocal: false);
                }
                _signal.Dispose();
                return;
            }
        }
    }
}
