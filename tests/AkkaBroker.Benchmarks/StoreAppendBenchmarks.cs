using AkkaBroker.Broker.Storage;
using AkkaBroker.Hosting;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace AkkaBroker.Benchmarks;

/// <summary>
/// Puts through the whole store (MessageStore.PutAsync -> CommitLogWriter -> mapped 1 GiB segment, Dispatcher
/// writing ConsumeQueue units, Flusher on ASYNC_FLUSH) with rented requests and a window of in-flight puts.
/// One invocation is one window-driven run of <see cref="Count"/> puts, so the result is per message; the
/// memory diagnoser counts every thread's allocations (.NET's GC.GetTotalAllocatedBytes), the actors' included.
/// Monitoring strategy: each iteration writes ~200 MB to disk, so no pilot stage multiplies it.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class StoreAppendBenchmarks
{
    private const int Count = 200_000;
    private const int Window = 256;
    private const int Queues = 8;

    private readonly ValueTask<PutMessageResult>[] _ring = new ValueTask<PutMessageResult>[Window];
    private string _root = "";
    private AkkaBrokerNode _node = null!;
    private MessageStore _store = null!;
    private byte[] _body = [];

    [Params(1024, 128)]
    public int BodySize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _root = BenchNode.NewRoot("append");
        _node = BenchNode.StartAsync(_root, "ASYNC_FLUSH").GetAwaiter().GetResult();
        _store = _node.Store!;
        _body = new byte[BodySize];
        Random.Shared.NextBytes(_body);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _node.StopAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        BenchNode.DeleteRoot(_root);
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public long Put()
    {
        var failed = BenchNode.PutWindowedAsync(_store, _body, Count, Window, Queues, _ring).GetAwaiter().GetResult();
        if (failed != 0) throw new InvalidOperationException($"{failed} puts were not stored");
        return _store.MaxPhysicalOffset;
    }
}
