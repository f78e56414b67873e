using System.Buffers;
using AkkaBroker.Broker.Storage;
using AkkaBroker.Hosting;
using AkkaBroker.TestKit;
using Microsoft.Extensions.Logging.Abstractions;

namespace AkkaBroker.Broker.Tests;

/// <summary>
/// A real broker node on a temp store with tiny files (64 KiB CommitLog segments, 60-unit ConsumeQueue files, small
/// index files) so rollover, blank tails and index rolls happen within a test.
/// </summary>
public sealed class StoreDir : IDisposable
{
    public StoreDir() => Path = Directory.CreateTempSubdirectory("akkabroker-broker-").FullName;

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Tiny files, so rollover, blank tails and index rolls happen within a test.</summary>
    public static readonly string[] TinyFiles =
    [
        "akkabroker.store.mapped-file-size-commit-log = 64k",
        "akkabroker.store.mapped-file-size-consume-queue = 1200",
        "akkabroker.store.max-message-size = 32k",
        "akkabroker.store.max-hash-slot-num = 64",
        "akkabroker.store.max-index-num = 256",
    ];

    public string[] Overrides(params string[] more) =>
    [
        "akkabroker.roles = [broker]",
        $"akkabroker.store.store-path-root-dir = \"{Path}\"",
        .. TinyFiles,
        .. FreePorts.NodeOverrides(out _, out _),
        .. more,
    ];

    public Task<AkkaBrokerNode> StartAsync(params string[] more) =>
        AkkaBrokerNode.StartAsync(NodeConfig.Load(null, Overrides(more)), NullLoggerFactory.Instance);
}

internal static class StoreTestExtensions
{
    public static async Task<PutMessageResult> PutTextAsync(this MessageStore store, string topic, int queueId, string body, params (string Key, string Value)[] properties)
    {
        var props = properties.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)).ToArray();
        return await store.PutAsync(topic, queueId, System.Text.Encoding.UTF8.GetBytes(body), props);
    }

    public static (Store.Read.GetMessageResult Result, List<string> Bodies) Get(this MessageStore store, string topic, int queueId, long offset,
        int max = 32, string? tags = null)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var result = store.GetMessages(topic, queueId, offset, max, Protocol.TagFilter.Parse(tags), buffer);
        return (result, Bodies(buffer.WrittenSpan));
    }

    /// <summary>The bodies of a queue's first <paramref name="count"/> messages, pulled batch by batch; every pull must find some.</summary>
    public static List<string> ReadQueue(this MessageStore store, string topic, int queueId, long count)
    {
        var read = new List<string>();
        for (long offset = 0; offset < count;)
        {
            var (result, bodies) = store.Get(topic, queueId, offset);
            Assert.Equal(Store.GetMessageStatus.Found, result.Status);
            read.AddRange(bodies);
            offset = result.NextBeginOffset;
        }

        return read;
    }

    /// <summary>The bodies of concatenated stored records (a pull or query body), each CRC-checked.</summary>
    public static List<string> Bodies(ReadOnlySpan<byte> records)
    {
        var bodies = new List<string>();
        while (!records.IsEmpty)
        {
            Assert.Equal(Protocol.RecordReadStatus.Ok, Protocol.MessageRecord.TryRead(records, checkCrc: true, out var view));
            bodies.Add(System.Text.Encoding.UTF8.GetString(view.Body));
            records = records[view.TotalSize..];
        }

        return bodies;
    }

    public static async Task<T> EventuallyAsync<T>(Func<T> probe, Func<T, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var value = probe();
            if (done(value) || DateTime.UtcNow > deadline) return value;
            await Task.Delay(5);
        }
    }
}
