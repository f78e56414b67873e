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
    public async Task The_kv_config_survives_a_restart_in_javas_file_shape_and_a_corrupt_file_stops_the_start()
    {
        var dir = Directory.CreateTempSubdirectory("akkabroker-kv-").FullName;
        try
        {
            var path = Path.Combine(dir, "namesrv", "kvConfig.json");
            await using (var ns = await StartAsync(Settings(kvConfigPath: path)))
            {
                foreach (var (key, value) in new[] { ("TopicA", "broker-a:4"), ("TopicB", "broker-a:8") })
                    Assert.Equal(ResponseCode.Success, (await ns.InvokeAsync(Request(RequestCode.PutKvConfig, new PutKvConfigRequestHeader("ORDER_TOPIC_CONFIG", key, value)))).Code);
                Assert.Equal(ResponseCode.Success, (await ns.InvokeAsync(Request(RequestCode.DeleteKvConfig, new DeleteKvConfigRequestHeader("ORDER_TOPIC_CONFIG", "TopicA")))).Code);
            }

            var json = File.ReadAllText(path);
            Assert.Contains("\"configTable\"", json);
            Assert.Contains("\"TopicB\": \"broker-a:8\"", json);
            Assert.DoesNotContain("TopicA", json);

            await using (var restarted = await StartAsync(Settings(kvConfigPath: path)))
            {
                var get = await restarted.InvokeAsync(Request(RequestCode.GetKvConfig, new GetKvConfigRequestHeader("ORDER_TOPIC_CONFIG", "TopicB")));
                Assert.Equal("broker-a:8", get.ReadHeader<GetKvConfigResponseHeader>(out _)!.Value);
                var gone = await restarted.InvokeAsync(Request(RequestCode.GetKvConfig, new GetKvConfigRequestHeader("ORDER_TOPIC_CONFIG", "TopicA")));
                Assert.Equal(ResponseCode.QueryNotFound, gone.Code);
            }

            // Both copies unreadable: starting empty would silently drop the config, so the start fails and says why.
            File.WriteAllText(path, "{ not json");
            File.WriteAllText(path + ".bak", "{ not json either");
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(Settings(kvConfigPath: path)));
            Assert.Contains(path, failure.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
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
