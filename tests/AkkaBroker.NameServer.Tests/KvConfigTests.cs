using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using static AkkaBroker.NameServer.Tests.NameServerFixture;

namespace AkkaBroker.NameServer.Tests;

public sealed class KvConfigTests
{
    [Fact]
    public async Task Put_get_list_delete()
    {
        await using var ns = await StartAsync();
        foreach (var (key, value) in new[] { ("b", "2"), ("a", "1"), ("a", "one") })
        {
            var put = await ns.InvokeAsync(Request(RequestCode.PutKvConfig, new PutKvConfigRequestHeader("NS", key, value)));
            Assert.Equal(ResponseCode.Success, put.Code);
        }

        var get = await ns.InvokeAsync(Request(RequestCode.GetKvConfig, new GetKvConfigRequestHeader("NS", "a")));
        Assert.Equal(ResponseCode.Success, get.Code);
        Assert.Equal("one", get.ReadHeader<GetKvConfigResponseHeader>(out _)!.Value);

        var list = await ns.InvokeAsync(Request(RequestCode.GetKvlistByNamespace, new GetKvListByNamespaceRequestHeader("NS")));
        Assert.Equal(ResponseCode.Success, list.Code);
        Assert.Equal("""{"table":{"a":"one","b":"2"}}""", Text(list));

        var delete = await ns.InvokeAsync(Request(RequestCode.DeleteKvConfig, new DeleteKvConfigRequestHeader("NS", "a")));
        Assert.Equal(ResponseCode.Success, delete.Code);
        var gone = await ns.InvokeAsync(Request(RequestCode.GetKvConfig, new GetKvConfigRequestHeader("NS", "a")));
        Assert.Equal(ResponseCode.QueryNotFound, gone.Code);
        Assert.Equal("No config item, Namespace: NS Key: a", gone.Remark);
        Assert.Equal(["b"], Parse<KVTable>(await ns.InvokeAsync(Request(RequestCode.GetKvlistByNamespace, new GetKvListByNamespaceRequestHeader("NS")))).Table.Keys);
    }

    [Fact]
    public async Task Unknown_namespace_is_query_not_found()
    {
        await using var ns = await StartAsync();

        var list = await ns.InvokeAsync(Request(RequestCode.GetKvlistByNamespace, new GetKvListByNamespaceRequestHeader("Nope")));
        var get = await ns.InvokeAsync(Request(RequestCode.GetKvConfig, new GetKvConfigRequestHeader("Nope", "k")));
        var delete = await ns.InvokeAsync(Request(RequestCode.DeleteKvConfig, new DeleteKvConfigRequestHeader("Nope", "k")));

        Assert.Equal((ResponseCode.QueryNotFound, "No config item, Namespace: Nope"), (list.Code, list.Remark));
        Assert.Equal(ResponseCode.QueryNotFound, get.Code);
        Assert.Equal(ResponseCode.Success, delete.Code); // Java deletes silently
    }
}
