namespace AkkaBroker.Protocol;

/// <summary>Bits of a message's SYSFLAG field (reference §4.3).</summary>
public static class MessageSysFlag
{
    /// <summary>The body is deflate-compressed by the client; stored as is.</summary>
    public const int Compressed = 0x1;

    /// <summary>Set by the broker for MULTI_TAG topics.</summary>
    public const int MultiTags = 0x2;

    /// <summary>Mask of the transaction type (bits 2-3).</summary>
    public const int TransactionTypeMask = 0xC;

    /// <summary>Transaction type: not a transaction.</summary>
    public const int TransactionNotType = 0x0;

    /// <summary>Transaction type: prepared (half) message; queue offset 0, no ConsumeQueue entry.</summary>
    public const int TransactionPrepared = 0x4;

    /// <summary>Transaction type: commit.</summary>
    public const int TransactionCommit = 0x8;

    /// <summary>Transaction type: rollback; queue offset 0, no ConsumeQueue entry, not indexed.</summary>
    public const int TransactionRollback = 0xC;

    /// <summary>BORNHOST is IPv6 (16 address bytes).</summary>
    public const int BornHostV6 = 0x10;

    /// <summary>STOREHOST is IPv6 (16 address bytes).</summary>
    public const int StoreHostV6 = 0x20;

    /// <summary>The transaction type bits of a sysFlag.</summary>
    public static int TransactionType(int sysFlag) => sysFlag & TransactionTypeMask;
}
