namespace AkkaBroker.Protocol.Remoting;

// KV-config and cluster headers of the name server that AdminHeaders.cs does not carry; field names are Java's.

/// <summary>Request header of PUT_KV_CONFIG (100).</summary>
/// <param name="Namespace">KV namespace (e.g. ORDER_TOPIC_CONFIG).</param>
/// <param name="Key">Key.</param>
/// <param name="Value">Value.</param>
public sealed record PutKvConfigRequestHeader(
    string Namespace, string Key, string Value)
    : IExtFieldsHeader<PutKvConfigRequestHeader>
{
    /// <inheritdoc />
    public static PutKvConfigRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new PutKvConfigRequestHeader(r.String("namespace"), r.String("key"), r.String("value"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("namespace", Namespace).Add("key", Key).Add("value", Value).Fields;
}

/// <summary>Request header of DELETE_KV_CONFIG (102).</summary>
/// <param name="Namespace">KV namespace.</param>
/// <param name="Key">Key.</param>
public sealed record DeleteKvConfigRequestHeader(
    string Namespace, string Key)
    : IExtFieldsHeader<DeleteKvConfigRequestHeader>
{
    /// <inheritdoc />
    public static DeleteKvConfigRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new DeleteKvConfigRequestHeader(r.String("namespace"), r.String("key"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("namespace", Namespace).Add("key", Key).Fields;
}

/// <summary>Request header of GET_KVLIST_BY_NAMESPACE (219).</summary>
/// <param name="Namespace">KV namespace.</param>
public sealed record GetKvListByNamespaceRequestHeader(
    string Namespace)
    : IExtFieldsHeader<GetKvListByNamespaceRequestHeader>
{
    /// <inheritdoc />
    public static GetKvListByNamespaceRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new GetKvListByNamespaceRequestHeader(r.String("namespace"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("namespace", Namespace).Fields;
}

/// <summary>Request header of GET_TOPICS_BY_CLUSTER (224).</summary>
/// <param name="Cluster">Cluster name.</param>
public sealed record GetTopicsByClusterRequestHeader(
    string Cluster)
    : IExtFieldsHeader<GetTopicsByClusterRequestHeader>
{
    /// <inheritdoc />
    public static GetTopicsByClusterRequestHeader? FromExtFields(IReadOnlyDictionary<string, string> fields, out string? error)
    {
        var r = new ExtFieldsReader(fields);
        var header = new GetTopicsByClusterRequestHeader(r.String("cluster"));
        return r.Finish(header, out error);
    }

    /// <inheritdoc />
    public Dictionary<string, string> ToExtFields() => new ExtFieldsWriter()
        .Add("cluster", Cluster).Fields;
}
