using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AkkaBroker.Common.Hashing;

/// <summary>
/// CRC-32 with the IEEE 802.3 polynomial (reflected 0xEDB88320), the checksum of java.util.zip.CRC32 and zlib,
/// which RocketMQ stores as a record's BODYCRC and recovery verifies. On x86 with PCLMULQDQ, runs of 64 bytes
/// and more are folded with carry-less multiplication (Intel's "Fast CRC Computation Using PCLMULQDQ" method);
/// the rest, and other CPUs, use slicing-by-8 tables. No allocation. (System.IO.Hashing, which has this, is not
/// served to our build machines.)
/// </summary>
public static class Crc32
{
    private const uint Polynomial = 0xEDB88320u;
    private static readonly uint[] Table = BuildTable();

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a CRC-32 over more data: <c>Append(Compute(a), b) == Compute(a + b)</c>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        if (data.Length < 64 || !Pclmulqdq.IsSupported) return AppendScalar(crc, data);
        var folded = data.Length & ~15;
        return ~Tables(FoldVector(~crc, data[..folded]), data[folded..]);
    }

    /// <summary>The table-driven form, also the reference for the vector path's tests.</summary>
    internal static uint AppendScalar(uint crc, ReadOnlySpan<byte> data) => ~Tables(~crc, data);

    // Folding constants for the reflected polynomial: x^(4*128+32), x^(4*128-32) mod P (fold by 4 blocks),
    // x^(128+32), x^(128-32) mod P (fold by one block), x^64 mod P, then P and mu for the Barrett reduction.
    private static readonly Vector128<ulong> Fold4 = Vector128.Create(0x154442bd4UL, 0x1c6e41596UL);
    private static readonly Vector128<ulong> Fold1 = Vector128.Create(0x1751997d0UL, 0xccaa009eUL);
    private static readonly Vector128<ulong> Fold64 = Vector128.Create(0x163cd6124UL, 0UL);
    private static readonly Vector128<ulong> Barrett = Vector128.Create(0x1DB710641UL, 0x1F7011641UL);
    private static readonly Vector128<ulong> Low32 = Vector128.Create(0xFFFFFFFFUL, 0UL);

    // crc is the raw register (already inverted); data is a multiple of 16 bytes, at least 64.
    private static uint FoldVector(uint crc, ReadOnlySpan<byte> data)
    {
        ref var start = ref MemoryMarshal.GetReference(data);
        var x1 = Load(ref start, 0) ^ Vector128.CreateScalar((ulong)crc);
        var x2 = Load(ref start, 16);
        var x3 = Load(ref start, 32);
        var x4 = Load(ref start, 48);
        var at = 64;
        for (; data.Length - at >= 64; at += 64)
        {
            x1 = FoldBlock(x1, Fold4, Load(ref start, at));
            x2 = FoldBlock(x2, Fold4, Load(ref start, at + 16));
            x3 = FoldBlock(x3, Fold4, Load(ref start, at + 32));
            x4 = FoldBlock(x4, Fold4, Load(ref start, at + 48));
        }

        x1 = FoldBlock(x1, Fold1, x2);
        x1 = FoldBlock(x1, Fold1, x3);
        x1 = FoldBlock(x1, Fold1, x4);
        for (; data.Length - at >= 16; at += 16) x1 = FoldBlock(x1, Fold1, Load(ref start, at));

        // 128 -> 64 bits (appending 32 zero bits), then 64 -> 32 by Barrett reduction.
        x1 = Pclmulqdq.CarrylessMultiply(Fold1, x1, 0x01) ^ Sse2.ShiftRightLogical128BitLane(x1, 8);
        var x2b = Sse2.ShiftRightLogical128BitLane(x1, 4);
        x1 = Pclmulqdq.CarrylessMultiply(x1 & Low32, Fold64, 0x00) ^ x2b;
        var saved = x1;
        x1 = Pclmulqdq.CarrylessMultiply(x1 & Low32, Barrett, 0x10);
        x1 = Pclmulqdq.CarrylessMultiply(x1 & Low32, Barrett, 0x00) ^ saved;
        return x1.AsUInt32().GetElement(1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> FoldBlock(Vector128<ulong> x, Vector128<ulong> k, Vector128<ulong> next) =>
        Pclmulqdq.CarrylessMultiply(x, k, 0x00) ^ Pclmulqdq.CarrylessMultiply(x, k, 0x11) ^ next;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Load(ref byte start, int offset) =>
        Unsafe.ReadUnaligned<Vector128<ulong>>(ref Unsafe.Add(ref start, offset));

    // Slicing-by-8 over the raw register (no inversion).
    private static uint Tables(uint crc, ReadOnlySpan<byte> data)
    {
        var table = Table;
        while (data.Length >= 8)
        {
            var low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            var high = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            crc = table[(7 * 256) + (low & 0xFF)] ^ table[(6 * 256) + ((low >> 8) & 0xFF)] ^
                  table[(5 * 256) + ((low >> 16) & 0xFF)] ^ table[(4 * 256) + (low >> 24)] ^
                  table[(3 * 256) + (high & 0xFF)] ^ table[(2 * 256) + ((high >> 8) & 0xFF)] ^
                  table[256 + ((high >> 16) & 0xFF)] ^ table[high >> 24];
            data = data[8..];
        }

        foreach (var b in data)
        {
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    /// <summary>RocketMQ's stored form: the CRC with its sign bit cleared (Java keeps it as a positive int).</summary>
    public static int ComputeRocketMq(ReadOnlySpan<byte> data) => (int)(Compute(data) & 0x7FFFFFFF);

    // Table k holds the CRC of a byte followed by k zero bytes, so eight bytes fold in one step.
    private static uint[] BuildTable()
    {
        var table = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var bit = 0; bit < 8; bit++) c = (c & 1) != 0 ? Polynomial ^ (c >> 1) : c >> 1;
            table[i] = c;
        }

        for (var i = 0; i < 256; i++)
        {
            for (var k = 1; k < 8; k++)
            {
                var previous = table[((k - 1) * 256) + i];
                table[(k * 256) + i] = table[previous & 0xFF] ^ (previous >> 8);
            }
        }

        return table;
    }
}
