namespace AkkaBroker.Store;

/// <summary>Stored files that cannot be what the store wrote: wrong sizes, names or contents that recovery cannot repair.</summary>
public sealed class StoreCorruptException : IOException
{
    /// <summary>Creates the exception with a message naming the file.</summary>
    public StoreCorruptException(string message, Exception? inner = null) : base(message, inner) { }
}
