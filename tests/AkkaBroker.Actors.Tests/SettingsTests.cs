using AkkaBroker.Hocon;

namespace AkkaBroker.Actors.Tests;

public sealed class SettingsTests
{
    [Fact]
    public void Defaults_match_the_contract()
    {
        var s = ActorSystemSettings.Default;
        Assert.Equal(30, s.Throughput);
        Assert.True(s.LogDeadLetters);
        Assert.Equal(1.0, s.TestTimeFactor);
        Assert.Null(s.SchedulerFactory);
    }

    [Fact]
    public void Settings_are_read_from_akkabroker_actor()
    {
        var config = Config.ParseString("""
            akkabroker.actor {
              throughput = 7
              ask-timeout = 2s
              log-dead-letters = 0
              test.timefactor = 2.5
            }
            """).Resolve();
        var s = ActorSystemSettings.Create(config);
        Assert.Equal(7, s.Throughput);
        Assert.Equal(TimeSpan.FromSeconds(2), s.DefaultAskTimeout);
        Assert.False(s.LogDeadLetters);
        Assert.Equal(2.5, s.TestTimeFactor);
    }

    [Fact]
    public void Invalid_settings_are_rejected_at_system_creation()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ActorSystem.Create("bad", ActorSystemSettings.Default with { Throughput = 0 }));
        Assert.Throws<ArgumentException>(() => ActorSystem.Create("bad name"));
    }

    [Fact]
    public async Task System_properties_and_terminate()
    {
        var sys = ActorSystem.Create("props-check", ActorSystemSettings.Default with { Throughput = 3 });
        Assert.Equal("props-check", sys.Name);
        Assert.Equal(3, sys.Settings.Throughput);
        Assert.NotNull(sys.LoggerFactory);
        Assert.NotNull(sys.Scheduler);
        Assert.Equal("akka://props-check/deadLetters", sys.DeadLetters.Path.ToString());
        await sys.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Throws<InvalidOperationException>(() => sys.ActorOf(Props.Create(() => new EchoActor())));
    }
}
