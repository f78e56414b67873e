namespace AkkaBroker.Store;

/// <summary>Another process (or another store instance in this one) holds the store folder's lock.</summary>
public sealed class StoreLockedException : IOException
{
    /// <summary>Creates the exception naming the folder.</summary>
    public StoreLockedException(string root, Exception? inner = null)
        : base($"the store folder {root} is locked by another broker (its {System.IO.Path.Combine(root, "lock")} file is held); two brokers cannot share one store", inner)
    {
        Root = root;
    }

    /// <summary>The locked store folder.</summary>
    public string Root { get; }
}

/// <summary>
/// Exclusive ownership of a store folder for the life of the process: <c>&lt;root&gt;/lock</c> (containing
/// "lock") held open with <see cref="FileShare.None"/>, which .NET on Unix turns into an exclusive flock, so a
/// second broker process or a second instance on the same folder fails at once. Also the <c>abort</c> marker:
/// <see cref="Acquire"/> notes whether it exists (the last run did not shut down cleanly: recover abnormally) and
/// creates it; <see cref="MarkCleanShutdown"/> deletes it after the final flush.
/// </summary>
public sealed class StoreLock : IDisposable
{
    private readonly FileStream _lock;

    private StoreLock(string root, FileStream lockStream, bool abortFileExisted)
    {
        Root = root;
        _lock = lockStream;
        AbortFileExisted = abortFileExisted;
    }

    /// <summary>The store folder.</summary>
    public string Root { get; }

    /// <summary>Path of the abort marker.</summary>
    public string AbortPath => Path.Combine(Root, "abort");

    /// <summary>Whether the abort marker was present at <see cref="Acquire"/>: the previous run crashed, recovery is abnormal.</summary>
    public bool AbortFileExisted { get; }

    /// <summary>Locks <paramref name="root"/> (creating it if needed), reads and then creates the abort marker.</summary>
    /// <exception cref="StoreLockedException">Another process or instance holds the folder.</exception>
    public static StoreLock Acquire(string root)
    {
        root = Path.GetFullPath(root);
        Directory.CreateDirectory(root);
        FileStream stream;
        try
        {
            stream = new FileStream(Path.Combine(root, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new StoreLockedException(root, e);
        }

        try
        {
            stream.SetLength(0);
            stream.Write("lock"u8);
            stream.Flush(flushToDisk: true);
            var abort = Path.Combine(root, "abort");
            var existed = File.Exists(abort);
            using (new FileStream(abort, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite))
            {
            }

            return new StoreLock(root, stream, existed);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Deletes the abort marker: call after everything is flushed, right before <see cref="Dispose"/>.</summary>
    public void MarkCleanShutdown() => File.Delete(AbortPath);

    /// <summary>Releases the lock (the lock file stays).</summary>
    public void Dispose() => _lock.Dispose();

    /// <summary>A readable description for logs.</summary>
    public override string ToString() => $"StoreLock({Root}{(AbortFileExisted ? ", abnormal" : "")})";
}
