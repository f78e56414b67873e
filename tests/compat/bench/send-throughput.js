'use strict';

// Measurement, not a test: one process, one ali-ons producer, 64 sends in flight, 1 KiB bodies.
// Prints one line: messages/s and the median / p99 send latency.
// Usage: node bench/send-throughput.js [seconds=20]   (starts its own akkabroker on free ports)

const { BrokerServer } = require('../lib/server');
const { startInnerProducer, closeInnerProducer, startProducer, makeMessage } = require('../lib/ons');

const TOPIC = 'CompatBenchTopic';
const CONCURRENCY = 64;
const seconds = Number(process.argv[2] || 20);

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

(async () => {
  const server = new BrokerServer({ name: 'bench-send-throughput' });
  await server.start();
  let producer;
  try {
    await startInnerProducer(server);
    producer = await startProducer(server, 'CompatBenchProducer');
    const body = Buffer.alloc(1024, 'x');
    // Warm-up: routes, connections, JIT on both sides.
    for (let i = 0; i < 500; i++) await producer.send(makeMessage(TOPIC, 'bench', null, body));

    const latencies = [];
    let failures = 0;
    const start = process.hrtime.bigint();
    const end = start + BigInt(seconds * 1e9);
    async function worker() {
      while (process.hrtime.bigint() < end) {
        const t0 = process.hrtime.bigint();
        try {
          await producer.send(makeMessage(TOPIC, 'bench', null, body));
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        } catch {
          failures++;
        }
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    latencies.sort((a, b) => a - b);
    console.log(`ali-ons send: ${(latencies.length / elapsed).toFixed(0)} msg/s, 1 KiB bodies, ${CONCURRENCY} in flight, `
      + `latency p50 ${percentile(latencies, 0.5).toFixed(2)} ms p99 ${percentile(latencies, 0.99).toFixed(2)} ms `
      + `(${latencies.length} sent in ${elapsed.toFixed(1)} s, ${failures} failed)`);
  } finally {
    if (producer) await producer.close().catch(() => {});
    await closeInnerProducer();
    await server.dispose();
    process.exit(0);
  }
})().catch(err => { console.error(err); process.exit(1); });
