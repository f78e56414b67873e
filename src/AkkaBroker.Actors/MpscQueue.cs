using System.Runtime.InteropServices;

namespace AkkaBroker.Actors;

/// <summary>
/// Multi-producer, single-consumer FIFO queue that does not allocate per item in steady state.
/// The queue is a chain of ring segments (each a Vyukov-style bounded ring with a sequence number per slot).
/// Producers reserve a slot with one CAS and publish it with a release write; the single consumer reads
/// without atomics. While the backlog fits the current tail segment, that segment is reused as a ring forever;
/// when it is full, it is frozen and a segment twice as large (up to <see cref="MaxSegmentSize"/>) is linked
/// after it (this is the only allocation, and it happens only while the backlog grows beyond every size seen so far).
/// Frozen segments are never reused, which keeps the queue free of ABA hazards.
/// </summary>
internal sealed class MpscQueue<T>
{
    private const int InitialSegmentSize = 32;
    private const int MaxSegmentSize = 1 << 20;

    private Segment _head;            // consumer only
    private volatile Segment _tail;   // producers
    private readonly object _growLock = new();

    public MpscQueue()
    {
        _head = _tail = new Segment(InitialSegmentSize);
    }

    /// <summary>Enqueues an item (any thread).</summary>
    public void Enqueue(T item)
    {
        while (true)
        {
            var tail = _tail;
            if (tail.TryEnqueue(item)) return;
            Grow(tail);
        }
    }

    private void Grow(Segment full)
    {
        lock (_growLock)
        {
            if (_tail != full) return;
            full.Freeze();
            var next = new Segment(Math.Min(full.Capacity * 2, MaxSegmentSize));
            Volatile.Write(ref full.Next, next);
            _tail = next;
        }
    }

    /// <summary>Dequeues the oldest published item (consumer thread only).</summary>
    public bool TryDequeue(out T item)
    {
        var seg = _head;
        while (true)
        {
            if (seg.TryDequeue(out item)) return true;
            var next = NextIfDrained(seg);
            if (next is null) return false;
            _head = seg = next;
        }
    }

    /// <summary>Reads the oldest published item without removing it (consumer thread only).</summary>
    public bool TryPeek(out T item)
    {
        var seg = _head;
        while (true)
        {
            if (seg.TryPeek(out item)) return true;
            var next = NextIfDrained(seg);
            if (next is null) return false;
            _head = seg = next;
        }
    }

    /// <summary>True when no published item is waiting (exact on the consumer thread).</summary>
    public bool IsEmpty => !TryPeek(out _);

    private static Segment? NextIfDrained(Segment seg)
    {
        if (!seg.IsFrozen || seg.HasUnconsumedReservations) return null;
        return Volatile.Read(ref seg.Next);
    }

    private struct Slot
    {
        public T Item;
        public int Sequence;
    }

    private sealed class Segment
    {
        private readonly Slot[] _slots;
        private readonly int _mask;
        private PaddedHeadAndTail _pos;
        private volatile bool _frozen;
        public Segment? Next;

        public Segment(int capacity)
        {
            _slots = new Slot[capacity];
            _mask = capacity - 1;
            for (var i = 0; i < capacity; i++) _slots[i].Sequence = i;
        }

        public int Capacity => _slots.Length;
        private int FreezeOffset => _slots.Length * 2;
        public bool IsFrozen => _frozen;

        /// <summary>After freezing: true while some slot reserved before the freeze is not consumed yet.</summary>
        public bool HasUnconsumedReservations => _pos.Head != Volatile.Read(ref _pos.Tail) - FreezeOffset;

        public bool TryEnqueue(T item)
        {
            var slots = _slots;
            while (true)
            {
                var tail = Volatile.Read(ref _pos.Tail);
                ref var slot = ref slots[tail & _mask];
                var diff = Volatile.Read(ref slot.Sequence) - tail;
                if (diff == 0)
                {
                    if (Interlocked.CompareExchange(ref _pos.Tail, tail + 1, tail) == tail)
                    {
                        slot.Item = item;
                        Volatile.Write(ref slot.Sequence, tail + 1);
                        return true;
                    }
                }
                else if (diff < 0)
                {
                    return false; // full (or frozen)
                }
            }
        }

        public void Freeze()
        {
            if (_frozen) return; // only called under the grow lock
            Interlocked.Add(ref _pos.Tail, FreezeOffset);
            _frozen = true;
        }

        public bool TryDequeue(out T item)
        {
            var head = _pos.Head;
            ref var slot = ref _slots[head & _mask];
            if (Volatile.Read(ref slot.Sequence) == head + 1)
            {
                item = slot.Item;
                slot.Item = default!;
                Volatile.Write(ref slot.Sequence, head + _slots.Length);
                _pos.Head = head + 1;
                return true;
            }
            item = default!;
            return false;
        }

        public bool TryPeek(out T item)
        {
            var head = _pos.Head;
            ref var slot = ref _slots[head & _mask];
            if (Volatile.Read(ref slot.Sequence) == head + 1)
            {
                item = slot.Item;
                return true;
            }
            item = default!;
            return false;
        }
    }
}

/// <summary>Consumer and producer positions of a ring segment, on separate cache lines (no false sharing).</summary>
[StructLayout(LayoutKind.Explicit, Size = 3 * 128)]
internal struct PaddedHeadAndTail
{
    [FieldOffset(128)] public int Head;
    [FieldOffset(256)] public int Tail;
}
