using System.Runtime.InteropServices;

namespace AkkaBroker.Store.Files;

/// <summary>The few libc calls mapped files need that .NET does not expose: ranged msync, madvise and fallocate.</summary>
internal static unsafe partial class NativeMemory
{
    private const int MsSync = 4;       // Linux MS_SYNC
    private const int MadvWillNeed = 3; // Linux MADV_WILLNEED
    private const int MadvPopulateRead = 22; // Linux MADV_POPULATE_READ

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
        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            return Fallocate((int)file.DangerousGetHandle(), FallocZeroRange | FallocKeepSize, offset, length) == 0;
        }
        finally
        {
            if (added) file.DangerousRelease();
        }
    }

    private const int FallocKeepSize = 0x01;  // FALLOC_FL_KEEP_SIZE
    private const int FallocZeroRange = 0x10; // FALLOC_FL_ZERO_RANGE

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static partial int Fallocate(int fd, int mode, long offset, long length);

    [LibraryImport("libc", EntryPoint = "msync", SetLastError = true)]
    private static partial int Msync(byte* address, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int Madvise(byte* address, nuint length, int advice);
}
