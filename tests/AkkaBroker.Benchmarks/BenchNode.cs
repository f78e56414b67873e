using AkkaBroker.Broker.Storage;
using AkkaBroker.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace AkkaBroker.Benchmarks;

/// <summary>
/// A real broker node (store only; no name server) on a folder under /tmp with production-sized files, so the
/// storage benchmarks measure the path a SendMessageProcessor takes: rented request, writer actor, flusher, dispatcher.
/// </summary>
internal static class BenchNode
{
    public const string Topic = "BenchTopic";

    /// <summary>A TAGS property, as most producers send, so the Dispatcher computes a tag code per message.</summary>
    public static readonly byte[] Properties = "TAGS\u0001TagA\u0002"u8.ToArray();

    public static string NewRoot(string name)
    {
        var root = Path.Combine("/tmp", $"akkabroker-bench-{name}-{Environment.ProcessId}");
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        Directory.CreateDirectory(root);
        return root;
    }

    public static Task<AkkaBrokerNode> StartAsync(string root, string flushDiskType, params string[] more) =>
        AkkaBrokerNode.StartAsync(NodeConfig.Load(null,
        [
            "akkabroker.roles = [broker]",
            $"akkabroker.store.store-path-root-dir = \"{root}\"",
            $"akkabroker.store.flush-disk-type = {flushDiskType}",
            .. more,
            .. ExtraSettings(),
        ]), NullLoggerFactory.Instance);

    /// <summary>
    /// Settings to try without editing code, ';'-separated in AKKABROKER_BENCH_SET (an environment variable, so
    /// BenchmarkDotNet's child process sees it too), e.g. <c>akkabroker.store.warm-mapped-file-enable=true</c>.
    /// </summary>
    private static string[] ExtraSettings() =>
        Environment.GetEnvironmentVariable("AKKABROKER_BENCH_SET")?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    public static ValueTask<PutMessageResult> Put(MessageStore store, int queueId, byte[] body)
    {
        var request = PutMessageRequest.Rent();
        request.Topic = Topic;
        request.QueueId = queueId;
        request.Body = body;
        request.Properties = Properties;
        request.BornTimestamp = 1_700_000_000_000;
        return store.PutAsync(request);
    }

    /// <summary>
    /// Puts <paramref name="count"/> messages keeping <paramref name="window"/> in flight: like many producers, and
    /// enough for the writer to drain whole batches per mailbox run.
    /// </summary>
    public static async Task<long> PutWindowedAsync(MessageStore store, byte[] body, long count, int window, int queues,
        ValueTask<PutMessageResult>[] ring)
    {
        long failed = 0;
        for (long i = 0; i < count; i++)
        {
            var slot = (int)(i % window);
            if (i >= window && !(await ring[slot]).IsStored) failed++;
            ring[slot] = Put(store, (int)(i % queues), body);
        }

        for (long i = Math.Max(0, count - window); i < count; i++)
        {
            if (!(await ring[(int)(i % window)]).IsStored) failed++;
        }

        return failed;
    }

    /// <summary>Waits (deadline loop) until the Dispatcher has published everything appended.</summary>
    public static async Task WaitDispatchedAsync(MessageStore store, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (store.DispatchedOffset < store.MaxPhysicalOffset)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"dispatched {store.DispatchedOffset} of {store.MaxPhysicalOffset} within {timeout}");
            await Task.Delay(5);
        }
    }

    public static void DeleteRoot(string root)
    {
        try
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"could not delete {root}: {e.Message}");
        }
    }
}
