using AkkaBroker.Store.Files;

namespace AkkaBroker.Store.Tests;

public sealed class HostMemoryTests : IDisposable
{
    private readonly TempDir _sys = new();

    public void Dispose() => _sys.Dispose();

    // One virtio balloon device with the given feature bits, as sysfs shows them (one character per bit).
    private void Balloon(string device, string features)
    {
        var dir = _sys.Sub(Path.Combine("bus", "virtio", "drivers", "virtio_balloon", device));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "features"), features + "\n");
    }

    [Fact]
    public void Free_page_reporting_is_feature_bit_5_of_a_virtio_balloon()
    {
        Balloon("virtio0", "0110010100000000000000000000000010000000");
        Assert.True(HostMemory.ReportsFreePages(_sys.Path));
    }

    [Fact]
    public void A_balloon_without_the_reporting_bit_does_not_count()
    {
        Balloon("virtio0", "0110000100000000000000000000000010000000");
        Assert.False(HostMemory.ReportsFreePages(_sys.Path));
    }

    [Fact]
    public void Any_balloon_with_the_bit_counts()
    {
        Balloon("virtio0", "0110000");
        Balloon("virtio3", "0000010");
        Assert.True(HostMemory.ReportsFreePages(_sys.Path));
    }

    [Fact]
    public void No_balloon_a_short_feature_string_or_no_sysfs_means_no()
    {
        Assert.False(HostMemory.ReportsFreePages(_sys.Path));
        Balloon("virtio0", "01100");
        Assert.False(HostMemory.ReportsFreePages(_sys.Path));
        Assert.False(HostMemory.ReportsFreePages(_sys.Sub("missing")));
    }
}
