using System.CommandLine;
using System.CommandLine.Invocation;
using System.Net.Sockets;
using AkkaBroker.Client;
using AkkaBroker.Common.Naming;
using AkkaBroker.Remoting;

namespace AkkaBroker.Server.Admin;

/// <summary>
/// <c>akkabroker admin ...</c>: RocketMQ's mqadmin over <see cref="AdminClient"/>. Every subcommand takes
/// <c>--namesrv</c> and <c>--json</c>; exit codes are 0 for success, 1 for a failure at a server or in the network
/// and 2 for bad arguments, each failure with one line on stderr.
/// </summary>
internal static partial class AdminCommand
{
    /// <summary>Exit code of a failure at a server or in the network.</summary>
    public const int Failed = 1;

    /// <summary>Exit code of bad arguments.</summary>
    public const int BadArguments = 2;

    // Recursive: declared once on "admin", accepted (and shown in help) by every subcommand.
    private static readonly Option<string> NameServer = new("--namesrv")
    {
        Description = "name servers, host:port separated by ';'", DefaultValueFactory = _ => "127.0.0.1:9876", Recursive = true,
    };

    private static readonly Option<bool> Json = new("--json") { Description = "print one JSON document instead of tables", Recursive = true };

    public static Command Create()
    {
        var admin = new Command("admin", "Administer a running cluster (RocketMQ's mqadmin): topics, clusters, consumers, messages, offsets.")
        {
            NameServer, Json,
            Group("topic", "Create, update, delete, list and inspect topics.",
                TopicCreate(), TopicUpdate(), TopicDelete(), TopicList(), TopicRoute(), TopicStatus()),
            Group("cluster", "Inspect clusters.", ClusterList()),
            Group("consumer", "Inspect consumer groups.", ConsumerProgress(), ConsumerConnections()),
            Group("message", "Look messages up.", MessageQuery()),
            Group("offset", "Move consumer offsets.", OffsetReset()),
            Send(),
            Consume(),
        };
        admin.Action = new GroupAction(admin);
        return admin;
    }

    /// <summary>What a subcommand gets: its parse result, an admin client, the output, and the name-server list.</summary>
    internal sealed class Context(ParseResult parse, AdminClient client, AdminOutput output, IReadOnlyList<string> nameServers)
    {
        public ParseResult Parse { get; } = parse;

        public AdminClient Client { get; } = client;

        public AdminOutput Output { get; } = output;

        public IReadOnlyList<string> NameServers { get; } = nameServers;

        public T Get<T>(Option<T> option) => Parse.GetValue(option)!;
    }

    /// <summary>Bad arguments found after parsing (exit code 2).</summary>
    internal sealed class UsageException(string message) : Exception(message);

    private static Command Group(string name, string description, params Command[] subcommands)
    {
        var command = new Command(name, description);
        foreach (var sub in subcommands) command.Subcommands.Add(sub);
        command.Action = new GroupAction(command);
        return command;
    }

    private static Command Leaf(string name, string description, Func<Context, CancellationToken, Task<int>> run, params Option[] options)
    {
        var command = new Command(name, description);
        foreach (var option in options) command.Options.Add(option);
        command.Action = new LeafAction(run);
        return command;
    }

    private static string RequireTopic(string? topic) =>
        ResourceNames.ValidateTopic(topic) is { } invalid ? throw new UsageException(invalid) : topic!;

    private static string RequireGroup(string? group) =>
        ResourceNames.ValidateGroup(group) is { } invalid ? throw new UsageException(invalid) : group!;

    private static Task<int> Fail(string reason)
    {
        Console.Error.WriteLine($"akkabroker admin: {reason}");
        return Task.FromResult(Failed);
    }

    // The first problem the parser found, as one line; null when there is none.
    private static string? ParseProblem(ParseResult parse) =>
        parse.Errors.Count > 0 ? parse.Errors[0].Message
        : parse.UnmatchedTokens.Count > 0 ? $"unrecognized argument '{parse.UnmatchedTokens[0]}'"
        : null;

    private static int Usage(string reason)
    {
        Console.Error.WriteLine($"akkabroker admin: {reason}");
        return BadArguments;
    }

    /// <summary>A group's action: it only says which subcommands exist (exit code 2).</summary>
    private sealed class GroupAction(Command command) : SynchronousCommandLineAction
    {
        // Parse errors reach this action instead of System.CommandLine's error printer, which exits with 1.
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult) =>
            Usage(ParseProblem(parseResult) ?? $"{command.Name} needs a subcommand: {string.Join(", ", command.Subcommands.Select(s => s.Name))}");
    }

    /// <summary>A subcommand's action: checks the arguments, connects, runs, and maps failures to exit codes and one line.</summary>
    private sealed class LeafAction(Func<Context, CancellationToken, Task<int>> run) : AsynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override async Task<int> InvokeAsync(ParseResult parseResult, CancellationToken cancellationToken = default)
        {
            if (ParseProblem(parseResult) is { } problem) return Usage(problem);
            var servers = (parseResult.GetValue(NameServer) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (servers.Length == 0) return Usage("--namesrv names no name server");
            try
            {
                await using var client = new AdminClient(new ClientOptions { NamesrvAddr = servers, InstanceName = "admin-" + Environment.ProcessId });
                var output = new AdminOutput(parseResult.GetValue(Json), Console.Out);
                return await run(new Context(parseResult, client, output, servers), cancellationToken);
            }
            catch (UsageException e)
            {
                return Usage(e.Message);
            }
            catch (ArgumentException e)
            {
                // The client's validation messages name the problem; the parameter name means nothing to an operator.
                var message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
                return Usage(FirstLine(message));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync("akkabroker admin: cancelled");
                return Failed;
            }
            catch (Exception e) when (e is MQClientException or RemotingConnectionException or RemotingTimeoutException or TimeoutException
                                          or SocketException or IOException or InvalidOperationException)
            {
                await Console.Error.WriteLineAsync($"akkabroker admin: {Reason(e)}");
                return Failed;
            }
        }

        // The exception's message and the cause under it, on one line ("no name server answered: Connection refused").
        private static string Reason(Exception e)
        {
            var reason = FirstLine(e.Message);
            if (e.InnerException is { } inner && !reason.Contains(inner.Message, StringComparison.Ordinal)) reason += ": " + FirstLine(inner.Message);
            return reason;
        }

        private static string FirstLine(string text) => text.Split('\n', 2)[0].TrimEnd('\r');
    }
}
