using System.IO.MemoryMappedFiles;

namespace AkkaBroker.Store.Files;

/// <summary>
/// A whole file mapped into memory for its life, with the reader reference count that keeps it mapped while
/// anyone reads: the owner holds one reference; readers take more between <see cref="TryHold"/> and
/// <see cref="Release"/>; <see cref="Destroy"/> (delete) or <see cref="Dispose"/> (close) drops the owner's, and the
/// last reference out unmaps. Shared by CommitLog/ConsumeQueue segments and IndexFiles.
/// </summary>
internal sealed unsafe class MappedRegion
{
    private readonly FileStream _stream;
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private int _references = 1;
    private int _destroyed;
    private string? _retiredPath;
    private string? _moveTo;

    private MappedRegion(string path, FileStream stream, long length)
    {
        Path = path;
        Length = length;
        _stream = stream;
        // Read once: FileStream.SafeFileHandle seeks the descriptor to the stream's position on every call (an lseek
        // beside each pwrite of the CommitLog, seen with strace).
        Handle = stream.SafeFileHandle;
        _map = MemoryMappedFile.CreateFromFile(stream, null, length, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
        _view = _map.CreateViewAccessor(0, length, MemoryMappedFileAccess.ReadWrite);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        Base = pointer + _view.PointerOffset;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>Mapped bytes (the file's length).</summary>
    public long Length { get; }

    /// <summary>Address of the first byte; valid while a reference is held.</summary>
    public byte* Base { get; }

    /// <summary>The file's handle, for writes that go through the page cache with write() rather than the mapping.</summary>
    public Microsoft.Win32.SafeHandles.SafeFileHandle Handle { get; }

    /// <summary>Whether the owner let go (destroyed or disposed).</summary>
    public bool IsDestroyed => Volatile.Read(ref _destroyed) != 0;

    /// <summary>Maps <paramref name="stream"/> (already sized to <paramref name="length"/>); takes ownership of it, disposing it on failure.</summary>
    public static MappedRegion Map(string path, FileStream stream, long length)
    {
        try
        {
            return new MappedRegion(path, stream, length);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Opens and maps an existing file whose length must be <paramref name="expectedLength"/>.</summary>
    /// <exception cref="StoreCorruptException">The length differs; the message names the file and <paramref name="expectation"/>.</exception>
    public static MappedRegion OpenExisting(string path, long expectedLength, string expectation)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
        if (stream.Length != expectedLength)
        {
            var length = stream.Length;
            stream.Dispose();
            throw new StoreCorruptException($"{path}: length {length} differs from {expectation}");
        }

        return Map(path, stream, expectedLength);
    }

    /// <summary>fsync: the file's data and metadata on the device.</summary>
    public void SyncFile() => _stream.Flush(flushToDisk: true);

    /// <summary>Takes a reader's reference; false once the owner let go (a reader that slips past still holds a valid mapping).</summary>
    public bool TryHold()
    {
        while (true)
        {
            if (IsDestroyed) return false;
            var current = Volatile.Read(ref _references);
            if (current <= 0) return false;
            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current) return true;
        }
    }

    /// <summary>Returns a reference; the last one out unmaps.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0) Unmap();
    }

    /// <summary>Deletes the file and drops the owner's reference (unlinking a mapped file is safe on Linux; readers keep their view).</summary>
    public void Destroy()
    {
        if (Interlocked.Exchange(ref _destroyed, 1) != 0) return;
        File.Delete(Path);
        Release();
    }

    /// <summary>
    /// Renames the file to <paramref name="retiringPath"/> at once (out of its folder, so a crash from here on
    /// never brings it back) and, once the last reader let go and the file is closed, to
    /// <paramref name="reusablePath"/>, where it waits to be reused. The second step waits for the readers because
    /// a reused file is overwritten, and a reader still mapping it would see the new bytes.
    /// </summary>
    /// <exception cref="IOException">The first rename failed; the file is unchanged and still owned.</exception>
    public void Retire(string retiringPath, string reusablePath)
    {
        if (IsDestroyed) return;
        File.Move(Path, retiringPath, overwrite: false);
        _retiredPath = retiringPath;
        _moveTo = reusablePath;
        if (Interlocked.Exchange(ref _destroyed, 1) != 0) return;
        Release();
    }

    /// <summary>Drops the owner's reference; the file stays.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _destroyed, 1) != 0) return;
        Release();
    }

    private void Unmap()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
        _stream.Dispose();
        // Published by the Interlocked.Exchange in Retire, which comes before the last Release.
        if (_moveTo is not { } moveTo || _retiredPath is not { } retired) return;
        try
        {
            File.Move(retired, moveTo, overwrite: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // This may run on a reader's thread, which must not fail for it: without the move the file is just not reused.
            TryDelete(retired);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
