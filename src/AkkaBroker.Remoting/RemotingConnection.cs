using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using AkkaBroker.Protocol.Remoting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AkkaBroker.Remoting;

/// <summary>
/// One remoting connection over a duplex pipe (a socket's streams, or Kestrel's transport): a read loop that decodes
/// frames, completes pending invocations from responses and hands requests to a handler, plus serialized writes.
/// Any failure of the stream or the protocol closes this connection only. Thread-safe.
/// </summary>
public sealed class RemotingConnection : IAsyncDisposable
{
    private readonly IDuplexPipe _pipe;
    private readonly RemotingRequestHandler? _handler;
    private readonly RemotingOptions _options;
    private readonly ILogger _logger;
    private readonly IAsyncDisposable? _transport;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<int, PendingCall> _pending = new();

    // PipeWriter is single-writer; the lock keeps concurrent senders' frames whole. Uncontended, WaitAsync does not allocate.
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITimer? _idleTimer;
    private int _nextOpaque;
    private int _started;
    private int _writersQueued;
    private int _closing;
    private bool _writerCompleted;
    private bool _unflushed;
    private long _lastActivity;
    private string? _closeReason;

    /// <summary>
    /// Wraps <paramref name="pipe"/>; call <see cref="Start"/> to begin reading. <paramref name="handler"/> answers
    /// requests from the peer (null: a client that only invokes; requests then get REQUEST_CODE_NOT_SUPPORTED).
    /// <paramref name="transport"/>, when given, is disposed once the connection has closed (the socket; disposing may
    /// first send what was written before the close).
    /// </summary>
    public RemotingConnection(
        IDuplexPipe pipe,
        RemotingRequestHandler? handler = null,
        RemotingOptions? options = null,
        ILogger? logger = null,
        string? remoteAddress = null,
        IAsyncDisposable? transport = null)
    {
        ArgumentNullException.ThrowIfNull(pipe);
        _pipe = pipe;
        _handler = handler;
        _options = options ?? RemotingOptions.Default;
        _logger = logger ?? NullLogger.Instance;
        _transport = transport;
        RemoteAddress = remoteAddress ?? "unknown";
        _time = _options.TimeProvider;
        _lastActivity = _time.GetTimestamp();
    }

    /// <summary>The peer's address as "host:port", for logs and client identity.</summary>
    public string RemoteAddress { get; }

    /// <summary>Completes (never faults) once the connection has closed and its pending invocations have failed.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Whether closing has begun; no further frames are sent or handled.</summary>
    public bool IsClosed => Volatile.Read(ref _closing) != 0;

    /// <summary>Why the connection closed (peer closed, idle, malformed frame, I/O error, local close); null while open.</summary>
    public string? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>Invocations sent and not yet answered, timed out or failed.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>Starts the read loop and the idle check; a second call does nothing.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) return;
        var idle = _options.IdleTimeout;
        if (idle != Timeout.InfiniteTimeSpan && idle > TimeSpan.Zero && !IsClosed)
        {
            // Checking at a quarter of the timeout closes an idle connection within 1.25x the timeout.
            var period = TimeSpan.FromMilliseconds(Math.Max(10, idle.TotalMilliseconds / 4));
            _idleTimer = _time.CreateTimer(static s => ((RemotingConnection)s!).CheckIdle(), this, period, period);
        }

        // Runs even when already closed: once started, only the read loop's end finishes a close.
        _ = Task.Run(ReadLoopAsync);
    }

    /// <summary>
    /// Sends <paramref name="request"/> with a fresh opaque and waits for its response. Throws
    /// <see cref="RemotingTimeoutException"/> when no response arrives within <paramref name="timeout"/> (a later
    /// one is dropped) and <see cref="RemotingConnectionException"/> when the connection is or becomes closed.
    /// </summary>
    public async Task<RemotingCommand> InvokeAsync(RemotingCommand request, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var opaque = Interlocked.Increment(ref _nextOpaque);
        request.Opaque = opaque;
        request.Flag &= ~(RemotingCommand.ResponseFlagBit | RemotingCommand.OnewayFlagBit);
        var call = new PendingCall(ResponseTimeouts.DeadlineAfter(timeout));
        _pending[opaque] = call;
        _options.ResponseTimeouts.Watch(this, call.Deadline);
        try
        {
            // Registered before the closed check, so a concurrent close either sees it in FailPending or we see the close.
            if (IsClosed) throw Closing();
            await SendAsync(request, cancellationToken).ConfigureAwait(false);
            return cancellationToken.CanBeCanceled
                ? await call.Task.WaitAsync(cancellationToken).ConfigureAwait(false)
                : await call.Task.ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new RemotingTimeoutException(
                $"no response to {RequestCode.Describe(request.Code)} opaque={opaque} from {RemoteAddress} within {timeout.TotalMilliseconds} ms");
        }
        finally
        {
            _pending.TryRemove(opaque, out _);
        }
    }

    /// <summary>Sends <paramref name="request"/> with a fresh opaque and the oneway flag; no response is expected.</summary>
    public ValueTask InvokeOnewayAsync(RemotingCommand request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Opaque = Interlocked.Increment(ref _nextOpaque);
        request.Flag = (request.Flag & ~RemotingCommand.ResponseFlagBit) | RemotingCommand.OnewayFlagBit;
        return SendAsync(request, cancellationToken);
    }

    /// <summary>
    /// Sends a response to <paramref name="request"/> that was not returned by the handler (a held pull answered later).
    /// Sets the request's opaque, the response flag and the request's serialize type; does nothing for oneway requests
    /// or when the connection has closed (the peer is gone; there is nobody to tell).
    /// </summary>
    public ValueTask SendResponseAsync(RemotingCommand request, RemotingCommand response) => WriteResponseAsync(request, response, flush: true);

    private async ValueTask WriteResponseAsync(RemotingCommand request, RemotingCommand response, bool flush)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(response);
        if (request.IsOneway) return;
        response.Opaque = request.Opaque;
        response.Flag |= RemotingCommand.ResponseFlagBit;
        response.SerializeType = request.SerializeType;
        try
        {
            await WriteAsync(response, flush, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            // Encode validates before writing anything, so the stream is intact and the peer can still be told.
            _logger.LogWarning(e, "Response to {Request} from {Address} cannot be encoded", request, RemoteAddress);
            await WriteResponseAsync(request, RemotingCommand.CreateResponse(request, ResponseCode.SystemError, e.Message), flush).ConfigureAwait(false);
        }
        catch (RemotingConnectionException)
        {
        }
    }

    /// <summary>
    /// Writes one frame. Throws <see cref="RemotingConnectionException"/> when the connection is closed, and
    /// <see cref="ArgumentException"/> (with nothing written) for a command the codec cannot frame.
    /// </summary>
    public ValueTask SendAsync(RemotingCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        return WriteAsync(command, flush: true, cancellationToken);
    }

    // flush=false leaves the frame in the pipe for the read loop's one flush after the frames of a read (or any
    // sender's flush before that), so pipelined requests answered synchronously cost one socket write.
    // A writer that sees others queued behind it leaves its frame unflushed: the last writer of a burst flushes
    // them all in one socket write (many producers' sends or many completions' responses on one connection).
    private async ValueTask WriteAsync(RemotingCommand command, bool flush, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _writersQueued);
        try
        {
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _writersQueued);
        }

        try
        {
            if (IsClosed) throw Closing();
            RemotingCodec.Encode(command, _pipe.Output);
            Volatile.Write(ref _lastActivity, _time.GetTimestamp());
            if (flush && Volatile.Read(ref _writersQueued) == 0) await FlushLockedAsync().ConfigureAwait(false);
            else _unflushed = true;
        }
        finally
        {
            _writeLock.Release();
        }

        // A queued writer may have given up (cancelled) after we skipped our flush: make sure nothing is left behind.
        if (flush && _unflushed && Volatile.Read(ref _writersQueued) == 0) await FlushUnflushedAsync().ConfigureAwait(false);
    }

    private async ValueTask FlushLockedAsync()
    {
        _unflushed = false;
        FlushResult flushed;
        try
        {
            // No cancellation token: a flush cancelled halfway would leave half a frame on the wire.
            flushed = await _pipe.Output.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Close("write failed: " + e.Message);
            throw new RemotingConnectionException($"connection to {RemoteAddress} failed while writing", e);
        }

        if (flushed.IsCompleted || flushed.IsCanceled)
        {
            Close("peer stopped reading");
            throw Closing();
        }
    }

    private async ValueTask FlushUnflushedAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_unflushed && !IsClosed) await FlushLockedAsync().ConfigureAwait(false);
        }
        catch (RemotingConnectionException)
        {
            // Already closing; the read loop notices on its next turn.
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Begins closing: pending invocations fail with <see cref="RemotingConnectionException"/>, the read loop ends
    /// and the transport is released; <see cref="Closed"/> completes when done. Later calls do nothing.
    /// </summary>
    public void Close(string reason = "closed locally")
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0) return;
        Volatile.Write(ref _closeReason, reason);
        _logger.LogDebug("Closing connection {Address}: {Reason}", RemoteAddress, reason);
        _idleTimer?.Dispose();
        FailPending();
        // Wakes a read loop waiting on the peer and a writer stuck on backpressure; both then see _closing.
        // The read loop may already have ended and completed the pipe (a stream pipe then throws
        // ObjectDisposedException): nothing is left to wake.
        try
        {
            _pipe.Input.CancelPendingRead();
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
        }

        try
        {
            _pipe.Output.CancelPendingFlush();
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
        }

        if (Volatile.Read(ref _started) == 0) _ = FinishCloseAsync();
    }

    /// <summary>Closes the connection and waits until it has closed.</summary>
    public async ValueTask DisposeAsync()
    {
        Close("disposed");
        await Closed.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => $"RemotingConnection({RemoteAddress}{(IsClosed ? ", closed" : "")})";

    private async Task ReadLoopAsync()
    {
        var input = _pipe.Input;
        var reason = "peer closed the connection";
        try
        {
            while (!IsClosed)
            {
                var result = await input.ReadAsync().ConfigureAwait(false);
                if (IsClosed) break;
                var buffer = result.Buffer;
                Volatile.Write(ref _lastActivity, _time.GetTimestamp());
                string? malformed = null;
                while (true)
                {
                    var status = RemotingCodec.TryReadFrame(ref buffer, _options.MaxFrameSize, out var command, out var error);
                    if (status == FrameReadStatus.NeedMoreData) break;
                    if (status == FrameReadStatus.Malformed)
                    {
                        malformed = error;
                        break;
                    }

                    await DispatchAsync(command!).ConfigureAwait(false);
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (_unflushed) await FlushUnflushedAsync().ConfigureAwait(false);
                if (malformed is not null)
                {
                    // The stream cannot be resynchronised (Java's NettyDecoder closes too).
                    _logger.LogWarning("Closing connection {Address}: malformed frame: {Error}", RemoteAddress, malformed);
                    reason = "malformed frame: " + malformed;
                    break;
                }

                if (result.IsCompleted) break;
            }
        }
        catch (Exception e)
        {
            reason = "read failed: " + e.Message;
            _logger.LogDebug(e, "Read from {Address} failed", RemoteAddress);
        }

        Close(reason);
        await FinishCloseAsync().ConfigureAwait(false);
    }

    private ValueTask DispatchAsync(RemotingCommand command)
    {
        if (command.IsResponse)
        {
            if (_pending.TryRemove(command.Opaque, out var completion)) completion.TrySetResult(command);
            else _logger.LogDebug("Dropping response {Response} from {Address}: no pending request (timed out?)", command, RemoteAddress);
            return ValueTask.CompletedTask;
        }

        ValueTask<RemotingCommand?> handled;
        try
        {
            handled = _handler is null ? new(NotSupported(command)) : _handler(command, this);
        }
        catch (Exception e)
        {
            return ReplyFailedAsync(command, e, flush: false);
        }

        // Synchronous processors answer in arrival order; slow ones continue on their own so later requests
        // (a heartbeat behind a held pull) are not held up.
        if (!handled.IsCompleted)
        {
            _ = AwaitAndReplyAsync(command, handled);
            return ValueTask.CompletedTask;
        }

        return handled.IsCompletedSuccessfully ? ReplyAsync(command, handled.Result, flush: false) : new(AwaitAndReplyAsync(command, handled));
    }

    private ValueTask ReplyAsync(RemotingCommand request, RemotingCommand? response, bool flush) =>
        response is null || request.IsOneway ? ValueTask.CompletedTask : WriteResponseAsync(request, response, flush);

    private async Task AwaitAndReplyAsync(RemotingCommand request, ValueTask<RemotingCommand?> handled)
    {
        RemotingCommand? response;
        try
        {
            response = await handled.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await ReplyFailedAsync(request, e, flush: true).ConfigureAwait(false);
            return;
        }

        await ReplyAsync(request, response, flush: true).ConfigureAwait(false);
    }

    private ValueTask ReplyFailedAsync(RemotingCommand request, Exception e, bool flush)
    {
        _logger.LogWarning(e, "Processing {Request} from {Address} failed", request, RemoteAddress);
        return WriteResponseAsync(request, RemotingCommand.CreateResponse(request, ResponseCode.SystemError, e.Message), flush);
    }

    /// <summary>The broker's default answer to a code nobody handles (reference §1.3).</summary>
    internal static RemotingCommand NotSupported(RemotingCommand request) =>
        RemotingCommand.CreateResponse(request, ResponseCode.RequestCodeNotSupported, $" request type {request.Code} not supported");

    private void CheckIdle()
    {
        // A Start racing a Close can leave the timer running after Close disposed it.
        if (IsClosed)
        {
            _idleTimer?.Dispose();
            return;
        }

        var idle = _time.GetElapsedTime(Volatile.Read(ref _lastActivity));
        if (idle >= _options.IdleTimeout)
        {
            var idleMs = (long)idle.TotalMilliseconds;
            _logger.LogInformation("Closing connection {Address}: idle for {IdleMs} ms", RemoteAddress, idleMs);
            Close($"idle for {idleMs} ms");
        }
    }

    /// <summary>
    /// Fails the calls whose deadline is before <paramref name="now"/> (a stopwatch timestamp); returns the earliest
    /// deadline of those still waiting, long.MaxValue when none does.
    /// </summary>
    internal long ExpireOverdue(long now)
    {
        var earliest = long.MaxValue;
        foreach (var (opaque, call) in _pending)
        {
            if (call.Deadline > now) earliest = Math.Min(earliest, call.Deadline);
            else if (_pending.TryRemove(opaque, out _)) call.TrySetException(new TimeoutException());
        }

        return earliest;
    }

    private void FailPending()
    {
        foreach (var (opaque, completion) in _pending)
        {
            if (_pending.TryRemove(opaque, out _))
                completion.TrySetException(new RemotingConnectionException($"connection to {RemoteAddress} closed: {CloseReason}"));
        }
    }

    private async Task FinishCloseAsync()
    {
        try
        {
            await _pipe.Input.CompleteAsync().ConfigureAwait(false);
            // A writer holding the lock finishes promptly: its flush was cancelled and it sees _closing.
            await _writeLock.WaitAsync().ConfigureAwait(false);
            try
            {
                if (!_writerCompleted)
                {
                    _writerCompleted = true;
                    await _pipe.Output.CompleteAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                _writeLock.Release();
            }
        }
        catch (Exception e)
        {
            _logger.LogDebug(e, "Completing the pipe of {Address} failed", RemoteAddress);
        }
        finally
        {
            try
            {
                if (_transport is not null) await _transport.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _logger.LogDebug(e, "Disposing the transport of {Address} failed", RemoteAddress);
            }

            FailPending();
            _closed.TrySetResult();
        }
    }

    /// <summary>A call waiting for its response, and when it stops waiting.</summary>
    private sealed class PendingCall(long deadline) : TaskCompletionSource<RemotingCommand>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public long Deadline { get; } = deadline;
    }

    private RemotingConnectionException Closing() =>
        new($"connection to {RemoteAddress} is closed{(CloseReason is { } r ? ": " + r : "")}");
}
