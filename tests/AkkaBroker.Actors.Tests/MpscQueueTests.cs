namespace AkkaBroker.Actors.Tests;

public sealed class MpscQueueTests
{
    [Fact]
    public void Single_thread_fifo_across_growth()
    {
        var q = new MpscQueue<int>();
        Assert.True(q.IsEmpty);
        for (var i = 0; i < 10_000; i++) q.Enqueue(i);
        Assert.True(q.TryPeek(out var first));
        Assert.Equal(0, first);
        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(q.TryDequeue(out var v));
            Assert.Equal(i, v);
        }
        Assert.False(q.TryDequeue(out _));
        Assert.True(q.IsEmpty);
    }

    [Fact]
    public void Ring_is_reused_without_growing_when_the_consumer_keeps_up()
    {
        var q = new MpscQueue<int>();
        for (var round = 0; round < 1000; round++)
        {
            for (var i = 0; i < 20; i++) q.Enqueue(i);
            for (var i = 0; i < 20; i++)
            {
                Assert.True(q.TryDequeue(out var v));
                Assert.Equal(i, v);
            }
        }
        Assert.True(q.IsEmpty);
    }

    [Fact]
    public void Concurrent_producers_keep_their_own_order_and_nothing_is_lost()
    {
        const int producers = 4, perProducer = 200_000;
        var q = new MpscQueue<(int P, int N)>();
        var threads = Enumerable.Range(0, producers).Select(p => new Thread(() =>
        {
            for (var i = 0; i < perProducer; i++) q.Enqueue((p, i));
        })).ToList();
        threads.ForEach(t => t.Start());
        var next = new int[producers];
        var received = 0;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (received < producers * perProducer && DateTime.UtcNow < deadline)
        {
            if (q.TryDequeue(out var item))
            {
                Assert.Equal(next[item.P], item.N);
                next[item.P]++;
                received++;
            }
            else
            {
                Thread.SpinWait(10);
            }
        }
        threads.ForEach(t => t.Join());
        Assert.Equal(producers * perProducer, received);
        Assert.False(q.TryDequeue(out _));
    }
}
