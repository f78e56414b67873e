using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;
using AkkaBroker.Protocol;
using AkkaBroker.Store;

namespace AkkaBroker.Broker.Storage;

/// <summary>What the store answers for one put.</summary>
/// <param name="Status">The outcome.</param>
/// <param name="PhysicalOffset">The record's CommitLog offset (when stored).</param>
/// <param name="WroteBytes">The record's size (when stored).</param>
/// <param name="QueueOffset">The message's offset in its ConsumeQueue (when stored).</param>
/// <param name="StoreTimestamp">The broker's clock at append, ms.</param>
/// <param name="Reason">Why it was not stored, for the log and the client's remark.</param>
public readonly record struct PutMessageResult(
    PutMessageStatus Status, long PhysicalOffset, int WroteBytes, long QueueOffset, long StoreTimestamp, string? Reason = null)
{
    /// <summary>Whether the message is stored (every status from PUT_OK to SLAVE_NOT_AVAILABLE means it is).</summary>
    public bool IsStored => Status is PutMessageStatus.PutOk or PutMessageStatus.FlushDiskTimeout
        or PutMessageStatus.FlushSlaveTimeout or PutMessageStatus.SlaveNotAvailable;

    /// <summary>A refusal with a reason.</summary>
    public static PutMessageResult Refused(PutMessageStatus status, string reason) => new(status, -1, 0, -1, 0, reason);
}

/// <summary>
/// One message on its way into the CommitLog, and the awaitable its sender waits on. Instances are pooled
/// (a put allocates nothing in steady state): the sender rents one, fills it, tells the CommitLogWriter, and
/// awaits <see cref="AsValueTask"/>; reading the result returns the instance to the pool. The body and properties
/// memory belongs to the sender and must stay valid until the result is read.
/// </summary>
public sealed class PutMessageRequest : IValueTaskSource<PutMessageResult>, IAwaitingFlush, IThreadPoolWorkItem
{
    private static readonly ConcurrentQueue<PutMessageRequest> Pool = new();
    private const int MaxPooled = 4096;
    // Continuations run where SetResult is called, which is always a thread-pool work item of ours (never an
    // actor's thread): one request's own item, or a CompletionBatch that answers a whole append batch in one go.
    private ManualResetValueTaskSourceCore<PutMessageResult> _completion = new() { RunContinuationsAsynchronously = false };
    private PutMessageResult _result;

    private PutMessageRequest()
    {
    }

    /// <summary>Topic (validated by the caller).</summary>
    public string Topic { get; set; } = "";

    /// <summary>Queue of the topic.</summary>
    public int QueueId { get; set; }

    /// <summary>Message body (compressed if the sysFlag says so).</summary>
    public ReadOnlyMemory<byte> Body { get; set; }

    /// <summary>Properties string bytes.</summary>
    public ReadOnlyMemory<byte> Properties { get; set; }

    /// <summary>User flag.</summary>
    public int Flag { get; set; }

    /// <summary>System flag (compressed, transaction type, ...).</summary>
    public int SysFlag { get; set; }

    /// <summary>Producer clock, ms.</summary>
    public long BornTimestamp { get; set; }

    /// <summary>Producer address.</summary>
    public HostAndPort BornHost { get; set; }

    /// <summary>Reconsume count (retry copies).</summary>
    public int ReconsumeTimes { get; set; }

    /// <summary>Half-message offset of a transaction commit/rollback.</summary>
    public long PreparedTransactionOffset { get; set; }

    /// <summary>Whether the answer waits for the flush (SYNC_FLUSH) and the slave (SYNC_MASTER); the WAIT property.</summary>
    public bool WaitStoreMsgOk { get; set; } = true;

    /// <summary>When the writer took the request (for sync-flush timeouts), Environment.TickCount64.</summary>
    internal long AcceptedAtTicks { get; set; }

    /// <summary>The result the writer produced, kept until flush or replication completes it.</summary>
    internal PutMessageResult PendingResult { get; set; }

    long IAwaitingFlush.EndOffset => PendingResult.PhysicalOffset + PendingResult.WroteBytes;

    long IAwaitingFlush.AcceptedAtTicks => AcceptedAtTicks;

    void IAwaitingFlush.CompleteAfterFlush(string? failure, CompletionBatch batch) =>
        batch.Add(this, failure is null ? PendingResult : PendingResult with { Status = PutMessageStatus.FlushDiskTimeout, Reason = failure });

    /// <summary>
    /// A put of a stored <paramref name="record"/>'s body, flags, birth and the given reconsume count under another
    /// topic and queue (a delayed message coming due, a retry or dead-letter copy). Properties are left to the caller.
    /// </summary>
    internal static PutMessageRequest CopyOf(in MessageRecordView record, string topic, int queueId, int reconsumeTimes)
    {
        var put = Rent();
        put.Topic = topic;
        put.QueueId = queueId;
        put.Body = record.Body.ToArray();
        put.Flag = record.Flag;
        put.SysFlag = record.SysFlag;
        put.BornTimestamp = record.BornTimestamp;
        put.BornHost = record.BornHost;
        put.ReconsumeTimes = reconsumeTimes;
        return put;
    }

    /// <summary>Takes a request from the pool (or a new one) with default fields.</summary>
    public static PutMessageRequest Rent() => Pool.TryDequeue(out var request) ? request : new PutMessageRequest();

    /// <summary>The awaitable for this use of the request.</summary>
    public ValueTask<PutMessageResult> AsValueTask() => new(this, _completion.Version);

    /// <summary>Completes this use of the request (called once); the waiter resumes on the thread pool.</summary>
    public void Complete(PutMessageResult result)
    {
        _result = result;
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute() => _completion.SetResult(_result);

    /// <summary>Completes on the calling thread, running the waiter's continuation here (only from a pool work item).</summary>
    internal void CompleteInline(PutMessageResult result) => _completion.SetResult(result);

    PutMessageResult IValueTaskSource<PutMessageResult>.GetResult(short token)
    {
        var result = _completion.GetResult(token);
        Return();
        return result;
    }

    ValueTaskSourceStatus IValueTaskSource<PutMessageResult>.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource<PutMessageResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);

    private void Return()
    {
        _completion.Reset();
        Topic = "";
        Body = default;
        Properties = default;
        Flag = SysFlag = ReconsumeTimes = QueueId = 0;
        BornTimestamp = PreparedTransactionOffset = 0;
        BornHost = default;
        WaitStoreMsgOk = true;
        PendingResult = default;
        _result = default;
        if (Pool.Count < MaxPooled) Pool.Enqueue(this);
    }
}

/// <summary>
/// Answers many puts with one thread-pool work item: the CommitLogWriter (after an append batch) and the Flusher
/// (after a group commit) collect their requests here and post the batch once, so N answered puts cost one thread
/// hop instead of N. Pooled; owned by one actor until posted.
/// </summary>
public sealed class CompletionBatch : IThreadPoolWorkItem
{
    private static readonly ConcurrentQueue<CompletionBatch> Pool = new();
    private readonly List<(PutMessageRequest Request, PutMessageResult Result)> _items = new(64);

    private CompletionBatch()
    {
    }

    /// <summary>An empty batch from the pool.</summary>
    public static CompletionBatch Rent() => Pool.TryDequeue(out var batch) ? batch : new CompletionBatch();

    /// <summary>Queues one answer.</summary>
    public void Add(PutMessageRequest request, PutMessageResult result) => _items.Add((request, result));

    /// <summary>Posts the answers (or returns an empty batch to the pool); the batch must not be used afterwards.</summary>
    public void Post()
    {
        if (_items.Count == 0)
        {
            Pool.Enqueue(this);
            return;
        }

        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    void IThreadPoolWorkItem.Execute()
    {
        foreach (var (request, result) in _items) request.CompleteInline(result);
        _items.Clear();
        Pool.Enqueue(this);
    }
}
