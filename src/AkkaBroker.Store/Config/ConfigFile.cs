using System.Runtime.InteropServices;
using System.Text.Json;

namespace AkkaBroker.Store.Config;

/// <summary>Which copy of a config file a load used.</summary>
public enum ConfigFileSource
{
    /// <summary>The file itself.</summary>
    Main,

    /// <summary>The <c>.bak</c> copy, because the file was missing or corrupt.</summary>
    Backup,

    /// <summary>Neither exists: the document is empty (first start).</summary>
    Missing,
}

/// <summary>A loaded config document, where it came from, and why the main file was not used (null when it was).</summary>
/// <typeparam name="T">The document type.</typeparam>
/// <param name="Value">The document.</param>
/// <param name="Source">Which copy was used.</param>
/// <param name="Problem">What was wrong with the main file, for the log; null when it was used or both were missing.</param>
public readonly record struct ConfigLoadResult<T>(T Value, ConfigFileSource Source, string? Problem);

/// <summary>
/// Crash-safe config files (RocketMQ's <c>MixAll.string2File</c> made atomic): a write goes to <c>&lt;name&gt;.tmp</c>
/// and is fsynced, the current file is copied to <c>&lt;name&gt;.bak</c> (through its own temp file), the temp file is renamed over the file
/// and the folder is fsynced. A crash at any point leaves the previous or the new file whole, and a load falls
/// back to the <c>.bak</c> copy when the file is missing or corrupt.
/// </summary>
public static partial class ConfigFile
{
    /// <summary>The temp file a write goes through.</summary>
    public static string TempPath(string path) => path + ".tmp";

    /// <summary>The previous copy kept by a write.</summary>
    public static string BackupPath(string path) => path + ".bak";

    /// <summary>Replaces the file's content atomically (see the type's remarks). Creates the folder when needed.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = TempPath(path);
        WriteSynced(temp, content);
        if (TryReadAll(path) is { } previous)
        {
            // The copy goes through its own temp file and a rename, like the file itself: File.Copy would hold the
            // .bak exclusively while writing it, and a reader falling back to it at that moment would make one of them fail.
            var backup = BackupPath(path);
            WriteSynced(TempPath(backup), previous);
            File.Move(TempPath(backup), backup, overwrite: true);
        }

        File.Move(temp, path, overwrite: true);
        SyncDirectory(directory);
    }

    private static void WriteSynced(string path, ReadOnlySpan<byte> content)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        stream.Write(content);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>
    /// Loads a document: the file, or its <c>.bak</c> copy when the file is missing or does not parse, or
    /// <paramref name="empty"/> when neither exists.
    /// </summary>
    /// <exception cref="StoreCorruptException">A copy exists but none parses: starting empty would silently lose data.</exception>
    public static ConfigLoadResult<T> Load<T>(string path, Func<byte[], T> parse, Func<T> empty)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(empty);
        var main = TryParse(path, parse, out var value);
        if (main is null) return new ConfigLoadResult<T>(value!, ConfigFileSource.Main, null);
        var backupPath = BackupPath(path);
        var backup = TryParse(backupPath, parse, out value);
        if (backup is null) return new ConfigLoadResult<T>(value!, ConfigFileSource.Backup, main);
        // Judged on what the reads saw, not on a fresh look: a writer may create the file in between, and that
        // must not turn "neither exists" into "both are corrupt".
        if (ReferenceEquals(main, Missing) && ReferenceEquals(backup, Missing)) return new ConfigLoadResult<T>(empty(), ConfigFileSource.Missing, null);
        throw new StoreCorruptException($"{path}: {main}; {backupPath}: {backup}");
    }

    private const string Missing = "missing";

    /// <summary>Null on success, <see cref="Missing"/> when there is no file, else why the file could not be used.</summary>
    private static string? TryParse<T>(string path, Func<byte[], T> parse, out T? value)
    {
        value = default;
        try
        {
            if (TryReadAll(path) is not { } bytes) return Missing;

            if (bytes.AsSpan().Trim(" \t\r\n"u8).IsEmpty) return "empty";
            value = parse(bytes);
            return value is null ? "empty document" : null;
        }
        catch (JsonException e)
        {
            return $"not valid JSON ({e.Message})";
        }
        catch (NotSupportedException e)
        {
            return $"unexpected shape ({e.Message})";
        }
    }

    private static byte[]? TryReadAll(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static void SyncDirectory(string directory)
    {
        // A rename is durable only once the folder's entry is; .NET cannot open a folder, so libc it is.
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        var fd = Open(directory, 0); // O_RDONLY
        if (fd < 0) throw new IOException($"{directory}: open failed: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            if (Fsync(fd) != 0) throw new IOException($"{directory}: fsync failed: errno {Marshal.GetLastPInvokeError()}");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
