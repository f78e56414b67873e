using AkkaBroker.Protocol;

namespace AkkaBroker.Client;

/// <summary>A message to send: topic, body, and RocketMQ's properties (tags, keys, delay level and user properties).</summary>
public sealed class Message
{
    private readonly Dictionary<string, string> _properties = new(StringComparer.Ordinal);

    /// <summary>A message for <paramref name="topic"/> with <paramref name="body"/>.</summary>
    public Message(string topic, ReadOnlyMemory<byte> body)
    {
        Topic = topic;
        Body = body;
    }

    /// <summary>A message for <paramref name="topic"/> with a UTF-8 text body.</summary>
    public Message(string topic, string body) : this(topic, System.Text.Encoding.UTF8.GetBytes(body))
    {
    }

    /// <summary>The topic.</summary>
    public string Topic { get; set; }

    /// <summary>The body, as the consumer receives it.</summary>
    public ReadOnlyMemory<byte> Body { get; set; }

    /// <summary>User flag, stored verbatim.</summary>
    public int Flag { get; set; }

    /// <summary>The tag consumers filter on (one per message).</summary>
    public string? Tags
    {
        get => _properties.GetValueOrDefault(MessageProperties.Tags);
        set => Set(MessageProperties.Tags, value);
    }

    /// <summary>Keys the message can be looked up by, separated by spaces.</summary>
    public string? Keys
    {
        get => _properties.GetValueOrDefault(MessageProperties.Keys);
        set => Set(MessageProperties.Keys, value);
    }

    /// <summary>Delay level (1-based, see the broker's message-delay-level); 0 for none.</summary>
    public int DelayTimeLevel
    {
        get => int.TryParse(_properties.GetValueOrDefault(MessageProperties.DelayLevel), out var level) ? level : 0;
        set => Set(MessageProperties.DelayLevel, value > 0 ? value.ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
    }

    /// <summary>The client-side id (UNIQ_KEY) the producer gave it when sending; null before.</summary>
    public string? UniqueKey => _properties.GetValueOrDefault(MessageProperties.UniqueKey);

    /// <summary>Every property, system ones included.</summary>
    public IReadOnlyDictionary<string, string> Properties => _properties;

    /// <summary>Sets a user property; null removes it.</summary>
    /// <exception cref="ArgumentException">The name or value contains RocketMQ's separator characters (0x01, 0x02).</exception>
    public void SetProperty(string name, string? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.AsSpan().IndexOfAny('\u0001', '\u0002') >= 0 || (value is not null && value.AsSpan().IndexOfAny('\u0001', '\u0002') >= 0))
            throw new ArgumentException($"property '{name}' contains a separator character (0x01 or 0x02)", nameof(name));
        Set(name, value);
    }

    private void Set(string name, string? value)
    {
        if (value is null) _properties.Remove(name);
        else _properties[name] = value;
    }
}

/// <summary>A queue of a topic on one broker group.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="BrokerName">The broker group.</param>
/// <param name="QueueId">The queue.</param>
public sealed record MessageQueueRef(string Topic, string BrokerName, int QueueId)
{
    /// <inheritdoc />
    public override string ToString() => $"{Topic}@{BrokerName}:{QueueId}";
}

/// <summary>How a send ended (RocketMQ's SendStatus: the message is stored in every case).</summary>
public enum SendStatus
{
    /// <summary>Stored (and flushed/replicated as the broker's policy requires).</summary>
    SendOk,

    /// <summary>Stored, but the broker's flush did not finish within its timeout.</summary>
    FlushDiskTimeout,

    /// <summary>Stored, but the slave did not confirm within its timeout.</summary>
    FlushSlaveTimeout,

    /// <summary>Stored, but no slave was available to replicate it.</summary>
    SlaveNotAvailable,
}

/// <summary>The result of a send.</summary>
/// <param name="Status">The outcome.</param>
/// <param name="MsgId">The message id (the broker's offset msgId; for a batch, comma-separated ids).</param>
/// <param name="Queue">The queue it went to.</param>
/// <param name="QueueOffset">Its offset in that queue (the first message's, for a batch).</param>
public sealed record SendResult(SendStatus Status, string MsgId, MessageQueueRef Queue, long QueueOffset);
