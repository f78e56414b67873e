namespace AkkaBroker.Store;

/// <summary>Outcome of storing a message (RocketMQ's PutMessageStatus, same names and meaning).</summary>
public enum PutMessageStatus
{
    /// <summary>Stored (and flushed/replicated as the policy requires).</summary>
    PutOk,

    /// <summary>Stored, but the sync flush did not finish within sync-flush-timeout.</summary>
    FlushDiskTimeout,

    /// <summary>Stored, but no slave acknowledged it within slave-timeout.</summary>
    FlushSlaveTimeout,

    /// <summary>Stored on the master; no slave is connected (or it is too far behind) for a sync-master send.</summary>
    SlaveNotAvailable,

    /// <summary>Not stored: the store is read-only (slave, disk full, or after a storage I/O error).</summary>
    ServiceNotAvailable,

    /// <summary>Not stored: a new segment could not be created.</summary>
    CreateMappedFileFailed,

    /// <summary>Not stored: too large, or an invalid topic or queue.</summary>
    MessageIllegal,

    /// <summary>Not stored: the properties string is longer than 32767 bytes.</summary>
    PropertiesSizeExceeded,

    /// <summary>Not stored: the writer is overloaded.</summary>
    OsPageCacheBusy,

    /// <summary>Not stored: an unexpected error (logged).</summary>
    UnknownError,
}

/// <summary>Outcome of reading messages from a queue (RocketMQ's GetMessageStatus, same names and meaning).</summary>
public enum GetMessageStatus
{
    /// <summary>At least one message was returned.</summary>
    Found,

    /// <summary>Messages exist from the offset but none matched the filter within the scan limit.</summary>
    NoMatchedMessage,

    /// <summary>The messages' CommitLog data was deleted (expired) while being read.</summary>
    MessageWasRemoving,

    /// <summary>The queue file for the offset was not found although the offset is within range.</summary>
    OffsetFoundNull,

    /// <summary>The offset is beyond the queue's end by more than one.</summary>
    OffsetOverflowBadly,

    /// <summary>The offset equals the queue's end: nothing new yet (the case long polling waits on).</summary>
    OffsetOverflowOne,

    /// <summary>The offset is below the queue's first retained message.</summary>
    OffsetTooSmall,

    /// <summary>The topic-queue does not exist on this broker.</summary>
    NoMatchedLogicQueue,

    /// <summary>The queue exists but has never held a message.</summary>
    NoMessageInQueue,
}
