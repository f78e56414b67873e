using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace AkkaBroker.Benchmarks;

/// <summary>
/// Says where the put path allocates: counts bytes across a steady-state run of windowed ASYNC_FLUSH puts, then
/// repeats the run with the runtime's GC AllocationTick events on (one sample per ~100 KB allocated, naming the
/// type and the allocating thread), so a non-zero figure comes with the objects behind it.
/// </summary>
internal static class AllocationCheck
{
    public static async Task RunAsync(int messages, int bodySize)
    {
        var root = BenchNode.NewRoot("alloc");
        var node = await BenchNode.StartAsync(root, "ASYNC_FLUSH");
        try
        {
            var store = node.Store!;
            var body = new byte[bodySize];
            var ring = new ValueTask<Broker.Storage.PutMessageResult>[256];
            // Warm-up fills the request pool, JITs the path and grows the actors' batch lists to their working size.
            await BenchNode.PutWindowedAsync(store, body, 200_000, 256, 8, ring);

            var gcBefore = GC.CollectionCount(0);
            var before = GC.GetTotalAllocatedBytes(precise: true);
            await BenchNode.PutWindowedAsync(store, body, messages, 256, 8, ring);
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            Console.WriteLine($"alloc-check: {messages:N0} puts of {bodySize} B: {allocated:N0} B allocated in the process, " +
                              $"{(double)allocated / messages:F2} B/put, gen0 GCs {GC.CollectionCount(0) - gcBefore}");

            using var listener = new AllocationTickListener();
            await BenchNode.PutWindowedAsync(store, body, messages, 256, 8, ring);
            listener.Stop();
            Console.WriteLine($"  AllocationTick samples over a second run of {messages:N0} puts (type: sampled bytes, samples, threads):");
            foreach (var (type, sample) in listener.Samples.OrderByDescending(s => s.Value.Bytes).Take(15))
                Console.WriteLine($"    {type}: {sample.Bytes:N0} B, {sample.Count} samples, threads {string.Join(",", sample.Threads.Keys.Order())}");
        }
        finally
        {
            await node.StopAsync(TimeSpan.FromSeconds(30));
            BenchNode.DeleteRoot(root);
        }
    }

    private sealed class Sample
    {
        public long Bytes;
        public int Count;
        public readonly ConcurrentDictionary<long, byte> Threads = new();
    }

    private sealed class AllocationTickListener : EventListener
    {
        private const EventKeywords GcKeyword = (EventKeywords)0x1;
        private volatile bool _stopped;

        public ConcurrentDictionary<string, Sample> Samples { get; } = new();

        public void Stop() => _stopped = true;

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, GcKeyword);
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (_stopped || e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null) return;
            var type = e.PayloadNames.IndexOf("TypeName") is var t and >= 0 ? e.Payload![t] as string ?? "?" : "?";
            var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload![a]) : 0;
            var sample = Samples.GetOrAdd(type, _ => new Sample());
            Interlocked.Add(ref sample.Bytes, amount);
            Interlocked.Increment(ref sample.Count);
            sample.Threads.TryAdd(e.OSThreadId, 0);
        }
    }
}
