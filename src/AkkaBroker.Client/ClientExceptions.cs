namespace AkkaBroker.Client;

/// <summary>A client-side failure: no route, invalid message, every retry failed, or the client is not started.</summary>
public class MQClientException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MQClientException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>A broker answered with an error code.</summary>
public sealed class MQBrokerException : MQClientException
{
    /// <summary>Creates the exception for <paramref name="code"/> from <paramref name="broker"/>.</summary>
    public MQBrokerException(int code, string? remark, string broker)
        : base($"broker {broker} answered {Protocol.Remoting.ResponseCode.Describe(code)}: {remark}")
    {
        Code = code;
        Remark = remark;
        Broker = broker;
    }

    /// <summary>The response code.</summary>
    public int Code { get; }

    /// <summary>The broker's remark.</summary>
    public string? Remark { get; }

    /// <summary>The broker's address.</summary>
    public string Broker { get; }
}
