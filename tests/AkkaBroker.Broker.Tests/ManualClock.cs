namespace AkkaBroker.Broker.Tests;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.UnixEpoch.AddDays(20_000);

    /// <summary>The zone local days are counted in (UTC unless a test sets another).</summary>
    public TimeZoneInfo Zone { get; set; } = TimeZoneInfo.Utc;

    public override DateTimeOffset GetUtcNow() => _now;

    public override TimeZoneInfo LocalTimeZone => Zone;

    public void Advance(TimeSpan by) => _now += by;
}
