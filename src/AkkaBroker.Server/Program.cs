using System.CommandLine;
using AkkaBroker.Server;

var root = new RootCommand("AkkaBroker: a RocketMQ-compatible message broker for .NET, built from actors.")
{
    ServeCommand.Create(),
    AkkaBroker.Server.Bench.BenchCommand.Create(),
    AkkaBroker.Server.Admin.AdminCommand.Create(),
};

// The generic host handles SIGTERM and Ctrl+C (graceful stop, exit code 0); System.CommandLine must not race it.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
