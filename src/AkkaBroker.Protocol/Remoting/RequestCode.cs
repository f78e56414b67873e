namespace AkkaBroker.Protocol.Remoting;

/// <summary>Request codes of RocketMQ 4.9.8 (reference §2.1); constants are RocketMQ's names in PascalCase.</summary>
public static class RequestCode
{
    /// <summary>SEND_MESSAGE.</summary>
    public const int SendMessage = 10;

    /// <summary>PULL_MESSAGE.</summary>
    public const int PullMessage = 11;

    /// <summary>QUERY_MESSAGE.</summary>
    public const int QueryMessage = 12;

    /// <summary>QUERY_BROKER_OFFSET.</summary>
    public const int QueryBrokerOffset = 13;

    /// <summary>QUERY_CONSUMER_OFFSET.</summary>
    public const int QueryConsumerOffset = 14;

    /// <summary>UPDATE_CONSUMER_OFFSET.</summary>
    public const int UpdateConsumerOffset = 15;

    /// <summary>UPDATE_AND_CREATE_TOPIC.</summary>
    public const int UpdateAndCreateTopic = 17;

    /// <summary>GET_ALL_TOPIC_CONFIG.</summary>
    public const int GetAllTopicConfig = 21;

    /// <summary>GET_TOPIC_CONFIG_LIST.</summary>
    public const int GetTopicConfigList = 22;

    /// <summary>GET_TOPIC_NAME_LIST.</summary>
    public const int GetTopicNameList = 23;

    /// <summary>UPDATE_BROKER_CONFIG.</summary>
    public const int UpdateBrokerConfig = 25;

    /// <summary>GET_BROKER_CONFIG.</summary>
    public const int GetBrokerConfig = 26;

    /// <summary>TRIGGER_DELETE_FILES.</summary>
    public const int TriggerDeleteFiles = 27;

    /// <summary>GET_BROKER_RUNTIME_INFO.</summary>
    public const int GetBrokerRuntimeInfo = 28;

    /// <summary>SEARCH_OFFSET_BY_TIMESTAMP.</summary>
    public const int SearchOffsetByTimestamp = 29;

    /// <summary>GET_MAX_OFFSET.</summary>
    public const int GetMaxOffset = 30;

    /// <summary>GET_MIN_OFFSET.</summary>
    public const int GetMinOffset = 31;

    /// <summary>GET_EARLIEST_MSG_STORETIME.</summary>
    public const int GetEarliestMsgStoretime = 32;

    /// <summary>VIEW_MESSAGE_BY_ID.</summary>
    public const int ViewMessageById = 33;

    /// <summary>HEART_BEAT.</summary>
    public const int HeartBeat = 34;

    /// <summary>UNREGISTER_CLIENT.</summary>
    public const int UnregisterClient = 35;

    /// <summary>CONSUMER_SEND_MSG_BACK.</summary>
    public const int ConsumerSendMsgBack = 36;

    /// <summary>END_TRANSACTION.</summary>
    public const int EndTransaction = 37;

    /// <summary>GET_CONSUMER_LIST_BY_GROUP.</summary>
    public const int GetConsumerListByGroup = 38;

    /// <summary>CHECK_TRANSACTION_STATE (broker to producer).</summary>
    public const int CheckTransactionState = 39;

    /// <summary>NOTIFY_CONSUMER_IDS_CHANGED (broker to consumer, oneway).</summary>
    public const int NotifyConsumerIdsChanged = 40;

    /// <summary>LOCK_BATCH_MQ.</summary>
    public const int LockBatchMq = 41;

    /// <summary>UNLOCK_BATCH_MQ.</summary>
    public const int UnlockBatchMq = 42;

    /// <summary>GET_ALL_CONSUMER_OFFSET.</summary>
    public const int GetAllConsumerOffset = 43;

    /// <summary>GET_ALL_DELAY_OFFSET.</summary>
    public const int GetAllDelayOffset = 45;

    /// <summary>CHECK_CLIENT_CONFIG.</summary>
    public const int CheckClientConfig = 46;

    /// <summary>UPDATE_AND_CREATE_ACL_CONFIG.</summary>
    public const int UpdateAndCreateAclConfig = 50;

    /// <summary>DELETE_ACL_CONFIG.</summary>
    public const int DeleteAclConfig = 51;

    /// <summary>GET_BROKER_CLUSTER_ACL_INFO.</summary>
    public const int GetBrokerClusterAclInfo = 52;

    /// <summary>UPDATE_GLOBAL_WHITE_ADDRS_CONFIG.</summary>
    public const int UpdateGlobalWhiteAddrsConfig = 53;

    /// <summary>PUT_KV_CONFIG.</summary>
    public const int PutKvConfig = 100;

    /// <summary>GET_KV_CONFIG.</summary>
    public const int GetKvConfig = 101;

    /// <summary>DELETE_KV_CONFIG.</summary>
    public const int DeleteKvConfig = 102;

    /// <summary>REGISTER_BROKER.</summary>
    public const int RegisterBroker = 103;

    /// <summary>UNREGISTER_BROKER.</summary>
    public const int UnregisterBroker = 104;

    /// <summary>GET_ROUTEINFO_BY_TOPIC.</summary>
    public const int GetRouteinfoByTopic = 105;

    /// <summary>GET_BROKER_CLUSTER_INFO.</summary>
    public const int GetBrokerClusterInfo = 106;

    /// <summary>UPDATE_AND_CREATE_SUBSCRIPTIONGROUP.</summary>
    public const int UpdateAndCreateSubscriptiongroup = 200;

    /// <summary>GET_ALL_SUBSCRIPTIONGROUP_CONFIG.</summary>
    public const int GetAllSubscriptiongroupConfig = 201;

    /// <summary>GET_TOPIC_STATS_INFO.</summary>
    public const int GetTopicStatsInfo = 202;

    /// <summary>GET_CONSUMER_CONNECTION_LIST.</summary>
    public const int GetConsumerConnectionList = 203;

    /// <summary>GET_PRODUCER_CONNECTION_LIST.</summary>
    public const int GetProducerConnectionList = 204;

    /// <summary>WIPE_WRITE_PERM_OF_BROKER.</summary>
    public const int WipeWritePermOfBroker = 205;

    /// <summary>GET_ALL_TOPIC_LIST_FROM_NAMESERVER.</summary>
    public const int GetAllTopicListFromNameserver = 206;

    /// <summary>DELETE_SUBSCRIPTIONGROUP.</summary>
    public const int DeleteSubscriptiongroup = 207;

    /// <summary>GET_CONSUME_STATS.</summary>
    public const int GetConsumeStats = 208;

    /// <summary>RESET_CONSUMER_OFFSET_IN_CONSUMER.</summary>
    public const int ResetConsumerOffsetInConsumer = 211;

    /// <summary>RESET_CONSUMER_OFFSET_IN_BROKER.</summary>
    public const int ResetConsumerOffsetInBroker = 212;

    /// <summary>DELETE_TOPIC_IN_BROKER.</summary>
    public const int DeleteTopicInBroker = 215;

    /// <summary>DELETE_TOPIC_IN_NAMESRV.</summary>
    public const int DeleteTopicInNamesrv = 216;

    /// <summary>GET_KV_CONFIG_BY_VALUE (Aliyun-only; open-source name servers do not answer it).</summary>
    public const int GetKvConfigByValue = 217;

    /// <summary>GET_KVLIST_BY_NAMESPACE.</summary>
    public const int GetKvlistByNamespace = 219;

    /// <summary>RESET_CONSUMER_CLIENT_OFFSET (broker to client).</summary>
    public const int ResetConsumerClientOffset = 220;

    /// <summary>GET_CONSUMER_STATUS_FROM_CLIENT (broker to client).</summary>
    public const int GetConsumerStatusFromClient = 221;

    /// <summary>GET_TOPICS_BY_CLUSTER.</summary>
    public const int GetTopicsByCluster = 224;

    /// <summary>QUERY_TOPIC_CONSUME_BY_WHO.</summary>
    public const int QueryTopicConsumeByWho = 300;

    /// <summary>GET_SYSTEM_TOPIC_LIST_FROM_NS.</summary>
    public const int GetSystemTopicListFromNs = 304;

    /// <summary>GET_SYSTEM_TOPIC_LIST_FROM_BROKER.</summary>
    public const int GetSystemTopicListFromBroker = 305;

    /// <summary>GET_CONSUMER_RUNNING_INFO (broker to client).</summary>
    public const int GetConsumerRunningInfo = 307;

    /// <summary>CONSUME_MESSAGE_DIRECTLY (broker to client).</summary>
    public const int ConsumeMessageDirectly = 309;

    /// <summary>SEND_MESSAGE_V2.</summary>
    public const int SendMessageV2 = 310;

    /// <summary>UPDATE_NAMESRV_CONFIG.</summary>
    public const int UpdateNamesrvConfig = 318;

    /// <summary>GET_NAMESRV_CONFIG.</summary>
    public const int GetNamesrvConfig = 319;

    /// <summary>SEND_BATCH_MESSAGE.</summary>
    public const int SendBatchMessage = 320;

    /// <summary>QUERY_CONSUME_QUEUE.</summary>
    public const int QueryConsumeQueue = 321;

    /// <summary>QUERY_DATA_VERSION.</summary>
    public const int QueryDataVersion = 322;

    /// <summary>RESUME_CHECK_HALF_MESSAGE.</summary>
    public const int ResumeCheckHalfMessage = 323;

    /// <summary>SEND_REPLY_MESSAGE.</summary>
    public const int SendReplyMessage = 324;

    /// <summary>SEND_REPLY_MESSAGE_V2.</summary>
    public const int SendReplyMessageV2 = 325;

    /// <summary>PUSH_REPLY_MESSAGE_TO_CLIENT (broker to client).</summary>
    public const int PushReplyMessageToClient = 326;

    /// <summary>ADD_WRITE_PERM_OF_BROKER.</summary>
    public const int AddWritePermOfBroker = 327;

    /// <summary>GET_ALL_PRODUCER_INFO.</summary>
    public const int GetAllProducerInfo = 328;

    /// <summary>QUERY_ASSIGNMENT (4.9.3+): the broker computes a member's share of a topic's queues.</summary>
    public const int QueryAssignment = 400;

    private static readonly Dictionary<int, string> Names = new()
    {
        [SendMessage] = "SEND_MESSAGE",
        [PullMessage] = "PULL_MESSAGE",
        [QueryMessage] = "QUERY_MESSAGE",
        [QueryBrokerOffset] = "QUERY_BROKER_OFFSET",
        [QueryConsumerOffset] = "QUERY_CONSUMER_OFFSET",
        [UpdateConsumerOffset] = "UPDATE_CONSUMER_OFFSET",
        [UpdateAndCreateTopic] = "UPDATE_AND_CREATE_TOPIC",
        [GetAllTopicConfig] = "GET_ALL_TOPIC_CONFIG",
        [GetTopicConfigList] = "GET_TOPIC_CONFIG_LIST",
        [GetTopicNameList] = "GET_TOPIC_NAME_LIST",
        [UpdateBrokerConfig] = "UPDATE_BROKER_CONFIG",
        [GetBrokerConfig] = "GET_BROKER_CONFIG",
        [TriggerDeleteFiles] = "TRIGGER_DELETE_FILES",
        [GetBrokerRuntimeInfo] = "GET_BROKER_RUNTIME_INFO",
        [SearchOffsetByTimestamp] = "SEARCH_OFFSET_BY_TIMESTAMP",
        [GetMaxOffset] = "GET_MAX_OFFSET",
        [GetMinOffset] = "GET_MIN_OFFSET",
        [GetEarliestMsgStoretime] = "GET_EARLIEST_MSG_STORETIME",
        [ViewMessageById] = "VIEW_MESSAGE_BY_ID",
        [HeartBeat] = "HEART_BEAT",
        [UnregisterClient] = "UNREGISTER_CLIENT",
        [ConsumerSendMsgBack] = "CONSUMER_SEND_MSG_BACK",
        [EndTransaction] = "END_TRANSACTION",
        [GetConsumerListByGroup] = "GET_CONSUMER_LIST_BY_GROUP",
        [CheckTransactionState] = "CHECK_TRANSACTION_STATE",
        [NotifyConsumerIdsChanged] = "NOTIFY_CONSUMER_IDS_CHANGED",
        [LockBatchMq] = "LOCK_BATCH_MQ",
        [UnlockBatchMq] = "UNLOCK_BATCH_MQ",
        [GetAllConsumerOffset] = "GET_ALL_CONSUMER_OFFSET",
        [GetAllDelayOffset] = "GET_ALL_DELAY_OFFSET",
        [CheckClientConfig] = "CHECK_CLIENT_CONFIG",
        [UpdateAndCreateAclConfig] = "UPDATE_AND_CREATE_ACL_CONFIG",
        [DeleteAclConfig] = "DELETE_ACL_CONFIG",
        [GetBrokerClusterAclInfo] = "GET_BROKER_CLUSTER_ACL_INFO",
        [UpdateGlobalWhiteAddrsConfig] = "UPDATE_GLOBAL_WHITE_ADDRS_CONFIG",
        [PutKvConfig] = "PUT_KV_CONFIG",
        [GetKvConfig] = "GET_KV_CONFIG",
        [DeleteKvConfig] = "DELETE_KV_CONFIG",
        [RegisterBroker] = "REGISTER_BROKER",
        [UnregisterBroker] = "UNREGISTER_BROKER",
        [GetRouteinfoByTopic] = "GET_ROUTEINFO_BY_TOPIC",
        [GetBrokerClusterInfo] = "GET_BROKER_CLUSTER_INFO",
        [UpdateAndCreateSubscriptiongroup] = "UPDATE_AND_CREATE_SUBSCRIPTIONGROUP",
        [GetAllSubscriptiongroupConfig] = "GET_ALL_SUBSCRIPTIONGROUP_CONFIG",
        [GetTopicStatsInfo] = "GET_TOPIC_STATS_INFO",
        [GetConsumerConnectionList] = "GET_CONSUMER_CONNECTION_LIST",
        [GetProducerConnectionList] = "GET_PRODUCER_CONNECTION_LIST",
        [WipeWritePermOfBroker] = "WIPE_WRITE_PERM_OF_BROKER",
        [GetAllTopicListFromNameserver] = "GET_ALL_TOPIC_LIST_FROM_NAMESERVER",
        [DeleteSubscriptiongroup] = "DELETE_SUBSCRIPTIONGROUP",
        [GetConsumeStats] = "GET_CONSUME_STATS",
        [ResetConsumerOffsetInConsumer] = "RESET_CONSUMER_OFFSET_IN_CONSUMER",
        [ResetConsumerOffsetInBroker] = "RESET_CONSUMER_OFFSET_IN_BROKER",
        [DeleteTopicInBroker] = "DELETE_TOPIC_IN_BROKER",
        [DeleteTopicInNamesrv] = "DELETE_TOPIC_IN_NAMESRV",
        [GetKvConfigByValue] = "GET_KV_CONFIG_BY_VALUE",
        [GetKvlistByNamespace] = "GET_KVLIST_BY_NAMESPACE",
        [ResetConsumerClientOffset] = "RESET_CONSUMER_CLIENT_OFFSET",
        [GetConsumerStatusFromClient] = "GET_CONSUMER_STATUS_FROM_CLIENT",
        [GetTopicsByCluster] = "GET_TOPICS_BY_CLUSTER",
        [QueryTopicConsumeByWho] = "QUERY_TOPIC_CONSUME_BY_WHO",
        [GetSystemTopicListFromNs] = "GET_SYSTEM_TOPIC_LIST_FROM_NS",
        [GetSystemTopicListFromBroker] = "GET_SYSTEM_TOPIC_LIST_FROM_BROKER",
        [GetConsumerRunningInfo] = "GET_CONSUMER_RUNNING_INFO",
        [ConsumeMessageDirectly] = "CONSUME_MESSAGE_DIRECTLY",
        [SendMessageV2] = "SEND_MESSAGE_V2",
        [UpdateNamesrvConfig] = "UPDATE_NAMESRV_CONFIG",
        [GetNamesrvConfig] = "GET_NAMESRV_CONFIG",
        [SendBatchMessage] = "SEND_BATCH_MESSAGE",
        [QueryConsumeQueue] = "QUERY_CONSUME_QUEUE",
        [QueryDataVersion] = "QUERY_DATA_VERSION",
        [ResumeCheckHalfMessage] = "RESUME_CHECK_HALF_MESSAGE",
        [SendReplyMessage] = "SEND_REPLY_MESSAGE",
        [SendReplyMessageV2] = "SEND_REPLY_MESSAGE_V2",
        [PushReplyMessageToClient] = "PUSH_REPLY_MESSAGE_TO_CLIENT",
        [AddWritePermOfBroker] = "ADD_WRITE_PERM_OF_BROKER",
        [GetAllProducerInfo] = "GET_ALL_PRODUCER_INFO",
        [QueryAssignment] = "QUERY_ASSIGNMENT",
    };

    /// <summary>RocketMQ's name with the number, e.g. "SEND_MESSAGE(10)"; unknown codes give "UNKNOWN(n)".</summary>
    public static string Describe(int code) => Names.TryGetValue(code, out var name) ? $"{name}({code})" : $"UNKNOWN({code})";

    /// <summary>RocketMQ's name of a known code, or null.</summary>
    public static string? NameOf(int code) => Names.GetValueOrDefault(code);
}
