using System.Buffers.Binary;
using System.Diagnostics;

namespace AkkaBroker.Store.Tests.CommitLogTests;

public sealed class StoreLockAndCheckpointTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_second_lock_on_the_same_folder_fails_naming_the_folder()
    {
        using (var first = StoreLock.Acquire(_dir.Path))
        {
            var error = Assert.Throws<StoreLockedException>(() => StoreLock.Acquire(_dir.Path));
            Assert.Contains(_dir.Path, error.Message);
        }

        Assert.Equal("lock", File.ReadAllText(Path.Combine(_dir.Path, "lock")));

        using var again = StoreLock.Acquire(_dir.Path);
    }

    [Fact]
    public void Another_process_holding_the_lock_keeps_this_one_out()
    {
        if (!File.Exists("/usr/bin/flock") && !File.Exists("/bin/flock")) return;
        Directory.CreateDirectory(_dir.Path);
        var lockPath = Path.Combine(_dir.Path, "lock");
        using var holder = Process.Start(new ProcessStartInfo("flock", [lockPath, "-c", "echo held; sleep 30"]) { RedirectStandardOutput = true })!;
        try
        {
            Assert.Equal("held", holder.StandardOutput.ReadLine());
            var error = Assert.Throws<StoreLockedException>(() => StoreLock.Acquire(_dir.Path));
            Assert.Contains(_dir.Path, error.Message);
        }
        finally
        {
            holder.Kill(entireProcessTree: true); // the shell child inherited the locked descriptor
            holder.WaitForExit();
        }

        // The killed tree's descriptors close asynchronously; the lock is free once the last one does.
        StoreLock? acquired = null;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (acquired is null)
        {
            try
            {
                acquired = StoreLock.Acquire(_dir.Path);
            }
            catch (StoreLockedException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }
        }

        using var mine = acquired;
        using var probe = Process.Start(new ProcessStartInfo("flock", ["-n", lockPath, "-c", "true"]))!;
        probe.WaitForExit();
        Assert.NotEqual(0, probe.ExitCode); // and the lock this process holds is visible to others
    }

    [Fact]
    public void The_abort_marker_tells_whether_the_last_run_shut_down_cleanly()
    {
        using (var first = StoreLock.Acquire(_dir.Path))
        {
            Assert.False(first.AbortFileExisted);
            Assert.True(File.Exists(first.AbortPath));
        }

        using (var crashed = StoreLock.Acquire(_dir.Path))
        {
            Assert.True(crashed.AbortFileExisted);
            crashed.MarkCleanShutdown();
            Assert.False(File.Exists(crashed.AbortPath));
        }

        using var clean = StoreLock.Acquire(_dir.Path);
        Assert.False(clean.AbortFileExisted);
    }

    [Fact]
    public void Checkpoint_times_are_big_endian_longs_at_0_8_16_of_a_4k_file_and_survive_reopening()
    {
        using (var checkpoint = StoreCheckpoint.Open(_dir.Path))
        {
            Assert.False(checkpoint.WasReset);
            checkpoint.PhysicMsgTimestamp = 0x0102030405060708;
            checkpoint.LogicsMsgTimestamp = 1_700_000_000_000;
            checkpoint.IndexMsgTimestamp = 1_600_000_000_000;
            checkpoint.Flush();
        }

        var bytes = File.ReadAllBytes(Path.Combine(_dir.Path, "checkpoint"));
        Assert.Equal(4096, bytes.Length);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], bytes[..8]);
        Assert.Equal(1_700_000_000_000, BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(8)));
        Assert.Equal(1_600_000_000_000, BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(16)));

        using var reopened = StoreCheckpoint.Open(_dir.Path);
        Assert.Equal(0x0102030405060708, reopened.PhysicMsgTimestamp);
        Assert.Equal(1_700_000_000_000, reopened.MinTimestamp(includeIndex: false));
        Assert.Equal(1_600_000_000_000, reopened.MinTimestamp(includeIndex: true));
    }

    [Fact]
    public void A_checkpoint_with_negative_times_is_reset_with_a_warning()
    {
        var bytes = new byte[4096];
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(8), -5);
        BinaryPrimitives.WriteInt64BigEndian(bytes, 1_700_000_000_000);
        File.WriteAllBytes(Path.Combine(_dir.Path, "checkpoint"), bytes);

        using var checkpoint = StoreCheckpoint.Open(_dir.Path);
        Assert.True(checkpoint.WasReset);
        Assert.Equal(0, checkpoint.PhysicMsgTimestamp);
        Assert.Equal(0, checkpoint.LogicsMsgTimestamp);
    }
}
