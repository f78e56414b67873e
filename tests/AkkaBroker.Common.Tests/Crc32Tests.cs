using System.Text;
using AkkaBroker.Common.Hashing;

namespace AkkaBroker.Common.Tests;

public class Crc32Tests
{
    [Theory]
    [InlineData("", 0x00000000u)]
    [InlineData("a", 0xE8B7BE43u)]
    [InlineData("123456789", 0xCBF43926u)] // the standard check value of CRC-32/ISO-HDLC
    [InlineData("The quick brown fox jumps over the lazy dog", 0x414FA339u)]
    public void Known_values(string text, uint expected) =>
        Assert.Equal(expected, Crc32.Compute(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Matches_the_bitwise_definition_for_every_length_and_alignment()
    {
        var random = new Random(42);
        var data = new byte[300];
        random.NextBytes(data);
        for (var start = 0; start < 9; start++)
        {
            for (var length = 0; start + length <= data.Length; length += 7)
            {
                var span = data.AsSpan(start, length);
                Assert.Equal(Bitwise(span), Crc32.Compute(span));
            }
        }
    }

    [Fact]
    public void Vector_and_table_paths_agree_with_the_definition_for_long_inputs()
    {
        var random = new Random(7);
        var data = new byte[5000];
        random.NextBytes(data);
        for (var length = 0; length <= data.Length; length += length < 300 ? 1 : 97)
        {
            for (var start = 0; start < 3; start++)
            {
                if (start + length > data.Length) continue;
                var span = data.AsSpan(start, length);
                var expected = Bitwise(span);
                Assert.Equal(expected, Crc32.Compute(span));
                Assert.Equal(expected, Crc32.AppendScalar(0, span));
            }
        }
    }

    [Fact]
    public void Chained_appends_across_the_vector_threshold_match_one_pass()
    {
        var data = new byte[1000];
        new Random(11).NextBytes(data);
        uint crc = 0;
        var offset = 0;
        foreach (var size in new[] { 5, 64, 1, 130, 63, 200, 16, 521 })
        {
            crc = Crc32.Append(crc, data.AsSpan(offset, size));
            offset += size;
        }

        Assert.Equal(Bitwise(data.AsSpan(0, offset)), crc);
    }

    [Fact]
    public void Append_continues_a_checksum()
    {
        var data = Encoding.UTF8.GetBytes("AkkaBroker stores RocketMQ records with a body CRC.");
        for (var split = 0; split <= data.Length; split++)
        {
            Assert.Equal(Crc32.Compute(data), Crc32.Append(Crc32.Compute(data.AsSpan(0, split)), data.AsSpan(split)));
        }
    }

    [Fact]
    public void RocketMq_form_clears_the_sign_bit()
    {
        var data = Encoding.ASCII.GetBytes("123456789"); // 0xCBF43926 has the top bit set
        Assert.Equal(0x4BF43926, Crc32.ComputeRocketMq(data));
    }

    private static uint Bitwise(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }

        return ~crc;
    }
}
