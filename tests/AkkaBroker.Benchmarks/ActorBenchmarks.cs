using AkkaBroker.Actors;
using BenchmarkDotNet.Attributes;

namespace AkkaBroker.Benchmarks;

/// <summary>
/// Actor runtime hot paths: one-to-one Tell throughput (from a plain thread and from another actor), Ask round trip,
/// and a 4-actor ring. Messages are preallocated, so allocations per op show what the runtime itself allocates.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ActorBenchmarks
{
    private const int TellCount = 1_000_000;
    private const int RingHops = 200_000;

    private static readonly object Message = new();
    private ActorSystem _system = null!;
    private Counter _counter = null!;
    private IActorRef _counterRef = null!;
    private IActorRef _sender = null!;
    private IActorRef _echo = null!;
    private IActorRef[] _ring = null!;
    private RingToken _token = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("bench");
        _counter = new Counter();
        var counter = _counter;
        _counterRef = _system.ActorOf(Props.Create(() => new CountingActor(counter)), "counter");
        _sender = _system.ActorOf(Props.Create(() => new SendingActor()), "sender");
        _echo = _system.ActorOf(Props.Create(() => new EchoActor()), "echo");
        _ring = new IActorRef[4];
        for (var i = 0; i < _ring.Length; i++) _ring[i] = _system.ActorOf(Props.Create(() => new RingActor()), "ring" + i);
        for (var i = 0; i < _ring.Length; i++) _ring[i].Tell(new RingNext(_ring[(i + 1) % _ring.Length]));
        _token = new RingToken();
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    /// <summary>The benchmark thread tells 1M messages to a counting actor.</summary>
    [Benchmark(OperationsPerInvoke = TellCount)]
    public void Tell_FromThread()
    {
        var done = _counter.Reset(TellCount);
        var target = _counterRef;
        for (var i = 0; i < TellCount; i++) target.Tell(Message);
        done.Wait();
    }

    /// <summary>An actor tells 1M messages to a counting actor (one-to-one between two actors).</summary>
    [Benchmark(OperationsPerInvoke = TellCount)]
    public void Tell_ActorToActor()
    {
        var done = _counter.Reset(TellCount);
        _sender.Tell(new SendBurst(_counterRef, TellCount));
        done.Wait();
    }

    /// <summary>One Ask round trip to an echo actor.</summary>
    [Benchmark]
    public Task<object> Ask_RoundTrip() => _echo.Ask<object>(Message);

    /// <summary>One Ask round trip without a timeout (no timer): shows what the timeout timer costs.</summary>
    [Benchmark]
    public Task<object> Ask_RoundTrip_NoTimeout() => _echo.Ask<object>(Message, Timeout.InfiniteTimeSpan);

    /// <summary>
    /// Floor for <see cref="Ask_RoundTrip"/>: one thread-pool work item completing a task the benchmark waits for
    /// (the same two thread hand-offs as an Ask, without any actor code).
    /// </summary>
    [Benchmark]
    public Task<object> Baseline_ThreadPoolRoundTrip()
    {
        var tcs = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        ThreadPool.UnsafeQueueUserWorkItem(static t => t.TrySetResult(Message), tcs, preferLocal: false);
        return tcs.Task;
    }

    /// <summary>A token passed around a ring of 4 actors.</summary>
    [Benchmark(OperationsPerInvoke = RingHops)]
    public void Ring_4Actors()
    {
        var done = _token.Reset(RingHops);
        _ring[0].Tell(_token);
        done.Wait();
    }

    private sealed class Counter
    {
        private int _remaining;
        private ManualResetEventSlim _done = new();

        public ManualResetEventSlim Reset(int count)
        {
            _done = new ManualResetEventSlim();
            Volatile.Write(ref _remaining, count);
            return _done;
        }

        public void Hit()
        {
            if (--_remaining == 0) _done.Set();
        }
    }

    private sealed class CountingActor(Counter counter) : ActorBase
    {
        protected override void OnReceive(object message) => counter.Hit();
    }

    private sealed record SendBurst(IActorRef Target, int Count);

    private sealed class SendingActor : ActorBase
    {
        protected override void OnReceive(object message)
        {
            var burst = (SendBurst)message;
            var self = Self;
            for (var i = 0; i < burst.Count; i++) burst.Target.Tell(Message, self);
        }
    }

    private sealed class EchoActor : ActorBase
    {
        protected override void OnReceive(object message) => Sender.Tell(message, Self);
    }

    private sealed record RingNext(IActorRef Next);

    private sealed class RingToken
    {
        public int Remaining;
        public ManualResetEventSlim Done = new();

        public ManualResetEventSlim Reset(int hops)
        {
            Done = new ManualResetEventSlim();
            Remaining = hops;
            return Done;
        }
    }

    private sealed class RingActor : ActorBase
    {
        private IActorRef? _next;

        protected override void OnReceive(object message)
        {
            if (message is RingToken token)
            {
                if (--token.Remaining <= 0) token.Done.Set();
                else _next!.Tell(token, Self);
            }
            else if (message is RingNext n)
            {
                _next = n.Next;
            }
        }
    }
}
