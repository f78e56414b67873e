using AkkaBroker.Actors;
using AkkaBroker.Protocol.Remoting;
using static AkkaBroker.NameServer.Tests.NameServerFixture;

namespace AkkaBroker.NameServer.Tests;

public sealed class GuardianTests
{
    [Fact]
    public async Task Ready_describes_the_listen_address_and_hands_out_one_handler()
    {
        var system = ActorSystem.Create("guardian-test");
        try
        {
            var guardian = system.ActorOf(NameServerGuardian.Props(Settings()), "namesrv");

            var first = await guardian.Ask<NameServerGuardian.Ready>(NameServerGuardian.Start.Instance, Deadline);
            var second = await guardian.Ask<NameServerGuardian.Ready>(NameServerGuardian.Start.Instance, Deadline);

            Assert.Equal("127.0.0.1:9876", first.Description);
            Assert.Same(first.Handler, second.Handler);
        }
        finally
        {
            await system.Terminate().WaitAsync(Deadline);
        }
    }

    [Fact]
    public async Task Handler_answers_unsupported_codes_synchronously()
    {
        await using var ns = await StartAsync();
        // The handler is what the host serves; an unknown code is answered without touching the registry.
        var response = await ns.InvokeAsync(Request(RequestCode.PullMessage));
        Assert.Equal(ResponseCode.RequestCodeNotSupported, response.Code);
        Assert.Equal(" request type 11 not supported", response.Remark);
    }
}
