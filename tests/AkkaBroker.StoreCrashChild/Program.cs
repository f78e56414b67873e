using System.Buffers.Binary;
using System.Security.Cryptography;
using AkkaBroker.Broker.Storage;
using AkkaBroker.Hosting;
using AkkaBroker.Store;
using Microsoft.Extensions.Logging.Abstractions;

// The victim of CrashRecoveryTests: appends with SYNC_FLUSH until it is killed, printing one ACK line per PUT_OK so
// the test knows exactly which messages the store promised to keep. Usage: <store folder> <seed> <cycle>.
if (args.Length != 3 || !int.TryParse(args[1], out var seed) || !int.TryParse(args[2], out var cycle))
{
    Console.Error.WriteLine("usage: AkkaBroker.StoreCrashChild <store folder> <seed> <cycle>");
    return 2;
}

// An ack still in a buffer dies with the process and its message would go unchecked: every line goes to the pipe at once.
var output = TextWriter.Synchronized(new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true });

// Never outlive a test that died without killing us.
_ = Task.Delay(CrashBody.SafetyNet).ContinueWith(_ => Environment.Exit(3), TaskScheduler.Default);

var node = await AkkaBrokerNode.StartAsync(NodeConfig.Load(null, CrashBody.Overrides(args[0])), NullLoggerFactory.Instance);
var store = node.Store!;
var r = store.Recovery;
output.WriteLine($"READY abnormal={r.Abnormal} maxOffset={r.MaxOffset} scanned={r.RecordsScanned} discarded={r.DiscardedBytes} " +
                 $"redispatched={r.Redispatched} problem={r.Problem ?? "none"}");

var loops = Enumerable.Range(0, CrashBody.Loops).Select(loop => Task.Run(async () =>
{
    // HashCode.Combine is salted per process: mix by hand so a seed replays the same bodies.
    var random = new Random(unchecked(seed * 1_000_003 + cycle * 1_009 + loop));
    for (long sequence = 0; ; sequence++)
    {
        var topic = random.Next(CrashBody.Topics.Length);
        var queueId = random.Next(CrashBody.QueuesPerTopic);
        var body = CrashBody.Create(random, cycle, loop, sequence, topic, queueId);
        var result = await store.PutAsync(CrashBody.Topics[topic], queueId, body);
        if (result.Status == PutMessageStatus.PutOk)
        {
            output.WriteLine($"ACK {CrashBody.Topics[topic]} {queueId} {result.QueueOffset} {result.PhysicalOffset} {Convert.ToHexString(SHA256.HashData(body))}");
        }
        else
        {
            output.WriteLine($"NACK {CrashBody.Topics[topic]} {queueId} {result.Status} {result.Reason}");
        }

        // Unpaced, 16 loops write ~20 MB/s and the test's re-reading of everything after each kill outgrows its time
        // budget; jittered pauses keep a few puts in flight (group commits still form) at about a quarter of the volume.
        await Task.Delay(random.Next(CrashBody.MaxPauseMs + 1));
    }
})).ToArray();

await Task.WhenAny(loops);
// A loop only ends by throwing: report it so the test fails with the reason rather than a missing ack.
foreach (var loop in loops.Where(l => l.IsFaulted)) Console.Error.WriteLine(loop.Exception);
return 1;

/// <summary>The store settings and the self-checking message bodies; CrashRecoveryTests mirrors them.</summary>
public static class CrashBody
{
    public const int Loops = 16;
    public const int QueuesPerTopic = 4;
    public const int MaxPauseMs = 20;
    public static readonly string[] Topics = ["CrashA", "CrashB", "CrashC"];
    public static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(60);

    /// <summary>Header: cycle, loop, sequence (long), topic index, queue id; then random filler; then SHA-256 of everything before it.</summary>
    public const int HeaderSize = 4 + 4 + 8 + 4 + 4;

    public const int HashSize = 32;

    // Same as StoreDir.Overrides in Broker.Tests: tiny files so a few seconds of appends roll CommitLog segments,
    // ConsumeQueue files and index files, and kills land near every kind of boundary.
    public static string[] Overrides(string storeFolder) =>
    [
        "akkabroker.roles = [broker]",
        $"akkabroker.store.store-path-root-dir = \"{storeFolder}\"",
        "akkabroker.store.mapped-file-size-commit-log = 64k",
        "akkabroker.store.mapped-file-size-consume-queue = 1200",
        "akkabroker.store.max-message-size = 32k",
        "akkabroker.store.max-hash-slot-num = 64",
        "akkabroker.store.max-index-num = 256",
        "akkabroker.store.flush-disk-type = SYNC_FLUSH",
    ];

    public static byte[] Create(Random random, int cycle, int loop, long sequence, int topic, int queueId)
    {
        var body = new byte[random.Next(100, 8 * 1024 + 1)];
        var span = body.AsSpan();
        BinaryPrimitives.WriteInt32BigEndian(span, cycle);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], loop);
        BinaryPrimitives.WriteInt64BigEndian(span[8..], sequence);
        BinaryPrimitives.WriteInt32BigEndian(span[16..], topic);
        BinaryPrimitives.WriteInt32BigEndian(span[20..], queueId);
        random.NextBytes(span[HeaderSize..^HashSize]);
        SHA256.HashData(span[..^HashSize], span[^HashSize..]);
        return body;
    }
}
