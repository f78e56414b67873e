using System.Buffers;
using System.Text;
using AkkaBroker.Broker.Storage;
using AkkaBroker.Protocol;
using AkkaBroker.Store;

namespace AkkaBroker.Broker.Tests;

/// <summary>SEND_BATCH_MESSAGE bodies through the writer.</summary>
public sealed class BatchPutTests : IDisposable
{
    private readonly StoreDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] Batch(int count, int bodySize = 100, string? ownProperties = null) => MessageBatch.Encode(
        Enumerable.Range(0, count).Select(i => (i, (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes($"b{i}-" + new string('z', bodySize)), Encoding.UTF8.GetBytes(ownProperties ?? $"KEYS\u0001k{i}"))));

    private static PutMessageBatchRequest Request(byte[] batch, string extra = "") =>
        new() { Topic = "Batch", QueueId = 1, Batch = batch, BatchProperties = Encoding.UTF8.GetBytes(extra), BornTimestamp = 1 };

    [Fact]
    public async Task A_batch_gets_consecutive_queue_offsets_and_the_batch_properties()
    {
        await using var node = await _dir.StartAsync();
        var store = node.Store!;
        await store.PutTextAsync("Batch", 1, "before");

        var result = await store.PutBatchAsync(Request(Batch(10), "WAIT\u0001true"));

        Assert.Equal(PutMessageStatus.PutOk, result.Status);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), result.Messages.Select(m => m.QueueOffset));
        await StoreTestExtensions.EventuallyAsync(() => store.GetMaxOffset("Batch", 1), n => n == 11);
        var buffer = new ArrayBufferWriter<byte>();
        store.GetMessages("Batch", 1, 3, 1, TagFilter.All, buffer);
        Assert.Equal(RecordReadStatus.Ok, MessageRecord.TryRead(buffer.WrittenSpan, true, out var view));
        Assert.Equal(2, view.Flag);
        var properties = MessageProperties.Parse(view.Properties);
        Assert.Equal("k2", properties["KEYS"]);
        Assert.Equal("true", properties["WAIT"]);
    }

    [Fact]
    public async Task A_batch_with_one_oversized_message_stores_nothing()
    {
        await using var node = await _dir.StartAsync();
        var store = node.Store!;
        var items = MessageBatch.Encode([(0, new byte[10], Array.Empty<byte>()), (0, new byte[40 * 1024], Array.Empty<byte>())]);

        var result = await store.PutBatchAsync(Request(items));

        Assert.Equal(PutMessageStatus.MessageIllegal, result.Status);
        Assert.Contains("message 1", result.Reason);
        Assert.Empty(result.Messages);
        Assert.Equal(0, store.MaxPhysicalOffset);
        Assert.Equal(0, (await store.PutTextAsync("Batch", 1, "next")).QueueOffset);
    }

    [Fact]
    public async Task A_malformed_batch_is_refused_with_the_reason()
    {
        await using var node = await _dir.StartAsync();
        var good = Batch(3);

        var result = await node.Store!.PutBatchAsync(Request(good[..^2]));

        Assert.Equal(PutMessageStatus.MessageIllegal, result.Status);
        Assert.Contains("malformed batch", result.Reason);
    }

    [Fact]
    public async Task Sync_flush_answers_a_batch_after_the_flush()
    {
        await using var node = await _dir.StartAsync("akkabroker.store.flush-disk-type = SYNC_FLUSH");

        var result = await node.Store!.PutBatchAsync(Request(Batch(20)));

        Assert.Equal(PutMessageStatus.PutOk, result.Status);
        Assert.All(result.Messages, m => Assert.Equal(PutMessageStatus.PutOk, m.Status));
        Assert.Equal(20, result.Messages.Count);
    }
}
