using System.CommandLine;
using AkkaBroker.Server;

// Socket completions run on the socket engine's thread instead of hopping to the thread pool: a broker's and a
// client's work after a receive is short and never blocks, and the saved hop and wake-up measured 10-20% more
// msgs/s in `bench producer` on 2 cores. .NET reads the switch once, at the first socket; a value the user set wins.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

var root = new RootCommand("AkkaBroker: a RocketMQ-compatible message broker for .NET, built from actors.")
{
    ServeCommand.Create(),
    AkkaBroker.Server.Bench.BenchCommand.Create(),
    AkkaBroker.Server.Admin.AdminCommand.Create(),
};

// The generic host handles SIGTERM and Ctrl+C (graceful stop, exit code 0); System.CommandLine must not race it.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
