namespace AkkaBroker.Protocol.Remoting;

/// <summary>The sender's implementation language, as RocketMQ's LanguageCode enum: JSON carries the name, ROCKETMQ the byte value.</summary>
public enum LanguageCode : byte
{
    /// <summary>Java (what the Java broker and name server send; also what ali-ons claims).</summary>
    JAVA = 0,
    /// <summary>C++.</summary>
    CPP = 1,
    /// <summary>.NET.</summary>
    DOTNET = 2,
    /// <summary>Python.</summary>
    PYTHON = 3,
    /// <summary>Delphi.</summary>
    DELPHI = 4,
    /// <summary>Erlang.</summary>
    ERLANG = 5,
    /// <summary>Ruby.</summary>
    RUBY = 6,
    /// <summary>Anything else; also what unknown names and values decode to.</summary>
    OTHER = 7,
    /// <summary>HTTP proxy.</summary>
    HTTP = 8,
    /// <summary>Go.</summary>
    GO = 9,
    /// <summary>PHP.</summary>
    PHP = 10,
    /// <summary>OpenMessaging.</summary>
    OMS = 11,
    /// <summary>Rust.</summary>
    RUST = 12,
}

/// <summary>How a frame's header is encoded: the high byte of the frame's headerLenAndType field (reference §1.1).</summary>
public enum SerializeType : byte
{
    /// <summary>A JSON object (reference §1.2).</summary>
    Json = 0,
    /// <summary>RocketMQ's binary layout (reference §1.4).</summary>
    Rocketmq = 1,
}

/// <summary>
/// One request or response of RocketMQ's remoting protocol: the header fields plus an opaque body.
/// Mutable so a processor can fill in a response; not thread-safe. Frames are read and written by <see cref="RemotingCodec"/>.
/// </summary>
public sealed class RemotingCommand
{
    /// <summary>Bit 0 of <see cref="Flag"/>: this is a response.</summary>
    public const int ResponseFlagBit = 1;

    /// <summary>Bit 1 of <see cref="Flag"/>: this request expects no response.</summary>
    public const int OnewayFlagBit = 2;

    /// <summary>MQVersion ordinal of V4_9_8, the release whose wire behaviour this broker follows.</summary>
    public const int DefaultVersion = 405;

    /// <summary>Request code (<see cref="RequestCode"/>) on requests, response code (<see cref="ResponseCode"/>) on responses.</summary>
    public int Code { get; set; }

    /// <summary>Sender's language. Defaults to JAVA, which is what the Java broker writes and what clients expect to see.</summary>
    public LanguageCode Language { get; set; } = LanguageCode.JAVA;

    /// <summary>MQVersion ordinal of the sender (reference §1.2); some server behaviour depends on it.</summary>
    public int Version { get; set; } = DefaultVersion;

    /// <summary>Request id; a response carries its request's value.</summary>
    public int Opaque { get; set; }

    /// <summary>Flag bits: <see cref="ResponseFlagBit"/>, <see cref="OnewayFlagBit"/>.</summary>
    public int Flag { get; set; }

    /// <summary>Error text on responses (the pull store status on pull responses); null when absent.</summary>
    public string? Remark { get; set; }

    private Dictionary<string, string>? _extFields;
    private RawExtFields? _rawExtFields;
    private IDirectHeader? _directHeader;

    /// <summary>
    /// The custom header's fields (reference §3); null when the command has none. Keys compare ordinally. A command
    /// read from a ROCKETMQ binary frame builds this dictionary on first use; typed headers read without it.
    /// </summary>
    public Dictionary<string, string>? ExtFields
    {
        get
        {
            if (_extFields is null && _rawExtFields is { } raw)
            {
                _extFields = raw.ToDictionary();
                _rawExtFields = null;
            }
            else if (_extFields is null && _directHeader is { } direct)
            {
                _extFields = DictionarySink.Collect(direct, Code);
                _directHeader = null;
            }

            return _extFields;
        }
        set
        {
            _extFields = value;
            _rawExtFields = null;
            _directHeader = null;
        }
    }

    /// <summary>The header a binary frame's extFields are written from directly, when one was set and nothing changed the fields since.</summary>
    internal IDirectHeader? DirectHeader => _directHeader;

    /// <summary>The fields for reading, without building a dictionary for binary-decoded ones; null when there are none.</summary>
    internal IReadOnlyDictionary<string, string>? ExtFieldsView =>
        _directHeader is not null ? ExtFields : (IReadOnlyDictionary<string, string>?)_extFields ?? _rawExtFields;

    /// <summary>Sets extFields read from a binary frame, kept as wire bytes until <see cref="ExtFields"/> is asked for.</summary>
    internal void SetRawExtFields(RawExtFields fields)
    {
        ExtFields = null;
        _rawExtFields = fields;
    }

    /// <summary>
    /// Makes <paramref name="header"/> the command's only extFields, written straight into a binary frame; reading or
    /// changing <see cref="ExtFields"/> afterwards turns them into a dictionary first.
    /// </summary>
    public void SetHeader(IDirectHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        ExtFields = null;
        _directHeader = header;
    }

    private ReadOnlyMemory<byte> _body;
    private byte[]? _pooledBody;

    /// <summary>The body bytes; empty when there is none.</summary>
    public ReadOnlyMemory<byte> Body
    {
        get => _body;
        set
        {
            _body = value;
            _pooledBody = null;
        }
    }

    /// <summary>
    /// Empties <see cref="Body"/>, and gives its buffer back to the shared pool when the codec rented it (send
    /// requests read from a frame, see <see cref="RemotingCodec"/>). Only for the one handler of the command, once
    /// nothing reads the body any more: the buffer goes to the next frame.
    /// </summary>
    public void ReleaseBody()
    {
        var pooled = _pooledBody;
        Body = default;
        if (pooled is not null) System.Buffers.ArrayPool<byte>.Shared.Return(pooled);
    }

    /// <summary>Sets a body that is the first <paramref name="length"/> bytes of a buffer rented from the shared pool.</summary>
    internal void SetPooledBody(byte[] rented, int length)
    {
        _body = rented.AsMemory(0, length);
        _pooledBody = rented;
    }

    /// <summary>How the header is (or will be) encoded on the wire.</summary>
    public SerializeType SerializeType { get; set; } = SerializeType.Json;

    /// <summary>Whether bit 0 of <see cref="Flag"/> is set.</summary>
    public bool IsResponse => (Flag & ResponseFlagBit) != 0;

    /// <summary>Whether bit 1 of <see cref="Flag"/> is set: the sender expects no reply.</summary>
    public bool IsOneway => (Flag & OnewayFlagBit) != 0;

    /// <summary>Sets or clears the oneway bit.</summary>
    public void MarkOneway(bool oneway = true) => Flag = oneway ? Flag | OnewayFlagBit : Flag & ~OnewayFlagBit;

    /// <summary>Sets one extFields entry, creating the dictionary when needed.</summary>
    public void SetExtField(string key, string value) => (ExtFields ??= NewExtFields())[key] = value;

    /// <summary>One extFields entry, or null.</summary>
    public string? GetExtField(string key) => ExtFieldsView is { } ext && ext.TryGetValue(key, out var value) ? value : null;

    /// <summary>A new request. The opaque is left 0 for the sender's correlation layer to assign.</summary>
    public static RemotingCommand CreateRequest(int code, Dictionary<string, string>? extFields = null, ReadOnlyMemory<byte> body = default) =>
        new() { Code = code, ExtFields = extFields, Body = body };

    /// <summary>
    /// The response to <paramref name="request"/>, as Java builds it (reference §1.3): the request's opaque and
    /// serialize type, the response bit set.
    /// </summary>
    public static RemotingCommand CreateResponse(RemotingCommand request, int responseCode, string? remark = null) => new()
    {
        Code = responseCode,
        Opaque = request.Opaque,
        Flag = ResponseFlagBit,
        Remark = remark,
        SerializeType = request.SerializeType,
    };

    /// <summary>An empty extFields dictionary with the ordinal comparer.</summary>
    public static Dictionary<string, string> NewExtFields(int capacity = 0) => new(capacity, StringComparer.Ordinal);

    /// <inheritdoc />
    public override string ToString() =>
        $"{(IsResponse ? ResponseCode.Describe(Code) : RequestCode.Describe(Code))} opaque={Opaque} flag={Flag} " +
        $"{SerializeType} ext={ExtFieldsView?.Count ?? 0} body={Body.Length}{(Remark is null ? "" : " remark=" + Remark)}";
}
