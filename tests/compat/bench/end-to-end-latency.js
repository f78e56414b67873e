'use strict';

// Measurement, not a test: end-to-end latency (producer.send called -> consumer handler runs) with ali-ons at a
// steady 5,000 messages/s (1 KiB bodies). Prints one line with p50 / p99.
// Usage: node bench/end-to-end-latency.js [seconds=20] [rate=5000]   (starts its own akkabroker on free ports)

const { BrokerServer } = require('../lib/server');
const { startInnerProducer, closeInnerProducer, startProducer, startConsumer, ownedQueues, waitFor, makeMessage, sleep } = require('../lib/ons');

const TOPIC = 'CompatBenchTopic';
const seconds = Number(process.argv[2] || 20);
const rate = Number(process.argv[3] || 5000);

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

(async () => {
  const server = new BrokerServer({ name: 'bench-end-to-end' });
  await server.start();
  const clients = [];
  try {
    await startInnerProducer(server);
    const sentAt = new Map();
    const latencies = [];
    const consumer = await startConsumer(server, {
      group: 'CompatBenchE2EGroup', topic: TOPIC, label: 'bench-e2e',
      options: { consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET' },
      handler: async msg => {
        const t0 = sentAt.get(msg.keys);
        if (t0 !== undefined) {
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          sentAt.delete(msg.keys);
        }
      },
    });
    clients.push(consumer);
    await waitFor(() => ownedQueues(consumer, TOPIC).length === 8, 30000, 'consumer owns the 8 bench queues');
    const producer = await startProducer(server, 'CompatBenchE2EProducer');
    clients.push(producer);
    const body = Buffer.alloc(1024, 'y');
    for (let i = 0; i < 200; i++) await producer.send(makeMessage(TOPIC, 'warm', `warm-${i}`, body));

    // Open-loop schedule: message n is due at start + n / rate, whatever earlier sends are doing.
    const total = Math.round(seconds * rate);
    const start = process.hrtime.bigint();
    const inflight = new Set();
    let failures = 0;
    for (let n = 0; n < total; n++) {
      const due = start + BigInt(Math.round((n * 1e9) / rate));
      const wait = Number(due - process.hrtime.bigint()) / 1e6;
      if (wait > 1) await sleep(wait);
      const key = `e2e-${n}`;
      sentAt.set(key, process.hrtime.bigint());
      const p = producer.send(makeMessage(TOPIC, 'e2e', key, body)).catch(() => { failures++; sentAt.delete(key); });
      inflight.add(p);
      p.finally(() => inflight.delete(p));
    }
    const offeredSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    await Promise.all(inflight);
    await waitFor(() => sentAt.size === 0, 30000, () => `every message consumed (${sentAt.size} outstanding)`).catch(() => {});
    latencies.sort((a, b) => a - b);
    console.log(`ali-ons end-to-end: p50 ${percentile(latencies, 0.5).toFixed(2)} ms p99 ${percentile(latencies, 0.99).toFixed(2)} ms `
      + `at ${(total / offeredSeconds).toFixed(0)} msg/s offered (target ${rate}), 1 KiB bodies, `
      + `${latencies.length}/${total} consumed, ${failures} send failures, ${sentAt.size} missing`);
  } finally {
    for (const c of clients.reverse()) await c.close().catch(() => {});
    await closeInnerProducer();
    await server.dispose();
    process.exit(0);
  }
})().catch(err => { console.error(err); process.exit(1); });
