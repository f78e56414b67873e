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
}
