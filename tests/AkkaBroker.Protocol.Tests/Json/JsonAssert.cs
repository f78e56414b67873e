using System.Text;
using AkkaBroker.Protocol.Json;

namespace AkkaBroker.Protocol.Tests.Json;

internal static class JsonAssert
{
    public static T Parses<T>(string json)
        where T : class
    {
        var ok = RemotingJson.TryDeserialize<T>(Encoding.UTF8.GetBytes(json), out var body, out var error);
        Assert.True(ok, error);
        Assert.Null(error);
        return body!;
    }

    public static string Rejects<T>(string json)
        where T : class
    {
        var ok = RemotingJson.TryDeserialize<T>(Encoding.UTF8.GetBytes(json), out var body, out var error);
        Assert.False(ok);
        Assert.Null(body);
        Assert.False(string.IsNullOrEmpty(error));
        return error!;
    }

    public static string Text<T>(T body, bool bareIntegerKeys = false) =>
        Encoding.UTF8.GetString(RemotingJson.Serialize(body, bareIntegerKeys));

    /// <summary>Parses a golden text and writes it back: the same bytes come out.</summary>
    public static T RoundTrips<T>(string golden, bool bareIntegerKeys = false)
        where T : class
    {
        var body = Parses<T>(golden);
        Assert.Equal(golden, Text(body, bareIntegerKeys));
        return body;
    }
}
