using System.Diagnostics;
using System.Globalization;
using AkkaBroker.Actors;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.TestKit;

/// <summary>
/// Base class of actor tests: a fresh <see cref="ActorSystem"/> per test (terminated on dispose), a default probe
/// (<see cref="TestActor"/>) and the probe expectations forwarded to it. The time factor is the environment variable
/// <c>AKKABROKER_TEST_TIMEFACTOR</c> if set, else <see cref="ActorSystemSettings.TestTimeFactor"/>.
/// </summary>
public abstract class TestKit : IDisposable
{
    private static int s_systems;
    private readonly TestProbe _testProbe;

    /// <summary>Creates the system.</summary>
    /// <param name="settings">System settings (default: <see cref="ActorSystemSettings.Default"/>).</param>
    /// <param name="useVirtualTime">Plugs a <see cref="VirtualTimeScheduler"/> (see <see cref="VirtualTime"/>).</param>
    /// <param name="loggerFactory">Logger factory for the system.</param>
    protected TestKit(ActorSystemSettings? settings = null, bool useVirtualTime = false, ILoggerFactory? loggerFactory = null)
    {
        settings ??= ActorSystemSettings.Default;
        if (useVirtualTime) settings = settings with { SchedulerFactory = static _ => new VirtualTimeScheduler() };
        var env = Environment.GetEnvironmentVariable("AKKABROKER_TEST_TIMEFACTOR");
        TimeFactor = env is not null && double.TryParse(env, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f > 0
            ? f
            : settings.TestTimeFactor;
        Sys = ActorSystem.Create("test-" + Interlocked.Increment(ref s_systems).ToString(CultureInfo.InvariantCulture), settings, loggerFactory);
        _testProbe = new TestProbe(Sys, TimeFactor, "testActor");
    }

    /// <summary>The system under test.</summary>
    public ActorSystem Sys { get; }

    /// <summary>The time factor.</summary>
    public double TimeFactor { get; }

    /// <summary>The default probe.</summary>
    public TestProbe Probe => _testProbe;

    /// <summary>The default probe's ref.</summary>
    public IActorRef TestActor => _testProbe.Ref;

    /// <summary>The virtual-time scheduler (only with <c>useVirtualTime</c>).</summary>
    public VirtualTimeScheduler VirtualTime => Sys.Scheduler as VirtualTimeScheduler
        ?? throw new InvalidOperationException("This TestKit was not created with useVirtualTime");

    /// <summary>Sender of the last message the default probe received.</summary>
    public IActorRef LastSender => _testProbe.LastSender;

    /// <summary>Creates another probe.</summary>
    public TestProbe CreateTestProbe(string? name = null) => new(Sys, TimeFactor, name);

    /// <summary>Scales <paramref name="duration"/> by the time factor.</summary>
    public TimeSpan Dilated(TimeSpan duration) => _testProbe.Dilated(duration);

    /// <inheritdoc cref="TestProbe.ExpectMsg{T}(Func{T, bool}?, TimeSpan?)"/>
    public T ExpectMsg<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null) => _testProbe.ExpectMsg(predicate, timeout);

    /// <inheritdoc cref="TestProbe.ExpectMsg{T}(T, TimeSpan?)"/>
    public T ExpectMsg<T>(T expected, TimeSpan? timeout = null) where T : notnull => _testProbe.ExpectMsg(expected, timeout);

    /// <inheritdoc cref="TestProbe.ExpectMsgAsync{T}(Func{T, bool}?, TimeSpan?)"/>
    public Task<T> ExpectMsgAsync<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null) => _testProbe.ExpectMsgAsync(predicate, timeout);

    /// <inheritdoc cref="TestProbe.ExpectMsgAsync{T}(T, TimeSpan?)"/>
    public Task<T> ExpectMsgAsync<T>(T expected, TimeSpan? timeout = null) where T : notnull => _testProbe.ExpectMsgAsync(expected, timeout);

    /// <inheritdoc cref="TestProbe.ExpectNoMsg"/>
    public void ExpectNoMsg(TimeSpan? duration = null) => _testProbe.ExpectNoMsg(duration);

    /// <inheritdoc cref="TestProbe.ExpectNoMsgAsync"/>
    public Task ExpectNoMsgAsync(TimeSpan? duration = null) => _testProbe.ExpectNoMsgAsync(duration);

    /// <inheritdoc cref="TestProbe.ExpectTerminated"/>
    public Terminated ExpectTerminated(IActorRef actor, TimeSpan? timeout = null) => _testProbe.ExpectTerminated(actor, timeout);

    /// <inheritdoc cref="TestProbe.ExpectTerminatedAsync"/>
    public Task<Terminated> ExpectTerminatedAsync(IActorRef actor, TimeSpan? timeout = null) => _testProbe.ExpectTerminatedAsync(actor, timeout);

    /// <inheritdoc cref="TestProbe.FishForMessage"/>
    public object FishForMessage(Func<object, bool> isMessage, TimeSpan? timeout = null) => _testProbe.FishForMessage(isMessage, timeout);

    /// <inheritdoc cref="TestProbe.FishForMessageAsync"/>
    public Task<object> FishForMessageAsync(Func<object, bool> isMessage, TimeSpan? timeout = null) => _testProbe.FishForMessageAsync(isMessage, timeout);

    /// <inheritdoc cref="TestProbe.ReceiveOne"/>
    public object? ReceiveOne(TimeSpan? timeout = null) => _testProbe.ReceiveOne(timeout);

    /// <inheritdoc cref="TestProbe.Within(TimeSpan, TimeSpan, Action)"/>
    public void Within(TimeSpan min, TimeSpan max, Action action) => _testProbe.Within(min, max, action);

    /// <inheritdoc cref="TestProbe.WithinAsync"/>
    public Task WithinAsync(TimeSpan min, TimeSpan max, Func<Task> action) => _testProbe.WithinAsync(min, max, action);

    /// <inheritdoc cref="TestProbe.Watch"/>
    public IActorRef Watch(IActorRef actor) => _testProbe.Watch(actor);

    /// <inheritdoc cref="TestProbe.Unwatch"/>
    public IActorRef Unwatch(IActorRef actor) => _testProbe.Unwatch(actor);

    /// <inheritdoc cref="TestProbe.Reply"/>
    public void Reply(object message) => _testProbe.Reply(message);

    /// <inheritdoc cref="TestProbe.Forward"/>
    public void Forward(IActorRef actor, object? message = null) => _testProbe.Forward(actor, message);

    /// <summary>
    /// Retries <paramref name="assertion"/> every <paramref name="interval"/> (default 50 ms) until it passes or
    /// <paramref name="duration"/> (default 3 s, scaled) passes; then rethrows its last failure.
    /// </summary>
    public void AwaitAssert(Action assertion, TimeSpan? duration = null, TimeSpan? interval = null)
    {
        var end = Stopwatch.GetTimestamp() + (long)(Dilated(duration ?? TimeSpan.FromSeconds(3)).TotalSeconds * Stopwatch.Frequency);
        var pause = interval ?? TimeSpan.FromMilliseconds(50);
        while (true)
        {
            try
            {
                assertion();
                return;
            }
            catch (Exception) when (Stopwatch.GetTimestamp() < end)
            {
                Thread.Sleep(pause);
            }
        }
    }

    /// <summary>Async form of <see cref="AwaitAssert"/>.</summary>
    public async Task AwaitAssertAsync(Func<Task> assertion, TimeSpan? duration = null, TimeSpan? interval = null)
    {
        var end = Stopwatch.GetTimestamp() + (long)(Dilated(duration ?? TimeSpan.FromSeconds(3)).TotalSeconds * Stopwatch.Frequency);
        var pause = interval ?? TimeSpan.FromMilliseconds(50);
        while (true)
        {
            try
            {
                await assertion().ConfigureAwait(false);
                return;
            }
            catch (Exception) when (Stopwatch.GetTimestamp() < end)
            {
                await Task.Delay(pause).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Terminates the system (waits up to 10 s, scaled).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Terminates the system.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && !Sys.Terminate().Wait(Dilated(TimeSpan.FromSeconds(10))))
            throw new TestKitAssertionException($"Actor system {Sys.Name} did not terminate in time");
    }
}
