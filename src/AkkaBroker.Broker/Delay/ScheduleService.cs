using System.Buffers;
using System.Globalization;
using AkkaBroker.Actors;
using AkkaBroker.Broker.Storage;
using AkkaBroker.Broker.Topics;
using AkkaBroker.Protocol;
using AkkaBroker.Store;
using AkkaBroker.Store.Config;
using Microsoft.Extensions.Logging;

namespace AkkaBroker.Broker.Delay;

/// <summary>
/// Delivers delayed messages (DESIGN.md §3 Scheduler; reference §4.8): a message with DELAY=n waits in
/// SCHEDULE_TOPIC_XXXX queue n-1, whose ConsumeQueue tag code is its delivery time. Every tick this actor walks
/// each level's queue from its delivered offset, and for every message that is due stores a copy in its real
/// topic and queue (DELAY, REAL_TOPIC and REAL_QID removed), advancing the level's offset only once the copy is
/// stored. The next tick comes when the earliest message still waiting falls due, at least 100 ms and at most 1 s
/// (or the shortest level, if shorter) later: a message stored meanwhile is seen by then, and is due no sooner than
/// that. RocketMQ (and this actor before) looked every 100 ms, which woke an idle broker ten times a second. Offsets
/// persist in <c>config/delayOffset.json</c> each tick that moved one and at stop, so delivery resumes after a
/// restart (at worst a message is delivered twice, never lost).
/// </summary>
public sealed class ScheduleService : ActorBase
{
    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }

    // NextDue: the Unix time (ms) the earliest message still waiting falls due; long.MaxValue when none waits.
    private sealed record Delivered(Dictionary<int, long> Offsets, string? Problem, long NextDue);

    private static readonly TimeSpan MinWait = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(1);
    private const int MaxPerLevelPerTick = 256;
    private readonly MessageStore _store;
    private readonly string _path;
    private readonly Dictionary<int, long> _offsets;
    private readonly IReadOnlyList<TimeSpan> _levels;
    private readonly TimeSpan _idleWait;
    private bool _running;
    private bool _dirty;

    private ScheduleService(MessageStore store, string configDir)
    {
        _store = store;
        _levels = store.Settings.MessageDelayLevels;
        _idleWait = IdleWait(_levels);
        _path = Path.Combine(configDir, DelayOffsetTable.FileName);
        _offsets = new Dictionary<int, long>(ConfigJson.Load<DelayOffsetTable>(_path).Value.Offsets);
    }

    /// <summary>Props for the scheduler over <paramref name="store"/>, keeping its offsets in <paramref name="configDir"/>.</summary>
    public static Props Props(MessageStore store, string configDir) => Actors.Props.Create(() => new ScheduleService(store, configDir));

    /// <summary>The next offset to deliver per level (for GET_ALL_DELAY_OFFSET and tests).</summary>
    public sealed record GetOffsets
    {
        /// <summary>The one instance.</summary>
        public static readonly GetOffsets Instance = new();
    }

    /// <inheritdoc />
    protected override void PreStart() => Timers.StartSingleTimer("deliver", Tick.Instance, TimeSpan.FromSeconds(1));

    /// <inheritdoc />
    protected override void PostStop() => Persist();

    /// <inheritdoc />
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Tick when !_running:
                _running = true;
                var self = Self;
                var start = new Dictionary<int, long>(_offsets);
                DeliverDueAsync(start).ContinueWith(
                    t => self.Tell(t.IsCompletedSuccessfully ? t.Result : new Delivered(start, t.Exception?.GetBaseException().Message, 0)),
                    TaskScheduler.Default);
                break;
            case Tick:
                break;
            case Delivered d:
                _running = false;
                foreach (var (level, offset) in d.Offsets)
                {
                    if (_offsets.GetValueOrDefault(level) == offset) continue;
                    _offsets[level] = offset;
                    _dirty = true;
                }

                if (d.Problem is not null) Context.Log.LogWarning("Delivering delayed messages failed: {Problem}", d.Problem);
                if (_dirty) Persist();
                Timers.StartSingleTimer("deliver", Tick.Instance, NextWait(d.NextDue, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _idleWait));
                break;
            case GetOffsets:
                Sender.Tell(new Dictionary<int, long>(_offsets));
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private async Task<Delivered> DeliverDueAsync(Dictionary<int, long> offsets)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var buffer = new ArrayBufferWriter<byte>(4096);
        var nextDue = long.MaxValue;
        for (var level = 1; level <= _levels.Count; level++)
        {
            var queueId = level - 1;
            var offset = Math.Max(offsets.GetValueOrDefault(level), _store.GetMinOffset(SystemTopics.Schedule, queueId));
            var end = _store.GetMaxOffset(SystemTopics.Schedule, queueId);
            for (var n = 0; offset < end; n++)
            {
                // Left for the next tick (a full batch, a unit not readable yet): that tick should come soon.
                if (n == MaxPerLevelPerTick || !_store.TryGetUnit(SystemTopics.Schedule, queueId, offset, out var unit))
                {
                    nextDue = now;
                    break;
                }

                if (unit.TagsCode > now)
                {
                    nextDue = Math.Min(nextDue, unit.TagsCode); // units are in delivery order within a level
                    break;
                }

                buffer.ResetWrittenCount();
                if (!_store.LookUpByPhysicalOffset(unit.PhysicalOffset, buffer))
                {
                    // Its unit is visible before the Dispatcher publishes its progress past the record: try next tick, never skip it.
                    if (unit.PhysicalOffset >= _store.DispatchedOffset)
                    {
                        nextDue = now;
                        break;
                    }
                }
                else if (!await RedeliverAsync(buffer.WrittenMemory).ConfigureAwait(false))
                {
                    return new Delivered(offsets, $"level {level} offset {offset}: the store refused the copy; retrying", now);
                }

                offset++;
                offsets[level] = offset;
            }
        }

        return new Delivered(offsets, null, nextDue);
    }

    /// <summary>How long to wait before the next look when nothing is due sooner: 1 s, or the shortest level if shorter.</summary>
    internal static TimeSpan IdleWait(IReadOnlyList<TimeSpan> levels) =>
        TimeSpan.FromTicks(Math.Clamp(levels.Min().Ticks, MinWait.Ticks, MaxWait.Ticks));

    /// <summary>
    /// The wait before the next look, given when the earliest waiting message falls due (<paramref name="nextDue"/>,
    /// Unix ms; long.MaxValue: none waits): until then, but at least 100 ms and at most <paramref name="idleWait"/>.
    /// </summary>
    internal static TimeSpan NextWait(long nextDue, long now, TimeSpan idleWait)
    {
        if (nextDue == long.MaxValue) return idleWait;
        var wait = TimeSpan.FromMilliseconds(Math.Max(0, nextDue - now));
        return wait < MinWait ? MinWait : wait > idleWait ? idleWait : wait;
    }

    private async Task<bool> RedeliverAsync(ReadOnlyMemory<byte> record)
    {
        var put = Copy(record.Span, out var skip);
        if (skip) return true; // unreadable or without a real topic: nothing to deliver, never block the level
        var result = await _store.PutAsync(put).ConfigureAwait(false);
        return result.IsStored || result.Status == PutMessageStatus.MessageIllegal;
    }

    private static PutMessageRequest Copy(ReadOnlySpan<byte> bytes, out bool skip)
    {
        skip = false;
        if (MessageRecord.TryRead(bytes, checkCrc: false, out var view) != RecordReadStatus.Ok)
        {
            skip = true;
            return null!;
        }

        var properties = MessageProperties.Parse(view.Properties);
        if (!properties.Remove(MessageProperties.RealTopic, out var topic) ||
            !properties.Remove(MessageProperties.RealQueueId, out var queue) ||
            !int.TryParse(queue, NumberStyles.Integer, CultureInfo.InvariantCulture, out var queueId))
        {
            skip = true;
            return null!;
        }

        properties.Remove(MessageProperties.DelayLevel);
        var put = PutMessageRequest.CopyOf(view, topic, queueId, view.ReconsumeTimes);
        put.Properties = MessageProperties.Format(properties);
        put.WaitStoreMsgOk = false;
        return put;
    }

    private void Persist()
    {
        try
        {
            ConfigJson.Save(_path, new DelayOffsetTable { Offsets = new Dictionary<int, long>(_offsets) });
            _dirty = false;
        }
        catch (IOException e)
        {
            Context.Log.LogError(e, "Could not save {Path}", _path);
        }
    }
}
