using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace AkkaBroker.Server.Tests;

/// <summary>A real <c>akkabroker</c> child process, with its output captured line by line.</summary>
internal sealed class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly object _gate = new();

    private ServeProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_gate) _stdout.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_gate) _stderr.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Stdout { get { lock (_gate) return _stdout.ToString(); } }

    public string Stderr { get { lock (_gate) return _stderr.ToString(); } }

    public int Pid => _process.Id;

    /// <summary>Starts <c>dotnet akkabroker.dll args...</c> built in the same configuration as the tests.</summary>
    public static ServeProcess Start(IDictionary<string, string?>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        info.ArgumentList.Add(ServerDll);
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) info.Environment[key] = value;
        return new ServeProcess(Process.Start(info)!);
    }

    /// <summary>Runs to completion and returns the exit code.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(IDictionary<string, string?>? environment, params string[] args)
    {
        using var p = Start(environment, args);
        var code = p.WaitForExit(TimeSpan.FromSeconds(60));
        return (code, p.Stdout, p.Stderr);
    }

    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Stdout.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited) throw new Xunit.Sdk.XunitException($"process exited ({_process.ExitCode}) before printing '{text}'.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"no '{text}' within {timeout}.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
            await Task.Delay(50);
        }
    }

    public void SendSignal(int signal)
    {
        if (Kill(_process.Id, signal) != 0) throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"process still running after {timeout}.\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
        }

        _process.WaitForExit(); // drains the redirected streams
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    public const int SigTerm = 15;
    public const int SigInt = 2;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int sig);

    private static string ServerDll { get; } = FindServerDll();

    // The server is built with the solution, in the configuration the tests run in (bin/<config>/net10.0).
    private static string FindServerDll()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var path = Path.Combine(RepoPaths.Root, "src", "AkkaBroker.Server", "bin", configuration, "net10.0", "akkabroker.dll");
        if (!File.Exists(path)) throw new FileNotFoundException($"build the solution first: {path} is missing", path);
        return path;
    }
}
