using System.Runtime.InteropServices;

namespace AkkaBroker.Store.Files;

/// <summary>The few libc calls mapped files need that .NET does not expose: ranged msync, madvise, fadvise and fallocate.</summary>
internal static unsafe partial class NativeMemory
{
    private const int MsSync = 4;       // Linux MS_SYNC
    private const int MadvWillNeed = 3; // Linux MADV_WILLNEED
    private const int MadvPopulateRead = 22; // Linux MADV_POPULATE_READ
    private const int MadvDontNeed = 4;      // Linux MADV_DONTNEED
    private const int FadvDontNeed = 4;      // Linux POSIX_FADV_DONTNEED

    /// <summary>Page size of the machine; flush and advice ranges are aligned to it.</summary>
    public static readonly int PageSize = Environment.SystemPageSize;

    /// <summary>The first page boundary at or after <paramref name="position"/>.</summary>
    public static long RoundUpToPage(long position) => (position + PageSize - 1) / PageSize * PageSize;

    /// <summary>Writes the dirty pages of [address, address+length) to the file and waits for the device.</summary>
    public static void Sync(byte* address, long length)
    {
        if (length <= 0) return;
        var start = (byte*)((nuint)address & ~(nuint)(PageSize - 1));
        var total = (nuint)(address - start + length);
        if (Msync(start, total, MsSync) != 0)
            throw new IOException($"msync failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Writes a zero into every page of [address, address+length), so each is faulted in now rather than at first use.</summary>
    public static void TouchPages(byte* address, long length)
    {
        for (long offset = 0; offset < length; offset += PageSize) address[offset] = 0;
    }

    /// <summary>
    /// Faults the range's pages in for reading (MADV_POPULATE_READ, Linux 5.14+) without changing a byte, so a file's
    /// pages are in the page cache before a write needs them. False where the kernel cannot.
    /// </summary>
    public static bool PopulateRead(byte* address, long length) =>
        OperatingSystem.IsLinux() && Madvise(address, (nuint)length, MadvPopulateRead) == 0;

    /// <summary>Asks the kernel to read ahead the range (best effort; failures are ignored).</summary>
    public static void WillNeed(byte* address, long length)
    {
        if (OperatingSystem.IsLinux()) _ = Madvise(address, (nuint)length, MadvWillNeed);
    }

    /// <summary>
    /// Makes [offset, offset+length) of the file read as zeros by marking its blocks unwritten (FALLOC_FL_ZERO_RANGE):
    /// file-system metadata only, however large the range. False when the file system or OS cannot (then write zeros).
    /// </summary>
    public static bool TryZeroRange(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, long length)
    {
        if (!OperatingSystem.IsLinux() || length <= 0) return length <= 0;
        return OnDescriptor(file, fd => Fallocate(fd, FallocZeroRange | FallocKeepSize, offset, length)) == 0;
    }

    // Runs a libc call on the file's descriptor, with the handle referenced so it cannot be closed (and the number reused) meanwhile.
    private static int OnDescriptor(Microsoft.Win32.SafeHandles.SafeFileHandle file, Func<int, int> call)
    {
        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            return call((int)file.DangerousGetHandle());
        }
        finally
        {
            if (added) file.DangerousRelease();
        }
    }

    /// <summary>
    /// Drops whole pages of [offset, offset+length) of <paramref name="file"/> from the page cache: takes them out of this
    /// process's mapping at <paramref name="mapping"/> (MADV_DONTNEED; in a shared file mapping that keeps the data, which
    /// belongs to the file) and then asks the kernel to free them (POSIX_FADV_DONTNEED; it skips dirty pages). Reads fault
    /// them back from the file. False where the OS cannot.
    /// </summary>
    public static bool DropFromCache(Microsoft.Win32.SafeHandles.SafeFileHandle file, byte* mapping, long offset, long length)
    {
        if (!OperatingSystem.IsLinux()) return false;
        var start = RoundUpToPage(offset);
        var end = (offset + length) / PageSize * PageSize;
        if (end <= start) return true;
        if (Madvise(mapping + start, (nuint)(end - start), MadvDontNeed) != 0) return false;
        // posix_fadvise returns the error number itself, not -1.
        return OnDescriptor(file, fd => Fadvise(fd, start, end - start, FadvDontNeed)) == 0;
    }

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int Fadvise(int fd, long offset, long length, int advice);

    private const int FallocKeepSize = 0x01;  // FALLOC_FL_KEEP_SIZE
    private const int FallocZeroRange = 0x10; // FALLOC_FL_ZERO_RANGE

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static partial int Fallocate(int fd, int mode, long offset, long length);

    [LibraryImport("libc", EntryPoint = "msync", SetLastError = true)]
    private static partial int Msync(byte* address, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(byte* address, nuint length, int advice);
}
