using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using AkkaBroker.Protocol.Remoting;

namespace AkkaBroker.Protocol.Tests.Remoting;

/// <summary>
/// Random and mutated inputs against an independent oracle of what a well-formed frame is: the decoder must never
/// throw, must agree with the oracle on complete/incomplete/malformed, and must not depend on how the bytes are cut.
/// </summary>
public class FrameFuzzTests
{
    private const int Iterations = 120_000;
    private const int Max = 4096;
    private static readonly byte[] JsonBytes = "{}[]\":,-0123456789.etrufnalsx\\ \u00e9"u8.ToArray();

    private enum Verdict { Incomplete, WellFormed, Malformed }

    private static Verdict Oracle(byte[] input, out int frameLength)
    {
        frameLength = 0;
        if (input.Length < 4) return Verdict.Incomplete;
        var length = BinaryPrimitives.ReadInt32BigEndian(input);
        if (length < 4 || 4L + length > Max) return Verdict.Malformed;
        if (input.Length < 8) return Verdict.Incomplete;
        var type = input[4];
        var headerLength = BinaryPrimitives.ReadInt32BigEndian(input.AsSpan(4)) & 0xFFFFFF;
        if (type > 1 || headerLength > length - 4) return Verdict.Malformed;
        if (input.Length < 4 + length) return Verdict.Incomplete;
        frameLength = 4 + length;
        var header = input.AsMemory(8, headerLength);
        return (type == 0 ? JsonHeaderOk(header) : BinaryHeaderOk(header.Span)) ? Verdict.WellFormed : Verdict.Malformed;
    }

    private static bool JsonHeaderOk(ReadOnlyMemory<byte> header)
    {
        try
        {
            using var document = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
            if (document.RootElement.ValueKind != JsonValueKind.Object) return false;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var value = property.Value;
                var ok = true;
                if (property.NameEquals("code") || property.NameEquals("opaque") || property.NameEquals("flag") || property.NameEquals("version"))
                    ok = value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _);
                else if (property.NameEquals("language"))
                    ok = value.ValueKind is JsonValueKind.String or JsonValueKind.Null || (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _));
                else if (property.NameEquals("remark"))
                    ok = value.ValueKind == JsonValueKind.Null || (value.ValueKind == JsonValueKind.String && value.GetString() is not null);
                else if (property.NameEquals("extFields"))
                    ok = value.ValueKind == JsonValueKind.Null || (value.ValueKind == JsonValueKind.Object && value.EnumerateObject().All(ExtOk));
                if (!ok) return false;
            }

            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    private static bool ExtOk(JsonProperty entry) => entry.Name is not null && entry.Value.ValueKind switch
    {
        JsonValueKind.String => entry.Value.GetString() is not null,
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => true,
        _ => false,
    };

    private static bool BinaryHeaderOk(ReadOnlySpan<byte> h)
    {
        if (h.Length < 21) return false;
        var remarkLength = BinaryPrimitives.ReadInt32BigEndian(h[13..]);
        if (remarkLength < 0 || 17L + remarkLength + 4 > h.Length) return false;
        var at = 17 + remarkLength;
        var extLength = BinaryPrimitives.ReadInt32BigEndian(h[at..]);
        at += 4;
        if (extLength != h.Length - at) return false;
        while (at < h.Length)
        {
            if (h.Length - at < 2) return false;
            int keyLength = BinaryPrimitives.ReadInt16BigEndian(h[at..]);
            at += 2;
            if (keyLength < 0 || h.Length - at < keyLength + 4) return false;
            at += keyLength;
            var valueLength = BinaryPrimitives.ReadInt32BigEndian(h[at..]);
            at += 4;
            if (valueLength < 0 || h.Length - at < valueLength) return false;
            at += valueLength;
        }

        return true;
    }

    private static List<byte[]> Corpus()
    {
        var frames = new List<byte[]>
        {
            RemotingCodecTests.JsonFrame("""{"code":310,"language":"JAVA","opaque":1,"flag":0,"version":121,"extFields":{"a":"pg","b":"T","d":4,"e":1,"g":1700000000123,"k":false,"i":"TAGS\u0001a\u0002"}}""", [1, 2, 3]),
            RemotingCodecTests.JsonFrame("""{"code":11,"remark":null,"extFields":{"queueOffset":-1,"x":true},"serializeTypeCurrentRPC":"JSON","u":[1,{"v":null}]}"""),
            RemotingCodecTests.JsonFrame("""{"code":105,"language":7,"remark":"r\u00e9","extFields":null}"""),
        };
        foreach (var type in new[] { SerializeType.Json, SerializeType.Rocketmq })
        {
            frames.Add(RemotingCodec.EncodeToArray(new RemotingCommand { Code = 105, Opaque = 7, SerializeType = type, ExtFields = new() { ["topic"] = "T1" } }));
            frames.Add(RemotingCodec.EncodeToArray(new RemotingCommand
            {
                Code = 0, Flag = 1, Opaque = 99, Remark = "FOUND", SerializeType = type, Body = new byte[40],
                ExtFields = new() { ["nextBeginOffset"] = "10", ["minOffset"] = "0", ["maxOffset"] = "12", ["suggestWhichBrokerId"] = "0" },
            }));
            frames.Add(RemotingCodec.EncodeToArray(new RemotingCommand { Code = 3, Remark = " request type 9 not supported", SerializeType = type }));
        }

        return frames;
    }

    private static byte[] Mutate(Random random, List<byte[]> corpus)
    {
        var frame = (byte[])corpus[random.Next(corpus.Count)].Clone();
        switch (random.Next(8))
        {
            case 0: // random bytes, half of them behind a plausible prefix
                var bytes = new byte[random.Next(0, 96)];
                random.NextBytes(bytes);
                if (bytes.Length >= 8 && random.Next(2) == 0)
                {
                    BinaryPrimitives.WriteInt32BigEndian(bytes, bytes.Length - 4);
                    BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), (random.Next(2) << 24) | random.Next(0, bytes.Length - 7));
                }

                return bytes;
            case 1: // flip bytes in header or body
                for (var n = random.Next(1, 5); n > 0; n--) frame[random.Next(8, frame.Length)] ^= (byte)random.Next(1, 256);
                return frame;
            case 2: // flip bytes in the prefix
                frame[random.Next(0, 8)] ^= (byte)random.Next(1, 256);
                return frame;
            case 3: // truncation
                return frame[..random.Next(0, frame.Length)];
            case 4: // huge or negative declared length
                BinaryPrimitives.WriteInt32BigEndian(frame, random.Next(2) == 0 ? random.Next() : -random.Next());
                return frame;
            case 5: // random header length, type kept
                BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(4), (frame[4] << 24) | random.Next(0, 1 << 24 >> random.Next(0, 24)));
                return frame;
            case 6: // insert or delete one header byte and fix the framing, so only the header's content is wrong
                var headerLength = BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(4)) & 0xFFFFFF;
                var at = 8 + random.Next(0, headerLength);
                var list = frame.ToList();
                if (random.Next(2) == 0) list.RemoveAt(at);
                else list.Insert(at, JsonBytes[random.Next(JsonBytes.Length)]);
                var mutated = list.ToArray();
                var delta = mutated.Length - frame.Length;
                BinaryPrimitives.WriteInt32BigEndian(mutated, mutated.Length - 4);
                BinaryPrimitives.WriteInt32BigEndian(mutated.AsSpan(4), (frame[4] << 24) | (headerLength + delta));
                return mutated;
            default: // overwrite an int-sized field of the header with a small or extreme value
                if (frame.Length >= 12)
                {
                    var value = random.Next(3) switch { 0 => random.Next(-4, 64), 1 => int.MaxValue - random.Next(4), _ => random.Next() };
                    BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(random.Next(8, frame.Length - 3)), value);
                }

                return frame;
        }
    }

    [Fact]
    public void Decoder_never_throws_and_agrees_with_the_oracle_on_mutated_frames()
    {
        var random = new Random(20261122);
        var corpus = Corpus();
        var counts = new Dictionary<Verdict, int> { [Verdict.Incomplete] = 0, [Verdict.WellFormed] = 0, [Verdict.Malformed] = 0 };

        for (var i = 0; i < Iterations; i++)
        {
            var input = Mutate(random, corpus);
            var expected = Oracle(input, out var frameLength);
            counts[expected]++;

            var (status, command, error, remaining) = Read(new ReadOnlySequence<byte>(input), input);
            var context = $"iteration {i}, input {Convert.ToHexString(input)}, error {error}";
            Assert.True(expected switch
            {
                Verdict.Incomplete => status == FrameReadStatus.NeedMoreData && remaining == input.Length,
                Verdict.Malformed => status == FrameReadStatus.Malformed && command is null && error is not null && remaining == input.Length,
                _ => status == FrameReadStatus.Complete && command is not null && remaining == input.Length - frameLength,
            }, $"oracle {expected}, decoder {status}; {context}");

            if (i % 8 == 0) // cut into segments: same answer
            {
                var (chunkedStatus, _, chunkedError, chunkedRemaining) = Read(StreamingFrameTests.Chunked(input, random, 7), input);
                // Error texts may quote the bytes differently across segments; status and consumption must not differ.
                Assert.True((status, remaining) == (chunkedStatus, chunkedRemaining), $"{context}; chunked: {chunkedStatus} {chunkedError}");
            }

            if (command is not null) // what was accepted re-encodes to a frame that decodes to the same fields
            {
                var again = RemotingCodecTests.Decode(RemotingCodec.EncodeToArray(command), Max * 4);
                Assert.Equal((command.Code, command.Opaque, command.Flag, command.Version, command.Language, command.Remark),
                    (again.Code, again.Opaque, again.Flag, again.Version, again.Language, again.Remark));
                Assert.Equal(command.Body.ToArray(), again.Body.ToArray());
            }
        }

        Assert.All(counts.Values, count => Assert.True(count > Iterations / 50, string.Join(", ", counts)));
    }

    [Fact]
    public void Decoder_never_throws_on_purely_random_bytes()
    {
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var input = new byte[random.Next(0, 64)];
            random.NextBytes(input);
            if (input.Length > 4 && random.Next(2) == 0) input[0] = input[1] = 0; // make small declared lengths common
            var expected = Oracle(input, out _);
            var (status, _, _, _) = Read(new ReadOnlySequence<byte>(input), input);
            Assert.Equal(expected switch
            {
                Verdict.Incomplete => FrameReadStatus.NeedMoreData,
                Verdict.Malformed => FrameReadStatus.Malformed,
                _ => FrameReadStatus.Complete,
            }, status);
        }
    }

    private static (FrameReadStatus, RemotingCommand?, string?, long) Read(ReadOnlySequence<byte> buffer, byte[] input)
    {
        try
        {
            var status = RemotingCodec.TryReadFrame(ref buffer, Max, out var command, out var error);
            return (status, command, error, buffer.Length);
        }
        catch (Exception e)
        {
            Assert.Fail($"decoder threw {e} on {Convert.ToHexString(input)}");
            throw;
        }
    }
}
