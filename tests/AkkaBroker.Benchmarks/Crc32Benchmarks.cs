using AkkaBroker.Common.Hashing;
using BenchmarkDotNet.Attributes;

namespace AkkaBroker.Benchmarks;

/// <summary>Body CRC of a 1 KiB message: the cost every append and every recovered record pays.</summary>
[MemoryDiagnoser]
public class Crc32Benchmarks
{
    private readonly byte[] _data = new byte[1024];

    [GlobalSetup]
    public void Setup() => new Random(1).NextBytes(_data);

    [Benchmark]
    public uint Crc32_1KiB() => Crc32.Compute(_data);
}
