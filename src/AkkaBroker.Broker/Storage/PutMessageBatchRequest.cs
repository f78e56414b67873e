using AkkaBroker.Protocol;
using AkkaBroker.Store;

namespace AkkaBroker.Broker.Storage;

/// <summary>What the store answers for a batch: one status, and per message its offsets when stored.</summary>
/// <param name="Status">The batch's outcome (all stored, or none for a refusal).</param>
/// <param name="Messages">Per message, in batch order (empty when refused).</param>
/// <param name="Reason">Why it was not stored.</param>
public sealed record PutMessageBatchResult(PutMessageStatus Status, IReadOnlyList<PutMessageResult> Messages, string? Reason = null);

/// <summary>
/// A SEND_BATCH_MESSAGE body on its way into the CommitLog: one topic and queue, consecutive queue offsets, every
/// message size-checked before any is written. Batches are rare next to single puts, so this one allocates.
/// </summary>
public sealed class PutMessageBatchRequest : IAwaitingFlush
{
    private readonly TaskCompletionSource<PutMessageBatchResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Topic of every message.</summary>
    public required string Topic { get; init; }

    /// <summary>Queue of every message.</summary>
    public required int QueueId { get; init; }

    /// <summary>The batch body (reference §4.7).</summary>
    public required ReadOnlyMemory<byte> Batch { get; init; }

    /// <summary>Properties added to every message (the request header's batch-level properties), or empty.</summary>
    public ReadOnlyMemory<byte> BatchProperties { get; init; }

    /// <summary>System flag of every message.</summary>
    public int SysFlag { get; init; }

    /// <summary>Producer clock, ms.</summary>
    public long BornTimestamp { get; init; }

    /// <summary>Producer address.</summary>
    public HostAndPort BornHost { get; init; }

    /// <summary>Whether the answer waits for the flush (SYNC_FLUSH).</summary>
    public bool WaitStoreMsgOk { get; init; } = true;

    /// <summary>The answer.</summary>
    public Task<PutMessageBatchResult> Result => _completion.Task;

    internal PutMessageBatchResult? PendingResult { get; set; }

    long IAwaitingFlush.EndOffset => PendingResult is { Messages.Count: > 0 } r ? r.Messages[^1].PhysicalOffset + r.Messages[^1].WroteBytes : 0;

    long IAwaitingFlush.AcceptedAtTicks => AcceptedAtTicks;

    internal long AcceptedAtTicks { get; set; }

    internal void Complete(PutMessageBatchResult result) => _completion.TrySetResult(result);

    void IAwaitingFlush.CompleteAfterFlush(string? failure, CompletionBatch batch)
    {
        var result = PendingResult!;
        Complete(failure is null ? result : result with
        {
            Status = PutMessageStatus.FlushDiskTimeout,
            Reason = failure,
            Messages = [.. result.Messages.Select(m => m with { Status = PutMessageStatus.FlushDiskTimeout })],
        });
    }
}

/// <summary>A stored put that is answered once the flush covers it (SYNC_FLUSH).</summary>
internal interface IAwaitingFlush
{
    /// <summary>CommitLog offset just past the put's last byte.</summary>
    long EndOffset { get; }

    /// <summary>When the writer accepted it (Environment.TickCount64).</summary>
    long AcceptedAtTicks { get; }

    /// <summary>
    /// Answers (through <paramref name="batch"/> where the put supports it); <paramref name="failure"/> (a late or
    /// failed flush) turns the status into FLUSH_DISK_TIMEOUT.
    /// </summary>
    void CompleteAfterFlush(string? failure, CompletionBatch batch);
}
