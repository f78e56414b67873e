using System.CommandLine;
using AkkaBroker.Hocon;
using AkkaBroker.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Server;

/// <summary><c>akkabroker serve</c>: runs the roles named in the config until SIGTERM or Ctrl+C.</summary>
internal static class ServeCommand
{
    /// <summary>Exit code for a config that cannot be loaded (syntax, unknown key, bad value).</summary>
    public const int BadConfigExitCode = 2;

    /// <summary>Exit code for a node that failed to start or crashed.</summary>
    public const int FailedExitCode = 1;

    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c")
        {
            Description = "HOCON deployment file; without it the embedded single-node default runs (name server and broker)",
        };
        var printConfig = new Option<bool>("--print-config")
        {
            Description = "print the effective configuration (with the file and line each value comes from) and exit",
        };
        var set = new Option<string[]>("--set")
        {
            Description = "override one setting, e.g. --set akkabroker.broker.listen-port=10921 (repeatable)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("serve", "Run a name server, a broker, or both, as the config says.") { config, printConfig, set };
        command.SetAction((result, ct) => RunAsync(result.GetValue(config), result.GetValue(printConfig), result.GetValue(set) ?? [], ct));
        return command;
    }

    private static async Task<int> RunAsync(string? file, bool printConfig, string[] overrides, CancellationToken ct)
    {
        Config config;
        NodeLogging logging;
        try
        {
            config = NodeConfig.Load(file, overrides);
            logging = NodeLogging.Read(config);
        }
        catch (Exception e) when (e is ConfigException or FileNotFoundException or IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"akkabroker: bad config: {OneLine(e.Message)}");
            return BadConfigExitCode;
        }

        if (printConfig)
        {
            await Console.Out.WriteAsync(config.Render(new ConfigRenderOptions { OriginComments = true }));
            return 0;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        logging.ApplyTo(builder.Logging);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
        builder.Services.AddAkkaBroker(config);
        using var host = builder.Build();
        try
        {
            await host.RunAsync(ct);
            return 0;
        }
        catch (ConfigException e)
        {
            await Console.Error.WriteLineAsync($"akkabroker: bad config: {OneLine(e.Message)}");
            return BadConfigExitCode;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"akkabroker: failed: {OneLine(e.Message)}");
            return FailedExitCode;
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
