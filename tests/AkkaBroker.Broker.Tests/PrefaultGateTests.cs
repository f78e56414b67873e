using System.Diagnostics;
using AkkaBroker.Broker.Storage;

namespace AkkaBroker.Broker.Tests;

public sealed class PrefaultGateTests
{
    private const double MB = 1e6;

    [Fact]
    public void Stays_off_while_the_writer_has_time_to_spare_whatever_the_rate()
    {
        var gate = new PrefaultGate();
        Assert.False(gate.Update(0.10, 66 * MB)); // open loop at 65k msgs/s
        Assert.False(gate.Update(0.50, 150 * MB)); // closed loop, single sends
        Assert.False(gate.Update(0.79, 250 * MB));
        Assert.False(gate.IsOn);
    }

    [Fact]
    public void Turns_on_when_the_writer_is_saturated_and_stays_on_while_the_rate_holds_although_the_writer_then_idles()
    {
        var gate = new PrefaultGate();
        Assert.True(gate.Update(0.97, 250 * MB));
        Assert.True(gate.Update(0.17, 390 * MB)); // the writer's work went to the prefaulter: busy share falls, rate rises
        Assert.True(gate.Update(0.15, 201 * MB)); // still above 80% of the saturated rate
        Assert.False(gate.Update(0.10, 199 * MB)); // load fell: below 80% of 250 MB/s
        Assert.False(gate.Update(0.30, 240 * MB)); // back up, but the writer is not saturated: stays off
        Assert.True(gate.Update(0.85, 230 * MB)); // saturated again, now at a lower rate, which is the new reference
        Assert.True(gate.Update(0.20, 190 * MB));
        Assert.False(gate.Update(0.20, 180 * MB));
    }

    [Fact]
    public void A_writer_saturated_while_on_lowers_the_reference_rate_instead_of_turning_off()
    {
        var gate = new PrefaultGate();
        Assert.True(gate.Update(0.97, 303 * MB)); // saturated early, while memory came fast
        Assert.True(gate.Update(0.20, 330 * MB));
        Assert.True(gate.Update(0.90, 224 * MB)); // the ceiling fell: still saturated, so 224 MB/s is the reference now
        Assert.True(gate.Update(0.20, 200 * MB)); // above 80% of 224, though below 80% of 303
        Assert.False(gate.Update(0.10, 150 * MB));
    }

    [Fact]
    public void A_window_closes_on_elapsed_time_so_a_burst_of_late_ticks_does_not_read_as_an_idle_writer()
    {
        var second = Stopwatch.Frequency;
        var window = new LoadWindow(now: 0, busyTicks: 0, offset: 0);
        Assert.False(window.TryClose(second / 2, second / 2, 100_000_000, second, out _, out _));

        // A prefault call blocked for 3 s; the window spans all of it.
        Assert.True(window.TryClose(3 * second, 2 * second, 660_000_000, second, out var share, out var rate));
        Assert.Equal(2.0 / 3, share, 3);
        Assert.Equal(220 * MB, rate, 0);

        // The 300 ticks queued meanwhile arrive within microseconds: none of them closes a window.
        for (var tick = 1; tick <= 300; tick++)
            Assert.False(window.TryClose(3 * second + tick, 2 * second, 660_000_000, second, out _, out _));

        Assert.True(window.TryClose(4 * second, 2 * second + second / 5, 1_000_000_000, second, out share, out rate));
        Assert.Equal(0.2, share, 3);
        Assert.Equal(340 * MB, rate, 0);
    }

    [Fact]
    public void The_gate_stays_on_through_a_blocked_prefault_call()
    {
        var second = Stopwatch.Frequency;
        var window = new LoadWindow(0, 0, 0);
        var gate = new PrefaultGate();
        Assert.True(window.TryClose(second, second * 98 / 100, 220_000_000, second, out var share, out var rate));
        Assert.True(gate.Update(share, rate));
        Assert.True(window.TryClose(4 * second, second * 160 / 100, 1_240_000_000, second, out share, out rate));
        Assert.True(gate.Update(share, rate));
        for (var tick = 1; tick <= 300; tick++)
            if (window.TryClose(4 * second + tick, second * 160 / 100, 1_240_000_000, second, out share, out rate)) gate.Update(share, rate);
        Assert.True(gate.IsOn);
    }
}
