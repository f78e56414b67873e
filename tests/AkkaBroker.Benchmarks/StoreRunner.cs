using System.Buffers;
using System.Diagnostics;
using AkkaBroker.Actors;
using AkkaBroker.Broker.Storage;
using AkkaBroker.Protocol;
using AkkaBroker.Store;
using AkkaBroker.Store.Read;

namespace AkkaBroker.Benchmarks;

/// <summary>
/// Storage measurements that do not fit BenchmarkDotNet's iteration model: they run for a wall-clock time
/// (sync flush), need a large data set written once (read scan), or time a process start (recovery, one process
/// per measurement so the page cache can be dropped in between). Each prints its figures; run from Program.cs.
/// </summary>
internal static class StoreRunner
{
    public static readonly string[] Modes = ["sync-flush", "read-scan", "alloc-check", "recovery-build", "recovery-start"];

    public static async Task<int> RunAsync(string mode, string[] args)
    {
        switch (mode)
        {
            case "sync-flush":
                await SyncFlushAsync(Option(args, "--seconds", 10), Option(args, "--appenders", 64), Option(args, "--reuse", 0));
                return 0;
            case "read-scan":
                await ReadScanAsync(Option(args, "--messages", 1_000_000), Option(args, "--passes", 3));
                return 0;
            case "alloc-check":
                await AllocationCheck.RunAsync(Option(args, "--messages", 1_000_000), Option(args, "--body", 1024));
                return 0;
            case "recovery-build":
                await RecoveryBuildAsync(RecoveryRoot(args), Option(args, "--gib", 4));
                return 0;
            case "recovery-start":
                await RecoveryStartAsync(RecoveryRoot(args), args.Contains("--crash"), Sets(args));
                return 0;
            default:
                Console.Error.WriteLine($"unknown mode {mode}; modes: {string.Join(", ", Modes)}");
                return 2;
        }
    }

    /// <summary>
    /// 64 appenders putting 1 KiB bodies with SYNC_FLUSH. With <paramref name="reuse"/> &gt; 0 the store first writes that
    /// many segments and lets them expire into its reuse folder, so the measured appends run on reused segments: the
    /// steady state of a node whose old segments expire as fast as new ones fill.
    /// </summary>
    private static async Task SyncFlushAsync(int seconds, int appenders, int reuse)
    {
        var root = BenchNode.NewRoot("syncflush");
        var node = await BenchNode.StartAsync(root, "SYNC_FLUSH", $"akkabroker.store.commit-log-reuse-segments = {Math.Max(4, reuse)}");
        try
        {
            var store = node.Store!;
            var body = new byte[1024];
            Random.Shared.NextBytes(body);
            if (reuse > 0) await ExpireForReuseAsync(store, body, reuse);
            var stored = new long[appenders];
            var timeouts = new long[appenders];
            var stop = 0;
            var tasks = Enumerable.Range(0, appenders).Select(a => Task.Run(async () =>
            {
                while (Volatile.Read(ref stop) == 0)
                {
                    var result = await BenchNode.Put(store, a % 8, body);
                    if (result.Status == PutMessageStatus.PutOk) stored[a]++;
                    else timeouts[a]++;
                }
            })).ToArray();

            // One second of warm-up (JIT, first pages of the segment) before the counters are read.
            await Task.Delay(1000);
            var before = await store.Flusher.Ask<Flusher.Stats>(Flusher.GetStats.Instance, TimeSpan.FromSeconds(10));
            var storedBefore = stored.Sum();
            var offsetBefore = store.MaxPhysicalOffset;
            var clock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            var after = await store.Flusher.Ask<Flusher.Stats>(Flusher.GetStats.Instance, TimeSpan.FromSeconds(10));
            var messages = stored.Sum() - storedBefore;
            var bytes = store.MaxPhysicalOffset - offsetBefore;
            var elapsed = clock.Elapsed.TotalSeconds;
            Volatile.Write(ref stop, 1);
            await Task.WhenAll(tasks);

            var flushes = after.Flushes - before.Flushes;
            var syncRequests = after.SyncRequests - before.SyncRequests;
            Console.WriteLine($"sync-flush: {appenders} appenders x 1 KiB body, {elapsed:F1} s");
            Console.WriteLine($"  messages/s        {messages / elapsed:N0}");
            Console.WriteLine($"  MB/s (1 KiB body) {messages * 1024 / elapsed / 1e6:N1}");
            Console.WriteLine($"  MB/s (records)    {bytes / elapsed / 1e6:N1}");
            Console.WriteLine($"  flushes/s         {flushes / elapsed:N0}");
            Console.WriteLine($"  messages/flush    {(double)syncRequests / Math.Max(1, flushes):N1} (sync requests {syncRequests:N0}, flushes {flushes:N0})");
            Console.WriteLine($"  not PUT_OK        {timeouts.Sum():N0}");
            if (reuse > 0) Console.WriteLine($"  reuse folder      {ReuseFolderFiles(store).Length} segments left (a new segment was created only if this is 0)");
        }
        finally
        {
            await node.StopAsync(TimeSpan.FromSeconds(30));
            BenchNode.DeleteRoot(root);
        }
    }

    private static async Task ExpireForReuseAsync(MessageStore store, byte[] body, int segments)
    {
        var clock = Stopwatch.StartNew();
        var size = store.Settings.MappedFileSizeCommitLog;
        var ring = new ValueTask<PutMessageResult>[256];
        async Task FillToAsync(long offset)
        {
            while (store.MaxPhysicalOffset < offset)
            {
                if (await BenchNode.PutWindowedAsync(store, body, 10_000, 256, 8, ring) != 0) throw new InvalidOperationException("a fill put failed");
            }
        }

        await FillToAsync((segments + 1) * size);
        await BenchNode.WaitDispatchedAsync(store, TimeSpan.FromSeconds(60));
        var deleted = await store.Writer.Ask<CommitLogWriter.ExpiredDeleted>(
            new CommitLogWriter.DeleteExpired(TimeSpan.Zero, Force: false, segments), TimeSpan.FromSeconds(30));
        // The segment after the current one was pre-allocated new before the expiry: write past it, so that the
        // measured appends run on reused segments only.
        await FillToAsync((store.MaxPhysicalOffset / size + 2) * size);
        var written = store.MaxPhysicalOffset;

        // Segments that expire after days are long out of the page cache: drop theirs, so the measured writes meet
        // uncached pages as they would in production.
        var files = ReuseFolderFiles(store);
        foreach (var path in files)
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            _ = PosixFadvise(handle, 0, 0, PosixFadvDontNeed);
        }

        Console.WriteLine($"reuse: wrote {written / 1e6:N0} MB, expired {deleted.Deleted} segments and wrote into the first reused one; " +
                          $"{files.Length} more wait in the reuse folder (dropped from the page cache); {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static string[] ReuseFolderFiles(MessageStore store)
    {
        var folder = Path.Combine(store.Settings.CommitLogDir, "reuse");
        return Directory.Exists(folder) ? Directory.GetFiles(folder) : [];
    }

    private const int PosixFadvDontNeed = 4;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "posix_fadvise")]
    private static extern int PosixFadvise(Microsoft.Win32.SafeHandles.SafeFileHandle fd, long offset, long length, int advice);

    private static async Task ReadScanAsync(int messages, int passes)
    {
        var root = BenchNode.NewRoot("readscan");
        var node = await BenchNode.StartAsync(root, "ASYNC_FLUSH");
        try
        {
            var store = node.Store!;
            var body = new byte[1024];
            Random.Shared.NextBytes(body);
            var setup = Stopwatch.StartNew();
            var failed = await BenchNode.PutWindowedAsync(store, body, messages, 256, 1, new ValueTask<PutMessageResult>[256]);
            if (failed != 0) throw new InvalidOperationException($"{failed} puts were not stored");
            await BenchNode.WaitDispatchedAsync(store, TimeSpan.FromSeconds(60));
            Console.WriteLine($"read-scan: wrote {messages:N0} x 1 KiB to one queue in {setup.Elapsed.TotalSeconds:F1} s (setup)");

            var output = new ArrayBufferWriter<byte>(64 * 1024);
            for (var pass = 0; pass < passes; pass++)
            {
                var allocatedThread = GC.GetAllocatedBytesForCurrentThread();
                var allocatedTotal = GC.GetTotalAllocatedBytes(precise: true);
                var clock = Stopwatch.StartNew();
                var (read, calls) = Scan(store, output);
                var elapsed = clock.Elapsed.TotalSeconds;
                var thread = GC.GetAllocatedBytesForCurrentThread() - allocatedThread;
                var total = GC.GetTotalAllocatedBytes(precise: true) - allocatedTotal;
                if (read != messages) throw new InvalidOperationException($"scan read {read} of {messages}");
                Console.WriteLine($"  pass {pass + 1}: {read / elapsed:N0} msgs/s ({elapsed * 1000:F0} ms, {calls:N0} GetMessages calls, " +
                                  $"{read * 1024 / elapsed / 1e6:N0} MB/s of bodies), allocated {thread:N0} B on the reading thread " +
                                  $"({(double)thread / read:F3} B/msg), {total:N0} B in the process");
            }
        }
        finally
        {
            await node.StopAsync(TimeSpan.FromSeconds(30));
            BenchNode.DeleteRoot(root);
        }
    }

    private static (long Read, long Calls) Scan(MessageStore store, ArrayBufferWriter<byte> output)
    {
        long offset = 0, read = 0, calls = 0;
        while (true)
        {
            output.ResetWrittenCount();
            var result = store.GetMessages(BenchNode.Topic, 0, offset, 32, TagFilter.All, output);
            calls++;
            if (result.Status != GetMessageStatus.Found) return (read, calls);
            read += result.MessageCount;
            offset = result.NextBeginOffset;
        }
    }

    private static async Task RecoveryBuildAsync(string root, int gib)
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        Directory.CreateDirectory(root);
        var node = await BenchNode.StartAsync(root, "ASYNC_FLUSH");
        var store = node.Store!;
        var body = new byte[1024];
        Random.Shared.NextBytes(body);
        var ring = new ValueTask<PutMessageResult>[256];
        var target = (long)gib << 30;
        var clock = Stopwatch.StartNew();
        long messages = 0;
        while (store.MaxPhysicalOffset < target)
        {
            await BenchNode.PutWindowedAsync(store, body, 100_000, 256, 16, ring);
            messages += 100_000;
        }

        await BenchNode.WaitDispatchedAsync(store, TimeSpan.FromSeconds(120));
        var written = clock.Elapsed.TotalSeconds;
        var end = store.MaxPhysicalOffset;
        await node.StopAsync(TimeSpan.FromSeconds(60));
        Console.WriteLine($"recovery-build: {messages:N0} messages, CommitLog end {end:N0} B, written in {written:F1} s, " +
                          $"stopped (flushed) after {clock.Elapsed.TotalSeconds:F1} s; store at {root}");
    }

    private static async Task RecoveryStartAsync(string root, bool crash, string[] overrides)
    {
        // The abort file is what a killed process leaves behind: its presence is how the store knows it crashed.
        if (crash) await File.WriteAllBytesAsync(Path.Combine(root, "abort"), []);
        var clock = Stopwatch.StartNew();
        var node = await BenchNode.StartAsync(root, "ASYNC_FLUSH", overrides);
        var elapsed = clock.Elapsed;
        var r = node.Store!.Recovery;
        Console.WriteLine($"recovery-start ({(crash ? "crash: abort file present" : "clean")}): StartAsync until ready {elapsed.TotalMilliseconds:N0} ms; " +
                          $"abnormal={r.Abnormal}, CommitLog end {r.MaxOffset:N0}, records scanned {r.RecordsScanned:N0}, " +
                          $"re-dispatched {r.Redispatched:N0}, discarded {r.DiscardedBytes:N0} B, problem: {r.Problem ?? "none"}");
        await node.StopAsync(TimeSpan.FromSeconds(60));
    }

    private static string RecoveryRoot(string[] args)
    {
        var i = Array.IndexOf(args, "--root");
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : "/tmp/akkabroker-bench-recovery";
    }

    /// <summary>Store settings to try, e.g. <c>--set akkabroker.store.check-crc-on-recover=false</c>.</summary>
    private static string[] Sets(string[] args) =>
        args.Select((a, i) => (a, i)).Where(x => x.a == "--set" && x.i + 1 < args.Length).Select(x => args[x.i + 1]).ToArray();

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var value) ? value : fallback;
    }
}
