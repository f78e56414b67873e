using AkkaBroker.Benchmarks;
using BenchmarkDotNet.Running;

// Custom storage modes (wall-clock or process-start measurements) first, e.g. `sync-flush --seconds 10`;
// anything else goes to BenchmarkDotNet: every benchmark class in this assembly, pick with --filter, e.g. `--filter *Tell*`.
if (args.Length > 0 && StoreRunner.Modes.Contains(args[0]))
    return await StoreRunner.RunAsync(args[0], args[1..]);

BenchmarkSwitcher.FromAssembly(typeof(StoreRunner).Assembly).Run(args);
return 0;
