using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using AkkaBroker.Client;
using AkkaBroker.Hocon;
using AkkaBroker.Hosting;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.TestKit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Server.Tests;

/// <summary>
/// Producers and consumers inside a service's generic host (<c>AddAkkaBrokerClient</c>), configured in code or from
/// HOCON, with handlers resolved from DI: start, a produced message reaches the handler, a graceful stop commits
/// offsets and leaves the group.
/// </summary>
public sealed class ClientHostingTests : IDisposable
{
    private const string Topics = "akkabroker.broker.topics = [ { name = \"Orders\", read-queue-nums = 4, write-queue-nums = 4 } ]";
    private readonly string _dir = Directory.CreateTempSubdirectory("akkabroker-client-hosting-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>What the handlers saw, shared through DI.</summary>
    public sealed class Inbox
    {
        public ConcurrentQueue<MessageExt> Messages { get; } = new();
        public ConcurrentBag<int> HandlerInstances { get; } = [];
    }

    /// <summary>A handler with a DI dependency; resolved per batch.</summary>
    public sealed class RecordingHandler(Inbox inbox) : IMessageHandler
    {
        public Task<ConsumeResult> HandleAsync(IReadOnlyList<MessageExt> messages, CancellationToken cancellationToken)
        {
            inbox.HandlerInstances.Add(GetHashCode());
            foreach (var m in messages) inbox.Messages.Enqueue(m);
            return Task.FromResult(ConsumeResult.Success);
        }
    }

    /// <summary>Fails the first delivery of "order-3" once; records every body it is handed, in order.</summary>
    public sealed class FlakyOrderedHandler(Inbox inbox) : IMessageHandler
    {
        private static int _failed;

        public Task<ConsumeResult> HandleAsync(IReadOnlyList<MessageExt> messages, CancellationToken cancellationToken)
        {
            foreach (var m in messages) inbox.Messages.Enqueue(m);
            var failNow = messages.Any(m => m.BodyText == "order-3") && Interlocked.Exchange(ref _failed, 1) == 0;
            return Task.FromResult(failNow ? ConsumeResult.ReconsumeLater : ConsumeResult.Success);
        }
    }

    private sealed class ErrorLog : ILoggerProvider
    {
        public ConcurrentQueue<string> Errors { get; } = new();
        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
        public void Dispose() { }

        private sealed class Logger(ErrorLog owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel)) owner.Errors.Enqueue($"{category}: {formatter(state, exception)} {exception}");
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> done, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!done())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    private string StoreOverride(string name) => $"akkabroker.store.store-path-root-dir = \"{Path.Combine(_dir, name).Replace("\\", "/")}\"";

    /// <summary>A host running a node (store under <paramref name="storeName"/>) and the clients <paramref name="client"/> declares, with an <see cref="Inbox"/>.</summary>
    private IHost BuildHost(string storeName, ErrorLog errors, Func<AkkaBrokerClientBuilder, string, AkkaBrokerClientBuilder> client)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddProvider(errors);
        builder.Services.AddSingleton<Inbox>();
        builder.Services.AddAkkaBroker(NodeConfig.Load(null, [StoreOverride(storeName), Topics, .. FreePorts.NodeOverrides(out var nameServerPort, out _)]));
        builder.Services.AddAkkaBrokerClient(c => client(c, $"127.0.0.1:{nameServerPort}"));
        return builder.Build();
    }

    [Fact]
    public async Task A_host_runs_a_node_and_its_clients_delivers_to_a_DI_handler_and_stops_cleanly()
    {
        var errors = new ErrorLog();
        using var host = BuildHost("store", errors, (client, nameServer) => client
            .WithNameServers(nameServer)
            .WithShutdownTimeout(TimeSpan.FromSeconds(10))
            .AddProducer("orders", "PG_HOSTED")
            .AddConsumer<RecordingHandler>(c => new PushConsumerOptions
            {
                NamesrvAddr = c.NameServers, ConsumerGroup = "CG_HOSTED", ConsumeFromWhere = ConsumeFromWhere.ConsumeFromFirstOffset,
                LoggerFactory = c.LoggerFactory, RebalanceInterval = TimeSpan.FromSeconds(1),
            }, new TopicSubscription("Orders")));

        await host.StartAsync();
        var node = Assert.IsType<AkkaBrokerNode>(host.Services.GetRequiredService<AkkaBrokerNodeHolder>().Node);
        var broker = node.Broker!;
        var producers = host.Services.GetRequiredService<AkkaBrokerProducers>();
        Assert.Equal(["orders"], producers.Names);
        Assert.Equal(["CG_HOSTED"], host.Services.GetRequiredService<AkkaBrokerConsumers>().Groups);

        var sent = new List<SendResult>();
        for (var i = 0; i < 3; i++) sent.Add(await producers["orders"].SendAsync(new Message("Orders", $"order-{i}")));
        var inbox = host.Services.GetRequiredService<Inbox>();
        await WaitUntilAsync(() => inbox.Messages.Count >= 3, "three orders at the handler");
        Assert.Equal(sent.Select(s => s.MsgId).Order(), inbox.Messages.Select(m => m.MsgId).Order());
        Assert.Equal(3, inbox.HandlerInstances.Distinct().Count());   // scoped: a fresh handler per batch
        Assert.NotNull(broker.Consumers.Find("CG_HOSTED"));

        await host.StopAsync();

        // The client stopped before the node: its consumer committed its offsets and left the group while the node was up.
        Assert.Null(host.Services.GetRequiredService<AkkaBrokerNodeHolder>().Node);
        Assert.True(node.System.WhenTerminated.IsCompleted);
        foreach (var s in sent) Assert.True(broker.Offsets.Query("CG_HOSTED", "Orders", s.Queue.QueueId) > s.QueueOffset, $"offset of {s.Queue} committed");
        Assert.Null(broker.Consumers.Find("CG_HOSTED"));
        Assert.Empty(errors.Errors);
        Assert.Throws<MQClientException>(() => producers["orders"].ClientId);   // shut down
    }

    [Fact]
    public async Task A_client_declared_in_a_HOCON_file_uses_the_named_handler_and_leaves_its_group_on_stop()
    {
        await using var node = await EmbeddedNode.StartAsync(null, Topics);
        var file = Path.Combine(_dir, "client.conf");
        await File.WriteAllTextAsync(file, $$"""
            akkabroker.client {
              name-servers = ["{{node.NameServerAddress}}"]
              shutdown-timeout = 5s
              producers = [ { name = "orders", group = "PG_FROM_FILE", send-timeout = 5s } ]
              consumers = [
                { group = "CG_FROM_FILE", handler = "recorder", subscriptions = [ { topic = "Orders", expression = "paid || shipped" } ],
                  consume-from = CONSUME_FROM_FIRST_OFFSET, consume-message-batch-max-size = 4 }
              ]
            }
            """);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<Inbox>();
        builder.Services.AddAkkaBrokerClient(file, client => client.AddHandler<RecordingHandler>("recorder"));
        using var host = builder.Build();

        await host.StartAsync();
        var producer = host.Services.GetRequiredService<AkkaBrokerProducers>()["orders"];
        var paid = await producer.SendAsync(new Message("Orders", "paid order") { Tags = "paid" });
        await producer.SendAsync(new Message("Orders", "cart") { Tags = "browsing" });
        var shipped = await producer.SendAsync(new Message("Orders", "shipped order") { Tags = "shipped" });
        var inbox = host.Services.GetRequiredService<Inbox>();
        await WaitUntilAsync(() => inbox.Messages.Count >= 2, "the paid and shipped orders");
        await Task.Delay(300);
        Assert.Equal(["paid order", "shipped order"], inbox.Messages.Select(m => m.BodyText).Order());
        var group = node.Node.Broker!.Consumers.Find("CG_FROM_FILE");
        Assert.NotNull(group);
        Assert.Single(group.Members);

        await host.StopAsync();

        // The node is still up: the consumer really unregistered, and its offsets passed what it consumed.
        Assert.Null(node.Node.Broker!.Consumers.Find("CG_FROM_FILE"));
        foreach (var s in new[] { paid, shipped })
            Assert.True(node.Node.Broker!.Offsets.Query("CG_FROM_FILE", "Orders", s.Queue.QueueId) > s.QueueOffset, $"offset of {s.Queue} committed");
    }

    [Fact]
    public async Task An_orderly_consumer_declared_in_code_keeps_queue_order_and_retries_a_failed_message_in_place()
    {
        var errors = new ErrorLog();
        using var host = BuildHost("orderly", errors, (client, nameServer) => client
            .WithNameServers(nameServer)
            .AddProducer("orders", "PG_ORDERLY")
            .AddOrderlyConsumer<FlakyOrderedHandler>(c => new PushConsumerOptions
            {
                NamesrvAddr = c.NameServers, ConsumerGroup = "CG_ORDERLY", ConsumeFromWhere = ConsumeFromWhere.ConsumeFromFirstOffset,
                LoggerFactory = c.LoggerFactory, RebalanceInterval = TimeSpan.FromSeconds(1),
            }, new TopicSubscription("Orders")));
        await host.StartAsync();
        try
        {
            var producer = host.Services.GetRequiredService<AkkaBrokerProducers>()["orders"];
            // One sharding key: every message in queue 2.
            for (var i = 0; i < 6; i++) await producer.SendAsync(new Message("Orders", $"order-{i}"), (queues, _) => queues[2]);

            var inbox = host.Services.GetRequiredService<Inbox>();
            await WaitUntilAsync(() => inbox.Messages.Count >= 7, "six orders and one redelivery at the handler");
            await Task.Delay(300);
            // The failed message is handed over again before anything after it; nothing goes through a retry topic.
            Assert.Equal(["order-0", "order-1", "order-2", "order-3", "order-3", "order-4", "order-5"], inbox.Messages.Select(m => m.BodyText));
            Assert.All(inbox.Messages, m => Assert.Equal(("Orders", 2), (m.Topic, m.QueueId)));
            Assert.Equal(0, inbox.Messages.Last(m => m.BodyText == "order-3").ReconsumeTimes);
        }
        finally
        {
            await host.StopAsync();
        }

        Assert.Empty(errors.Errors);
    }

    [Theory]
    [InlineData("JSON", 0)]
    [InlineData("ROCKETMQ", 1)]
    public async Task Hosted_producers_encode_headers_as_the_HOCON_file_says(string serializeType, byte expected)
    {
        // A listener stands in for the name server: the route lookup of a first send is read off the socket.
        var nameServer = new TcpListener(IPAddress.Loopback, 0);
        nameServer.Start();
        try
        {
            var file = Path.Combine(_dir, "encoding.conf");
            await File.WriteAllTextAsync(file, $$"""
                akkabroker.client {
                  name-servers = ["127.0.0.1:{{((IPEndPoint)nameServer.LocalEndpoint).Port}}"]
                  serialize-type = {{serializeType}}
                  producers = [ { name = "from-file", send-timeout = 2s } ]
                }
                """);
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Services.AddAkkaBrokerClient(file, client => client.AddProducer("from-code", "PG_FROM_CODE"));
            using var host = builder.Build();
            await host.StartAsync();
            try
            {
                var producers = host.Services.GetRequiredService<AkkaBrokerProducers>();
                foreach (var name in new[] { "from-file", "from-code" })
                {
                    var accepted = nameServer.AcceptTcpClientAsync();
                    var send = producers[name].SendAsync(new Message("Orders", "x"));
                    using (var peer = await accepted.WaitAsync(TimeSpan.FromSeconds(10)))
                    {
                        var prefix = new byte[8];
                        await peer.GetStream().ReadExactlyAsync(prefix);
                        Assert.True(expected == prefix[4], $"{name}: serialize type {prefix[4]}, expected {expected}");
                    }

                    // The stand-in hung up without a route.
                    await Assert.ThrowsAnyAsync<Exception>(() => send);
                }
            }
            finally
            {
                await host.StopAsync();
            }
        }
        finally
        {
            nameServer.Stop();
        }
    }

    [Fact]
    public void Client_settings_read_from_HOCON_reject_mistakes_by_path()
    {
        static Config Load(string text) => Config.ParseString(text).WithFallback(ReferenceConfig.Load()).Resolve();

        var defaults = AkkaBrokerClientSettings.Create(Load(""));
        Assert.Equal(["127.0.0.1:9876"], defaults.NameServers);
        Assert.Equal(TimeSpan.FromSeconds(30), defaults.ShutdownTimeout);
        Assert.Empty(defaults.Producers);
        Assert.Empty(defaults.Consumers);
        Assert.Equal(SerializeType.Rocketmq, defaults.SerializeType);
        Assert.Equal(SerializeType.Json, AkkaBrokerClientSettings.Create(Load("akkabroker.client.serialize-type = JSON")).SerializeType);
        var encoding = Assert.ThrowsAny<ConfigException>(() => AkkaBrokerClientSettings.Create(Load("akkabroker.client.serialize-type = XML")));
        Assert.Contains("akkabroker.client.serialize-type", encoding.Message);

        var full = AkkaBrokerClientSettings.Create(Load("""
            akkabroker.client.producers = [ { name = a }, { name = b, group = PG_B, retry-times-when-send-failed = 0 } ]
            akkabroker.client.consumers = [ { group = CG, handler = h, subscriptions = [ { topic = T } ], message-model = BROADCASTING, orderly = true } ]
            """));
        Assert.Equal(new ProducerSettings("a", "a", TimeSpan.FromSeconds(3), 2), full.Producers[0]);
        Assert.Equal(new ProducerSettings("b", "PG_B", TimeSpan.FromSeconds(3), 0), full.Producers[1]);
        var consumer = Assert.Single(full.Consumers);
        Assert.Equal(("CG", "h", MessageModel.Broadcasting, true, 1, 16), (consumer.Group, consumer.Handler, consumer.MessageModel, consumer.Orderly,
            consumer.BatchSize, consumer.MaxReconsumeTimes));
        Assert.Equal(new TopicSubscription("T", "*"), Assert.Single(consumer.Subscriptions));

        var unknown = Assert.ThrowsAny<ConfigException>(() => AkkaBrokerClientSettings.Create(Load(
            "akkabroker.client.consumers = [ { group = CG, handler = h, subscriptions = [ { topic = T } ], batch-size = 4 } ]")));
        Assert.Contains("akkabroker.client.consumers.0.batch-size", unknown.Message);
        var noTopic = Assert.ThrowsAny<ConfigException>(() => AkkaBrokerClientSettings.Create(Load(
            "akkabroker.client.consumers = [ { group = CG, handler = h, subscriptions = [] } ]")));
        Assert.Contains("akkabroker.client.consumers.0.subscriptions", noTopic.Message);
        var twice = Assert.ThrowsAny<ConfigException>(() => AkkaBrokerClientSettings.Create(Load(
            "akkabroker.client.producers = [ { name = a }, { name = a } ]")));
        Assert.Contains("akkabroker.client.producers.1.name", twice.Message);
        var address = Assert.ThrowsAny<ConfigException>(() => AkkaBrokerClientSettings.Create(Load("akkabroker.client.name-servers = [localhost]")));
        Assert.Contains("akkabroker.client.name-servers", address.Message);
    }
}
