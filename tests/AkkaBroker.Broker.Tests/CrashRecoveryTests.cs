using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AkkaBroker.Broker.Storage;
using AkkaBroker.Protocol;
using AkkaBroker.Store;
using Xunit.Abstractions;

namespace AkkaBroker.Broker.Tests;

/// <summary>
/// SIGKILL a real process that appends with SYNC_FLUSH, many times over one store, and check after each kill that
/// recovery kept every acknowledged message where the ack said it was and left nothing after the recovered tail.
/// The child is tests/AkkaBroker.StoreCrashChild; its body layout and settings are mirrored here.
/// Replay a failure with AKKABROKER_CRASH_SEED=&lt;seed from the message&gt; (thread timing still varies).
/// </summary>
[Trait("Category", "Crash")]
public sealed class CrashRecoveryTests(ITestOutputHelper output) : IDisposable
{
    private const int Cycles = 20;
    private const int ReusedSegments = 160;
    private const int SegmentSize = 64 * 1024;
    private const int QueuesPerTopic = 4;
    private const int HeaderSize = 24;
    private const int HashSize = 32;
    private const string SyncFlush = "akkabroker.store.flush-disk-type = SYNC_FLUSH";
    private static readonly string[] Topics = ["CrashA", "CrashB", "CrashC"];
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly StoreDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Every_acknowledged_message_survives_SIGKILL_and_nothing_follows_the_recovered_tail()
    {
        var seed = Environment.GetEnvironmentVariable("AKKABROKER_CRASH_SEED") is { } fixedSeed
            ? int.Parse(fixedSeed, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        var random = new Random(seed);
        // Everything the store has promised so far, acked or found by an earlier recovery (which a clean stop then made
        // durable): each later recovery must still return exactly these bytes at exactly these offsets.
        var known = new Dictionary<(string Topic, int QueueId, long Offset), Known>();
        var stopwatch = Stopwatch.StartNew();
        long totalAcks = 0;

        var childRuns = 0;
        for (var cycle = 0; cycle < Cycles; cycle++)
        {
            var cycleStart = stopwatch.Elapsed;
            SeedReuseFolder(random, cycle);
            // One cycle in four crashes twice before the check: the second child starts on a crashed store and is killed
            // at any moment from its start, so also while recovering or before anything it writes is acked.
            var runs = new List<ChildRun> { await RunChildUntilKilledAsync(seed, cycle, childRuns++, random.Next(100, 1501), afterReady: true) };
            if (random.Next(4) == 0) runs.Add(await RunChildUntilKilledAsync(seed, cycle, childRuns++, random.Next(0, 1501), afterReady: false));
            var killed = stopwatch.Elapsed;
            var acks = runs.Sum(r => r.Acks.Count);
            var context = $"cycle {cycle} of {Cycles}, seed {seed} (AKKABROKER_CRASH_SEED), {acks} acks this cycle; " +
                          string.Join("; ", runs.Select(r => r.Describe()));
            if (runs.Count == 2 && runs[1].Ready is { } ready && !ready.Contains("abnormal=True", StringComparison.Ordinal))
                Assert.Fail($"{context}: the child restarted after a kill did not recover abnormally");
            // The first child starts after the check's clean stop, which sealed the tail: even in a reused segment full
            // of old records, a normal start must find the end without cutting anything.
            if (runs[0].Ready is { } first && !(first.Contains("abnormal=False", StringComparison.Ordinal) && first.Contains("problem=none", StringComparison.Ordinal)))
                Assert.Fail($"{context}: the child started after a clean stop reported {first}");

            foreach (var ack in runs.SelectMany(r => r.Acks))
            {
                if (known.TryGetValue(ack.Key, out var earlier) && earlier.Hash != ack.Hash)
                    Assert.Fail($"{context}: {Describe(ack.Key)} was acked again with other content (first in cycle {earlier.Cycle})");
                known[ack.Key] = new Known(ack.Hash, ack.PhysicalOffset, Acked: true, cycle);
            }

            totalAcks += acks;
            Assert.True(File.Exists(Path.Combine(_dir.Path, "abort")), $"{context}: the killed child left no abort file");

            AkkaBroker.Hosting.AkkaBrokerNode node;
            try
            {
                node = await _dir.StartAsync(SyncFlush);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"{context}: the store did not open after the kill: {e}");
            }

            try
            {
                var problems = Verify(node.Store!, known, cycle);
                if (problems.Count > 0)
                {
                    Assert.Fail($"{context}; recovery: {Report(node.Store!.Recovery)}\n{problems.Count} problems:\n  " +
                                string.Join("\n  ", problems.Take(20)));
                }

                output.WriteLine($"cycle {cycle}: {runs.Count} kills, {acks} acks, {known.Count} messages held, tail {node.Store!.MaxPhysicalOffset}, " +
                                 $"child {(killed - cycleStart).TotalMilliseconds:F0} ms, check {(stopwatch.Elapsed - killed).TotalMilliseconds:F0} ms, " +
                                 $"recovery {Report(node.Store!.Recovery)}");
            }
            finally
            {
                await node.StopAsync(TimeSpan.FromSeconds(30));
            }
        }

        output.WriteLine($"seed {seed}: {Cycles} cycles, {childRuns} kills, {totalAcks} acks, {stopwatch.Elapsed.TotalSeconds:F1} s");
        Assert.True(totalAcks > 0, $"seed {seed}: no child acked anything in {Cycles} cycles, so nothing was tested");
    }

    /// <summary>
    /// Puts copies of earlier segments (whole records with valid CRCs and end markers, all naming other offsets) and a
    /// file of random bytes where the store keeps expired segments for reuse, so the child's next segments start out
    /// full of them: recovery must never take an old record for one at the crash point, nor start from one. The folder
    /// is topped up to more segments than a child fills, so kills land in reused segments.
    /// </summary>
    private void SeedReuseFolder(Random random, int cycle)
    {
        var commitLog = Path.Combine(_dir.Path, "commitlog");
        var reuse = Path.Combine(commitLog, "reuse");
        Directory.CreateDirectory(reuse);
        var segments = Directory.Exists(commitLog)
            ? Directory.GetFiles(commitLog).Where(f => Path.GetFileName(f).Length == 20).Order(StringComparer.Ordinal).SkipLast(1).ToList()
            : [];
        for (var i = Directory.GetFiles(reuse).Length; i < ReusedSegments && segments.Count > 0; i++)
            File.Copy(segments[random.Next(segments.Count)], Path.Combine(reuse, $"stale-{cycle:D3}-{i:D3}"));
        var noise = new byte[SegmentSize];
        random.NextBytes(noise);
        File.WriteAllBytes(Path.Combine(reuse, $"stale-{cycle:D3}-noise"), noise);
    }

    private List<string> Verify(MessageStore store, Dictionary<(string, int, long), Known> known, int cycle)
    {
        var problems = new List<string>();
        if (!store.Recovery.Abnormal) problems.Add("recovery ran normal although the abort file was there");

        // (b) and (c): every queue read through its ConsumeQueue from 0 to its end. Each offset must hold a whole record
        // that names that offset; an acked (or earlier recovered) offset must hold exactly the acked bytes at the acked
        // physical offset; any other record must be one the child sent to this queue (its body checks itself).
        var ends = new Dictionary<(string, int), long>();
        var ackedSeen = 0;
        foreach (var topic in Topics)
        {
            for (var queueId = 0; queueId < QueuesPerTopic; queueId++)
                ends[(topic, queueId)] = VerifyQueue(store, topic, queueId, known, cycle, problems, ref ackedSeen);
        }

        foreach (var ((topic, queueId, offset), entry) in known)
        {
            if (offset >= ends[(topic, queueId)])
                problems.Add($"{(entry.Acked ? "acked" : "recovered")} {Describe((topic, queueId, offset))} (cycle {entry.Cycle}, physical " +
                             $"{entry.PhysicalOffset}) is missing: the queue ends at {ends[(topic, queueId)]}");
        }

        var acked = known.Values.Count(k => k.Acked);
        if (ackedSeen != acked) problems.Add($"{acked - ackedSeen} of {acked} acked messages were not read back intact");

        // (d) The recovered tail is the end of the last valid record, and nothing follows it.
        VerifyTail(store.MaxPhysicalOffset, problems);
        return problems;
    }

    // Returns where the queue ends; reads stop at the first unreadable offset (reported).
    private static long VerifyQueue(MessageStore store, string topic, int queueId, Dictionary<(string, int, long), Known> known, int cycle,
        List<string> problems, ref int ackedSeen)
    {
        var max = store.GetMaxOffset(topic, queueId);
        var min = store.GetMinOffset(topic, queueId);
        if (min != 0) problems.Add($"{topic}/{queueId} starts at {min}, not 0 (nothing is ever deleted here)");

        var offset = 0L;
        while (offset < max)
        {
            var buffer = new ArrayBufferWriter<byte>();
            var result = store.GetMessages(topic, queueId, offset, 32, TagFilter.Parse(null), buffer);
            if (result.Status != GetMessageStatus.Found)
            {
                problems.Add($"{topic}/{queueId} offset {offset} below the queue's end {max} does not read: {result.Status}");
                return max;
            }

            var span = buffer.WrittenSpan;
            while (!span.IsEmpty)
            {
                var key = (topic, queueId, offset);
                if (MessageRecord.TryRead(span, checkCrc: true, out var view) != RecordReadStatus.Ok)
                {
                    problems.Add($"{Describe(key)}: damaged record");
                    return max;
                }

                if (view.QueueOffset != offset) problems.Add($"{Describe(key)}: the record says queue offset {view.QueueOffset} (a gap or a repeat)");
                if (Encoding.UTF8.GetString(view.Topic) != topic || view.QueueId != queueId)
                    problems.Add($"{Describe(key)}: the record belongs to {Encoding.UTF8.GetString(view.Topic)}/{view.QueueId}");

                var hash = Hash(view.Body);
                if (known.TryGetValue(key, out var entry))
                {
                    if (entry.Hash != hash || entry.PhysicalOffset != view.PhysicalOffset)
                        problems.Add($"{(entry.Acked ? "acked" : "recovered")} {Describe(key)} (cycle {entry.Cycle}) reads back other content: " +
                                     $"physical {view.PhysicalOffset} (expected {entry.PhysicalOffset}), body {(entry.Hash == hash ? "same" : "different")}");
                    else if (entry.Acked) ackedSeen++;
                }
                else
                {
                    // Stored but never acked (the kill came first): it must still be a whole message of this queue.
                    if (BodyProblem(view.Body, topic, queueId) is { } bodyProblem) problems.Add($"{Describe(key)}: {bodyProblem}");
                    known[key] = new Known(hash, view.PhysicalOffset, Acked: false, cycle);
                }

                span = span[view.TotalSize..];
                offset++;
            }

            if (result.NextBeginOffset != offset) problems.Add($"{topic}/{queueId}: next begin offset {result.NextBeginOffset}, expected {offset}");
            offset = result.NextBeginOffset;
        }

        return max;
    }

    private void VerifyTail(long tail, List<string> problems)
    {
        // A segment whose creation the kill interrupted stays behind as <name>.tmp: never loaded, replaced when created again.
        var files = Directory.GetFiles(Path.Combine(_dir.Path, "commitlog")).Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal)).ToList();
        problems.AddRange(files.Where(f => Path.GetFileName(f).Length != 20).Select(f => $"{f} is not a segment"));
        var segments = files.Where(f => Path.GetFileName(f).Length == 20)
            .Select(f => (Start: long.Parse(Path.GetFileName(f), CultureInfo.InvariantCulture), Path: f))
            .OrderBy(s => s.Start)
            .ToList();
        if (segments.Count == 0)
        {
            if (tail != 0) problems.Add($"no CommitLog segment, but the tail is {tail}");
            return;
        }

        for (var i = 0; i < segments.Count; i++)
        {
            var length = new FileInfo(segments[i].Path).Length;
            if (length != SegmentSize) problems.Add($"segment {segments[i].Start} is {length} bytes, not {SegmentSize}");
            if (i > 0 && segments[i].Start != segments[i - 1].Start + SegmentSize) problems.Add($"segment {segments[i].Start} does not follow {segments[i - 1].Start}");
        }

        var last = segments[^1];
        if (tail < last.Start)
        {
            problems.Add($"segment {last.Start} exists after the recovered tail {tail}");
            return;
        }

        if (tail > last.Start + SegmentSize)
        {
            problems.Add($"the recovered tail {tail} lies past the last segment {last.Start}");
            return;
        }

        var bytes = File.ReadAllBytes(last.Path);
        var position = 0;
        while (true)
        {
            var status = MessageRecord.TryRead(bytes.AsSpan(position), checkCrc: true, out var view);
            if (status == RecordReadStatus.Ok && view.PhysicalOffset == last.Start + position)
            {
                position += view.TotalSize;
                continue;
            }

            if (status == RecordReadStatus.EndOfFile && position + view.TotalSize == SegmentSize)
            {
                if (tail != last.Start + SegmentSize)
                    problems.Add($"segment {last.Start} is closed by its end marker, but the recovered tail is {tail}");
                return;
            }

            var end = last.Start + position;
            if (end != tail)
                problems.Add($"the last valid record of segment {last.Start} ends at {end} ({status} there), but the recovered tail is {tail}");
            var nonZero = bytes.AsSpan(position).IndexOfAnyExcept((byte)0);
            if (nonZero >= 0) problems.Add($"non-zero bytes at {end + nonZero}, after the last valid record ending at {end} (tail {tail})");
            return;
        }
    }

    [Fact]
    public async Task A_process_killed_while_creating_a_segment_leaves_a_store_that_opens()
    {
        // A file size limit below the CommitLog segment size makes the kernel kill the child (SIGXFSZ) inside the
        // first segment's creation: deterministically the moment a SIGKILL hits at some segment roll by chance.
        using (var process = Process.Start(ChildStartInfo(seed: 1, childRun: 0, fileSizeLimitKiB: 40))!)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill();
                Assert.Fail("the child neither created a segment nor died within 30 s");
            }

            const int killedBySigXfsz = 128 + 25;
            Assert.True(process.ExitCode == killedBySigXfsz, $"exit {process.ExitCode}, expected death by SIGXFSZ\n{await stdout}\n{await stderr}");
        }

        var segments = Directory.GetFiles(Path.Combine(_dir.Path, "commitlog")).Where(f => Path.GetFileName(f).Length == 20).ToList();
        Assert.All(segments, f => Assert.Equal(SegmentSize, new FileInfo(f).Length));

        await using var node = await _dir.StartAsync(SyncFlush);
        var store = node.Store!;
        Assert.True(store.Recovery.Abnormal);
        var put = await store.PutTextAsync("AfterCrash", 0, "the store still takes messages");
        Assert.Equal((PutMessageStatus.PutOk, 0L, 0L), (put.Status, put.QueueOffset, put.PhysicalOffset));
        var read = await StoreTestExtensions.EventuallyAsync(() => store.Get("AfterCrash", 0, 0), g => g.Bodies.Count == 1); // after dispatch
        Assert.Equal(["the store still takes messages"], read.Bodies);
    }

    private ProcessStartInfo ChildStartInfo(int seed, int childRun, int? fileSizeLimitKiB = null)
    {
        var info = new ProcessStartInfo(fileSizeLimitKiB is null ? "dotnet" : "sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (fileSizeLimitKiB is { } limit)
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add($"ulimit -f {limit} && exec dotnet \"$@\"");
            info.ArgumentList.Add("sh");
            // W^X makes the runtime double-map its code through a file far larger than the limit.
            info.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        }

        info.ArgumentList.Add(ChildDll);
        info.ArgumentList.Add(_dir.Path);
        info.ArgumentList.Add(seed.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(childRun.ToString(CultureInfo.InvariantCulture));
        return info;
    }

    private async Task<ChildRun> RunChildUntilKilledAsync(int seed, int cycle, int childRun, int killDelayMs, bool afterReady)
    {
        var info = ChildStartInfo(seed, childRun);
        var lines = new List<string>();
        var stderr = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var which = $"cycle {cycle} of {Cycles}, child run {childRun}, seed {seed} (AKKABROKER_CRASH_SEED)";
        try
        {
            string Stderr() { lock (stderr) return stderr.ToString(); }
            string? ReadyLine() { lock (lines) return lines.FirstOrDefault(l => l.StartsWith("READY", StringComparison.Ordinal)); }

            var deadline = DateTime.UtcNow + ReadyTimeout;
            while (afterReady && ReadyLine() is null)
            {
                if (process.HasExited) Assert.Fail($"{which}: the child exited ({process.ExitCode}) before READY\n{Stderr()}");
                if (DateTime.UtcNow > deadline) Assert.Fail($"{which}: no READY within {ReadyTimeout}\n{Stderr()}");
                await Task.Delay(10);
            }

            await Task.Delay(killDelayMs);
            if (process.HasExited) Assert.Fail($"{which}: the child stopped on its own ({process.ExitCode}) before the kill\n{Stderr()}");
            process.Kill(); // SIGKILL on Linux: no handler, no flush, no clean shutdown
            if (!process.WaitForExit(TimeSpan.FromSeconds(10))) Assert.Fail($"{which}: the child survived SIGKILL for 10 s");
            process.WaitForExit(); // drains the redirected output

            List<string> all;
            lock (lines) all = [.. lines];
            var nacks = all.Where(l => l.StartsWith("NACK ", StringComparison.Ordinal)).ToList();
            if (nacks.Count > 0) output.WriteLine($"{which}: {nacks.Count} puts not acked, first: {nacks[0]}");
            return new ChildRun(childRun, killDelayMs, afterReady, ReadyLine(), all.Select(ParseAck).OfType<Ack>().ToList());
        }
        finally
        {
            if (!process.HasExited) process.Kill();
        }
    }

    // A line cut short by the kill carries no whole hash and counts as no ack: the message may or may not be stored.
    private static Ack? ParseAck(string line)
    {
        var parts = line.Split(' ');
        if (parts.Length != 6 || parts[0] != "ACK" || parts[5].Length != 2 * HashSize) return null;
        return new Ack((parts[1], int.Parse(parts[2], CultureInfo.InvariantCulture), long.Parse(parts[3], CultureInfo.InvariantCulture)),
            long.Parse(parts[4], CultureInfo.InvariantCulture), parts[5]);
    }

    private static string? BodyProblem(ReadOnlySpan<byte> body, string topic, int queueId)
    {
        if (body.Length < HeaderSize + HashSize) return $"body of {body.Length} bytes is too short";
        if (!SHA256.HashData(body[..^HashSize]).AsSpan().SequenceEqual(body[^HashSize..])) return "body checksum mismatch";
        var topicIndex = BinaryPrimitives.ReadInt32BigEndian(body[16..]);
        var bodyQueue = BinaryPrimitives.ReadInt32BigEndian(body[20..]);
        if (topicIndex < 0 || topicIndex >= Topics.Length || Topics[topicIndex] != topic || bodyQueue != queueId)
            return $"body was sent to topic #{topicIndex} queue {bodyQueue}";
        return null;
    }

    private static string Hash(ReadOnlySpan<byte> body) => Convert.ToHexString(SHA256.HashData(body));

    private static string Describe((string Topic, int QueueId, long Offset) key) => $"{key.Topic}/{key.QueueId}@{key.Offset}";

    private static string Report(StoreRecoveryReport r) =>
        $"abnormal={r.Abnormal} tail={r.MaxOffset} scanned={r.RecordsScanned} discarded={r.DiscardedBytes} redispatched={r.Redispatched} " +
        $"problem={r.Problem ?? "none"}";

    private static string ChildDll { get; } = FindChildDll();

    // Built by the ProjectReference in this project's csproj, in the configuration the tests run in (bin/<config>/net10.0).
    private static string FindChildDll()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "AkkaBroker.sln"))) continue;
            var path = Path.Combine(dir.FullName, "tests", "AkkaBroker.StoreCrashChild", "bin", configuration, "net10.0", "AkkaBroker.StoreCrashChild.dll");
            if (!File.Exists(path)) throw new FileNotFoundException($"build the tests first: {path} is missing", path);
            return path;
        }

        throw new InvalidOperationException($"AkkaBroker.sln not found above {AppContext.BaseDirectory}");
    }

    private sealed record ChildRun(int Number, int KillDelayMs, bool AfterReady, string? Ready, List<Ack> Acks)
    {
        public string Describe() =>
            $"child run {Number} killed {KillDelayMs} ms after {(AfterReady ? "READY" : "its start")} with {Acks.Count} acks, it said: {Ready ?? "(no READY yet)"}";
    }

    private sealed record Ack((string Topic, int QueueId, long Offset) Key, long PhysicalOffset, string Hash);

    private sealed record Known(string Hash, long PhysicalOffset, bool Acked, int Cycle);
}
