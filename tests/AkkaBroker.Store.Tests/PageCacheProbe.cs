using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace AkkaBroker.Store.Tests;

/// <summary>Which pages of a file are in the page cache, seen through a read-only mapping of the test's own (Linux).</summary>
internal static partial class PageCacheProbe
{
    public const int Page = 4096;

    /// <summary>Pages of [offset, offset+length) of the file in the page cache (mincore; mapping a file does not read it).</summary>
    public static unsafe int ResidentPages(string path, long offset, int length)
    {
        using var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        try
        {
            var pages = length / Page;
            var vector = new byte[pages];
            fixed (byte* v = vector)
            {
                if (MinCore(start + offset, (nuint)length, v) != 0) throw new IOException($"mincore failed: errno {Marshal.GetLastPInvokeError()}");
            }

            return vector.Count(b => (b & 1) != 0);
        }
        finally
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
        }
    }

    [LibraryImport("libc", EntryPoint = "mincore", SetLastError = true)]
    private static unsafe partial int MinCore(byte* address, nuint length, byte* vector);
}
