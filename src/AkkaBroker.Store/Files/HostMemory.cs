namespace AkkaBroker.Store.Files;

/// <summary>
/// What the machine's host does with this machine's memory, as far as the page cache is concerned.
/// </summary>
public static class HostMemory
{
    // VIRTIO_BALLOON_F_REPORTING: the guest reports free pages and the host takes them back.
    private const int FreePageReportingBit = 5;
    private static readonly Lazy<bool> Here = new(() => ReportsFreePages("/sys"));

    /// <summary>Whether this machine is a VM that hands its free pages back to its host (read once).</summary>
    public static bool ReportsFreePagesHere => Here.Value;

    /// <summary>
    /// Whether a virtio balloon under <paramref name="sysRoot"/> (normally <c>/sys</c>) has free page reporting on. There
    /// the host takes back memory the guest frees, so every page the page cache later takes from free memory costs a fault
    /// inside the host; pages the cache frees and takes again at once stay with the guest. False where there is no such
    /// device or the files cannot be read (not Linux, no sysfs).
    /// </summary>
    public static bool ReportsFreePages(string sysRoot)
    {
        try
        {
            var drivers = Path.Combine(sysRoot, "bus", "virtio", "drivers", "virtio_balloon");
            if (!Directory.Exists(drivers)) return false;
            foreach (var device in Directory.EnumerateDirectories(drivers, "virtio*"))
            {
                var features = Path.Combine(device, "features");
                // One character per feature bit, '1' where the driver and device agreed on it.
                if (File.Exists(features) && File.ReadAllText(features) is { Length: > FreePageReportingBit } bits && bits[FreePageReportingBit] == '1')
                    return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return false;
    }
}
