namespace AkkaBroker.Remoting;

/// <summary>An invocation's response did not arrive within its timeout (Java's RemotingTimeoutException).</summary>
public sealed class RemotingTimeoutException : Exception
{
    /// <summary>Creates the exception with a message.</summary>
    public RemotingTimeoutException(string message) : base(message)
    {
    }
}

/// <summary>
/// The connection was closed (or could not be opened) before a request was sent or answered
/// (Java's RemotingConnectException / RemotingSendRequestException).
/// </summary>
public sealed class RemotingConnectionException : Exception
{
    /// <summary>Creates the exception with a message and an optional cause.</summary>
    public RemotingConnectionException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}
