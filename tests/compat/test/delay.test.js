'use strict';

// Delayed messages (DELAY property = level; 1 s, 5 s, 10 s per reference 8.1) reach the consumer no earlier than
// their level's delay after the send, and not long after it; a message without delay arrives at once.

const test = require('node:test');
const assert = require('node:assert/strict');
const { withServer } = require('../lib/harness');
const { startProducer, startConsumer, ownedQueues, waitFor, makeMessage, snapshot, sleep } = require('../lib/ons');

const TOPIC = 'CompatDelayTopic'; // 4 queues
const ctx = withServer();
const LEVELS = [ { level: 1, ms: 1000 }, { level: 2, ms: 5000 }, { level: 3, ms: 10000 } ];
const LATE_MS = 5000;

test('delayed messages arrive no earlier than their level and within seconds of it', { timeout: 60000 }, async () => {
  const got = [];
  const consumer = ctx.track(await startConsumer(ctx.server, {
    group: 'CompatDelayGroup', topic: TOPIC, label: 'delay-consumer', handler: async msg => { got.push(snapshot(msg, 'd')); },
  }));
  await waitFor(() => ownedQueues(consumer, TOPIC).length === 4, 20000, () => `consumer owns all 4 queues: ${ownedQueues(consumer, TOPIC)}`);

  const producer = ctx.track(await startProducer(ctx.server, 'CompatDelayProducer'));
  const sent = [];
  for (const { level, ms } of [ ...LEVELS ].reverse()) { // longest first, so arrival order must be the reverse
    for (let i = 0; i < 2; i++) {
      const msg = makeMessage(TOPIC, 'D', `delay-${level}-${i}`, `delayed by level ${level}`);
      msg.delayTimeLevel = level;
      const at = Date.now();
      const r = await producer.send(msg);
      assert.equal(r.sendStatus, 'SEND_OK');
      sent.push({ key: `delay-${level}-${i}`, level, ms, at, result: r });
    }
  }
  const plainAt = Date.now();
  const plain = await producer.send(makeMessage(TOPIC, 'D', 'delay-none', 'not delayed'));

  await waitFor(() => got.some(d => d.keys === 'delay-none'), 5000, 'the undelayed message');
  const plainGot = got.find(d => d.keys === 'delay-none');
  assert.equal(plainGot.msgId, plain.msgId);
  assert.ok(plainGot.at - plainAt < 3000, `undelayed message took ${plainGot.at - plainAt} ms`);

  await waitFor(() => got.length >= sent.length + 1, 10000 + LATE_MS + 2000, () => `all ${sent.length} delayed messages (have ${got.length - 1})`);
  await sleep(1000);
  assert.equal(got.length, sent.length + 1, 'each message delivered once');

  for (const s of sent) {
    const d = got.find(x => x.keys === s.key);
    assert.ok(d, `${s.key} consumed`);
    const waited = d.at - s.at;
    assert.ok(waited >= s.ms, `${s.key}: arrived after ${waited} ms, level ${s.level} is ${s.ms} ms`);
    assert.ok(waited <= s.ms + LATE_MS, `${s.key}: arrived ${waited - s.ms} ms after due`);
    assert.equal(d.topic, TOPIC, `${s.key}: delivered on its real topic`);
    assert.equal(d.queueId, Number(s.result.messageQueue.queueId), `${s.key}: delivered on the queue the send chose`);
    assert.equal(d.properties.DELAY, undefined, `${s.key}: DELAY removed when delivered`);
    assert.equal(d.body.toString(), `delayed by level ${s.level}`);
    assert.equal(d.reconsumeTimes, 0);
    // The delivered record is a new one written at due time (RocketMQ gives it a new offset msgId).
    assert.ok(d.storeTimestamp >= s.at + s.ms - 50, `${s.key}: stored in the real topic at due time`);
  }
  // Level order: every level-1 message before any level-2 one, and so on.
  const arrival = got.filter(d => d.keys !== 'delay-none').map(d => Number(d.keys.split('-')[1]));
  assert.deepEqual(arrival, [ ...arrival ].sort((a, b) => a - b), `arrival order by level: ${arrival}`);
});
