using System.Buffers;
using System.Text;
using AkkaBroker.Protocol.Remoting;

namespace AkkaBroker.Protocol.Tests.Remoting;

public class StreamingFrameTests
{
    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is null) return;
            RunningIndex = previous.RunningIndex + previous.Memory.Length;
            previous.Next = this;
        }
    }

    /// <summary>The bytes as a sequence cut into pieces of the given sizes (the last piece takes the rest).</summary>
    internal static ReadOnlySequence<byte> Chunked(byte[] data, Random random, int maxChunk)
    {
        if (data.Length == 0) return ReadOnlySequence<byte>.Empty;
        Segment? first = null, last = null;
        for (var at = 0; at < data.Length;)
        {
            var size = Math.Min(data.Length - at, random.Next(1, maxChunk + 1));
            last = new Segment(data.AsMemory(at, size), last);
            first ??= last;
            at += size;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private static List<RemotingCommand> SampleCommands()
    {
        var commands = new List<RemotingCommand>();
        for (var i = 0; i < 12; i++)
        {
            var command = RemotingCommand.CreateRequest(
                i % 3 == 0 ? RequestCode.SendMessageV2 : RequestCode.PullMessage,
                i % 4 == 0 ? null : new() { ["topic"] = "T" + i, ["queueId"] = i.ToString(), ["i"] = "TAGS\u0001中\u0002" },
                Encoding.UTF8.GetBytes(new string('x', i * 37)));
            command.Opaque = i + 1;
            command.Remark = i % 5 == 0 ? "remark " + i : null;
            command.SerializeType = i % 2 == 0 ? SerializeType.Json : SerializeType.Rocketmq;
            commands.Add(command);
        }

        return commands;
    }

    private static void AssertSame(RemotingCommand expected, RemotingCommand actual)
    {
        Assert.Equal((expected.Code, expected.Opaque, expected.Remark, expected.SerializeType), (actual.Code, actual.Opaque, actual.Remark, actual.SerializeType));
        Assert.Equal(expected.ExtFields?.OrderBy(p => p.Key), actual.ExtFields?.OrderBy(p => p.Key));
        Assert.Equal(expected.Body.ToArray(), actual.Body.ToArray());
    }

    [Fact]
    public void Several_frames_in_one_buffer_decode_in_order()
    {
        var commands = SampleCommands();
        var stream = commands.SelectMany(RemotingCodec.EncodeToArray).ToArray();
        var buffer = new ReadOnlySequence<byte>(stream);

        foreach (var expected in commands)
        {
            Assert.Equal(FrameReadStatus.Complete, RemotingCodec.TryReadFrame(ref buffer, out var command, out var error));
            AssertSame(expected, command!);
        }

        Assert.Equal(FrameReadStatus.NeedMoreData, RemotingCodec.TryReadFrame(ref buffer, out _, out _));
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void Frames_fed_byte_by_byte_decode_once_each_and_only_when_whole()
    {
        var commands = SampleCommands();
        var stream = commands.SelectMany(RemotingCodec.EncodeToArray).ToArray();
        var pending = new List<byte>();
        var decoded = new List<RemotingCommand>();

        foreach (var b in stream)
        {
            pending.Add(b);
            var buffer = new ReadOnlySequence<byte>(pending.ToArray());
            var status = RemotingCodec.TryReadFrame(ref buffer, out var command, out var error);
            Assert.NotEqual(FrameReadStatus.Malformed, status);
            if (status == FrameReadStatus.Complete)
            {
                Assert.Equal(0, buffer.Length); // completes exactly on the frame's last byte
                decoded.Add(command!);
                pending.Clear();
            }
        }

        Assert.Equal(commands.Count, decoded.Count);
        for (var i = 0; i < commands.Count; i++) AssertSame(commands[i], decoded[i]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Frames_arriving_in_random_chunks_across_segments_decode_like_a_pipe(int seed)
    {
        var random = new Random(seed);
        var commands = SampleCommands();
        var stream = commands.SelectMany(RemotingCodec.EncodeToArray).ToArray();
        var decoded = new List<RemotingCommand>();
        var consumed = 0;
        var received = 0;

        while (consumed < stream.Length)
        {
            received = Math.Min(stream.Length, received + random.Next(1, 400));
            // Re-cut the unconsumed bytes into random segments each time, as a pipe's buffer list might be.
            var buffer = Chunked(stream[consumed..received], random, maxChunk: random.Next(1, 64));
            while (true)
            {
                var before = buffer.Length;
                var status = RemotingCodec.TryReadFrame(ref buffer, out var command, out var error);
                Assert.True(status != FrameReadStatus.Malformed, error);
                if (status == FrameReadStatus.NeedMoreData)
                {
                    Assert.Equal(before, buffer.Length);
                    break;
                }

                decoded.Add(command!);
                consumed += (int)(before - buffer.Length);
            }
        }

        Assert.Equal(commands.Count, decoded.Count);
        for (var i = 0; i < commands.Count; i++) AssertSame(commands[i], decoded[i]);
    }
}
