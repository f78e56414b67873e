using AkkaBroker.Actors;
using AkkaBroker.Broker.Topics;
using AkkaBroker.Protocol.Json;
using AkkaBroker.Protocol.Remoting;
using AkkaBroker.Remoting;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Broker.Registration;

/// <summary>
/// Registers the broker and its topics with every name server (DESIGN.md §3 NameServerRegistrar): at start, every
/// <c>register-name-server-period</c>, and soon after any topic change so a new topic is routable at once. Requests
/// that arrive while a registration runs are folded into one more round. Unregisters on stop.
/// </summary>
public sealed class NameServerRegistrar : ActorBase
{
    /// <summary>Registers now; the reply (to a non-null sender) is <see cref="Registered"/>.</summary>
    public sealed record RegisterNow
    {
        /// <summary>The one instance.</summary>
        public static readonly RegisterNow Instance = new();
    }

    /// <summary>The outcome of a round: how many name servers accepted the registration.</summary>
    public sealed record Registered(int Succeeded, int Total);

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(6);
    private readonly BrokerSettings _settings;
    private readonly TopicConfigManager _topics;
    private readonly RemotingClient _client = new(new RemotingOptions { IdleTimeout = Timeout.InfiniteTimeSpan });
    private readonly List<IActorRef> _waiting = [];
    private bool _running;
    private bool _again;

    private NameServerRegistrar(BrokerSettings settings, TopicConfigManager topics)
    {
        _settings = settings;
        _topics = topics;
    }

    /// <summary>Props for the registrar of a broker.</summary>
    public static Props Props(BrokerSettings settings, TopicConfigManager topics) =>
        Actors.Props.Create(() => new NameServerRegistrar(settings, topics));

    /// <inheritdoc />
    protected override void PreStart() => Timers.StartPeriodicTimer("register", Tick.Instance, _settings.RegisterNameServerPeriod);

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case RegisterNow:
                if (Sender is { } s && !s.Equals(Context.System.DeadLetters)) _waiting.Add(s);
                StartRound();
                break;
            case Tick:
                StartRound();
                break;
            case Registered done:
                _running = false;
                foreach (var waiter in _waiting) waiter.Tell(done);
                _waiting.Clear();
                if (_again)
                {
                    _again = false;
                    StartRound();
                }

                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <inheritdoc />
    protected override void PostStop()
    {
        try
        {
            UnregisterAllAsync().Wait(RequestTimeout);
        }
        catch (AggregateException)
        {
            // Best effort: the name servers expire the broker when its connection closes anyway.
        }

        _client.DisposeAsync().AsTask().Wait(RequestTimeout);
    }

    private void StartRound()
    {
        if (_running)
        {
            _again = true;
            return;
        }

        _running = true;
        var self = Self;
        var log = Context.Log;
        RegisterAllAsync(log).ContinueWith(t => self.Tell(t.IsCompletedSuccessfully ? t.Result : new Registered(0, _settings.NamesrvAddr.Count)),
            TaskScheduler.Default);
    }

    private async Task<Registered> RegisterAllAsync(ILogger log)
    {
        var body = RemotingJson.Serialize(new RegisterBrokerBody { TopicConfigSerializeWrapper = _topics.Snapshot() });
        var header = new RegisterBrokerRequestHeader(_settings.BrokerName, BrokerAddress, _settings.BrokerClusterName, HaAddress, _settings.BrokerId);
        var results = await Task.WhenAll(_settings.NamesrvAddr.Select(async address =>
        {
            try
            {
                var request = RemotingCommand.CreateRequest(RequestCode.RegisterBroker, header.ToExtFields(), body);
                var response = await InvokeAsync(address, request).ConfigureAwait(false);
                if (response.Code == ResponseCode.Success) return true;
                log.LogWarning("Name server {Address} refused the registration: {Code} {Remark}", address, response.Code, response.Remark);
            }
            catch (Exception e) when (e is RemotingTimeoutException or RemotingConnectionException or TimeoutException or IOException or FormatException or ObjectDisposedException)
            {
                log.LogWarning("Cannot register with name server {Address}: {Reason}", address, e.Message);
            }

            return false;
        })).ConfigureAwait(false);
        return new Registered(results.Count(r => r), results.Length);
    }

    private async Task UnregisterAllAsync()
    {
        var header = new UnregisterBrokerRequestHeader(_settings.BrokerName, BrokerAddress, _settings.BrokerClusterName, _settings.BrokerId);
        await Task.WhenAll(_settings.NamesrvAddr.Select(async address =>
        {
            try
            {
                await InvokeAsync(address, RemotingCommand.CreateRequest(RequestCode.UnregisterBroker, header.ToExtFields())).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RemotingTimeoutException or RemotingConnectionException or TimeoutException or IOException or FormatException or ObjectDisposedException)
            {
                // Best effort at shutdown.
            }
        })).ConfigureAwait(false);
    }

    private async Task<RemotingCommand> InvokeAsync(string address, RemotingCommand request)
    {
        var connection = await _client.ConnectAsync(address).ConfigureAwait(false);
        return await connection.InvokeAsync(request, RequestTimeout).ConfigureAwait(false);
    }

    private string BrokerAddress => $"{_settings.BrokerIp1}:{_settings.ListenPort}";

    private string HaAddress => $"{(_settings.BrokerIp2.Length > 0 ? _settings.BrokerIp2 : _settings.BrokerIp1)}:{_settings.HaListenPort}";
}
