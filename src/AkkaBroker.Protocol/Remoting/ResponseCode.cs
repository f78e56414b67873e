namespace AkkaBroker.Protocol.Remoting;

/// <summary>Response codes of RocketMQ 4.9.8 (reference §2.2); constants are RocketMQ's names in PascalCase.</summary>
public static class ResponseCode
{
    /// <summary>SUCCESS.</summary>
    public const int Success = 0;

    /// <summary>SYSTEM_ERROR.</summary>
    public const int SystemError = 1;

    /// <summary>SYSTEM_BUSY.</summary>
    public const int SystemBusy = 2;

    /// <summary>REQUEST_CODE_NOT_SUPPORTED.</summary>
    public const int RequestCodeNotSupported = 3;

    /// <summary>TRANSACTION_FAILED.</summary>
    public const int TransactionFailed = 4;

    /// <summary>FLUSH_DISK_TIMEOUT (the message was stored).</summary>
    public const int FlushDiskTimeout = 10;

    /// <summary>SLAVE_NOT_AVAILABLE (the message was stored).</summary>
    public const int SlaveNotAvailable = 11;

    /// <summary>FLUSH_SLAVE_TIMEOUT (the message was stored).</summary>
    public const int FlushSlaveTimeout = 12;

    /// <summary>MESSAGE_ILLEGAL.</summary>
    public const int MessageIllegal = 13;

    /// <summary>SERVICE_NOT_AVAILABLE.</summary>
    public const int ServiceNotAvailable = 14;

    /// <summary>VERSION_NOT_SUPPORTED.</summary>
    public const int VersionNotSupported = 15;

    /// <summary>NO_PERMISSION.</summary>
    public const int NoPermission = 16;

    /// <summary>TOPIC_NOT_EXIST.</summary>
    public const int TopicNotExist = 17;

    /// <summary>TOPIC_EXIST_ALREADY.</summary>
    public const int TopicExistAlready = 18;

    /// <summary>PULL_NOT_FOUND.</summary>
    public const int PullNotFound = 19;

    /// <summary>PULL_RETRY_IMMEDIATELY.</summary>
    public const int PullRetryImmediately = 20;

    /// <summary>PULL_OFFSET_MOVED.</summary>
    public const int PullOffsetMoved = 21;

    /// <summary>QUERY_NOT_FOUND.</summary>
    public const int QueryNotFound = 22;

    /// <summary>SUBSCRIPTION_PARSE_FAILED.</summary>
    public const int SubscriptionParseFailed = 23;

    /// <summary>SUBSCRIPTION_NOT_EXIST.</summary>
    public const int SubscriptionNotExist = 24;

    /// <summary>SUBSCRIPTION_NOT_LATEST.</summary>
    public const int SubscriptionNotLatest = 25;

    /// <summary>SUBSCRIPTION_GROUP_NOT_EXIST.</summary>
    public const int SubscriptionGroupNotExist = 26;

    /// <summary>FILTER_DATA_NOT_EXIST.</summary>
    public const int FilterDataNotExist = 27;

    /// <summary>FILTER_DATA_NOT_LATEST.</summary>
    public const int FilterDataNotLatest = 28;

    /// <summary>TRANSACTION_SHOULD_COMMIT.</summary>
    public const int TransactionShouldCommit = 200;

    /// <summary>TRANSACTION_SHOULD_ROLLBACK.</summary>
    public const int TransactionShouldRollback = 201;

    /// <summary>TRANSACTION_STATE_UNKNOW.</summary>
    public const int TransactionStateUnknow = 202;

    /// <summary>TRANSACTION_STATE_GROUP_WRONG.</summary>
    public const int TransactionStateGroupWrong = 203;

    /// <summary>NO_BUYER_ID.</summary>
    public const int NoBuyerId = 204;

    /// <summary>NOT_IN_CURRENT_UNIT.</summary>
    public const int NotInCurrentUnit = 205;

    /// <summary>CONSUMER_NOT_ONLINE.</summary>
    public const int ConsumerNotOnline = 206;

    /// <summary>CONSUME_MSG_TIMEOUT.</summary>
    public const int ConsumeMsgTimeout = 207;

    /// <summary>NO_MESSAGE.</summary>
    public const int NoMessage = 208;

    /// <summary>UPDATE_AND_CREATE_ACL_CONFIG_FAILED.</summary>
    public const int UpdateAndCreateAclConfigFailed = 209;

    /// <summary>DELETE_ACL_CONFIG_FAILED.</summary>
    public const int DeleteAclConfigFailed = 210;

    /// <summary>UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED.</summary>
    public const int UpdateGlobalWhiteAddrsConfigFailed = 211;

    /// <summary>FLOW_CONTROL.</summary>
    public const int FlowControl = 215;

    private static readonly Dictionary<int, string> Names = new()
    {
        [Success] = "SUCCESS",
        [SystemError] = "SYSTEM_ERROR",
        [SystemBusy] = "SYSTEM_BUSY",
        [RequestCodeNotSupported] = "REQUEST_CODE_NOT_SUPPORTED",
        [TransactionFailed] = "TRANSACTION_FAILED",
        [FlushDiskTimeout] = "FLUSH_DISK_TIMEOUT",
        [SlaveNotAvailable] = "SLAVE_NOT_AVAILABLE",
        [FlushSlaveTimeout] = "FLUSH_SLAVE_TIMEOUT",
        [MessageIllegal] = "MESSAGE_ILLEGAL",
        [ServiceNotAvailable] = "SERVICE_NOT_AVAILABLE",
        [VersionNotSupported] = "VERSION_NOT_SUPPORTED",
        [NoPermission] = "NO_PERMISSION",
        [TopicNotExist] = "TOPIC_NOT_EXIST",
        [TopicExistAlready] = "TOPIC_EXIST_ALREADY",
        [PullNotFound] = "PULL_NOT_FOUND",
        [PullRetryImmediately] = "PULL_RETRY_IMMEDIATELY",
        [PullOffsetMoved] = "PULL_OFFSET_MOVED",
        [QueryNotFound] = "QUERY_NOT_FOUND",
        [SubscriptionParseFailed] = "SUBSCRIPTION_PARSE_FAILED",
        [SubscriptionNotExist] = "SUBSCRIPTION_NOT_EXIST",
        [SubscriptionNotLatest] = "SUBSCRIPTION_NOT_LATEST",
        [SubscriptionGroupNotExist] = "SUBSCRIPTION_GROUP_NOT_EXIST",
        [FilterDataNotExist] = "FILTER_DATA_NOT_EXIST",
        [FilterDataNotLatest] = "FILTER_DATA_NOT_LATEST",
        [TransactionShouldCommit] = "TRANSACTION_SHOULD_COMMIT",
        [TransactionShouldRollback] = "TRANSACTION_SHOULD_ROLLBACK",
        [TransactionStateUnknow] = "TRANSACTION_STATE_UNKNOW",
        [TransactionStateGroupWrong] = "TRANSACTION_STATE_GROUP_WRONG",
        [NoBuyerId] = "NO_BUYER_ID",
        [NotInCurrentUnit] = "NOT_IN_CURRENT_UNIT",
        [ConsumerNotOnline] = "CONSUMER_NOT_ONLINE",
        [ConsumeMsgTimeout] = "CONSUME_MSG_TIMEOUT",
        [NoMessage] = "NO_MESSAGE",
        [UpdateAndCreateAclConfigFailed] = "UPDATE_AND_CREATE_ACL_CONFIG_FAILED",
        [DeleteAclConfigFailed] = "DELETE_ACL_CONFIG_FAILED",
        [UpdateGlobalWhiteAddrsConfigFailed] = "UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED",
        [FlowControl] = "FLOW_CONTROL",
    };

    /// <summary>RocketMQ's name with the number, e.g. "SUCCESS(0)"; unknown codes give "UNKNOWN(n)".</summary>
    public static string Describe(int code) => Names.TryGetValue(code, out var name) ? $"{name}({code})" : $"UNKNOWN({code})";

    /// <summary>RocketMQ's name of a known code, or null.</summary>
    public static string? NameOf(int code) => Names.GetValueOrDefault(code);
}
