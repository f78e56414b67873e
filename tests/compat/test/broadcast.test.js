'use strict';

// Broadcast mode: every consumer of the group pulls every queue and receives every message.

const test = require('node:test');
const assert = require('node:assert/strict');
const { withServer } = require('../lib/harness');
const { startProducer, startConsumer, ownedQueues, waitFor, sendAll, makeMessage, snapshot, sleep } = require('../lib/ons');

const TOPIC = 'CompatBroadcastTopic'; // 4 queues
const GROUP = 'CompatBroadcastGroup';
const COUNT = 100;
const ctx = withServer();

test('two broadcast consumers of one group each receive all messages', { timeout: 90000 }, async () => {
  const got = { b1: [], b2: [] };
  const options = { isBroadcast: true }; // offsets stay in memory (persistent: false)
  const b1 = ctx.track(await startConsumer(ctx.server, { group: GROUP, topic: TOPIC, label: 'broadcast-b1', options, handler: async msg => { got.b1.push(snapshot(msg, 'b1')); } }));
  const b2 = ctx.track(await startConsumer(ctx.server, { group: GROUP, topic: TOPIC, label: 'broadcast-b2', options, handler: async msg => { got.b2.push(snapshot(msg, 'b2')); } }));
  await waitFor(() => ownedQueues(b1, TOPIC).length === 4 && ownedQueues(b2, TOPIC).length === 4, 20000,
    () => `both broadcast consumers pull all 4 queues: b1=${ownedQueues(b1, TOPIC)} b2=${ownedQueues(b2, TOPIC)}`);

  const producer = ctx.track(await startProducer(ctx.server, 'CompatBroadcastProducer'));
  const sent = await sendAll(producer, Array.from({ length: COUNT }, (_, i) => makeMessage(TOPIC, 'B', `bc-${i}`, `broadcast-${i}`)));
  const ids = new Set(sent.map(r => r.msgId));
  assert.equal(ids.size, COUNT);

  await waitFor(() => got.b1.length >= COUNT && got.b2.length >= COUNT, 30000,
    () => `each broadcast consumer has ${COUNT} (b1=${got.b1.length}, b2=${got.b2.length})`);
  await sleep(1000);
  for (const name of [ 'b1', 'b2' ]) {
    assert.equal(got[name].length, COUNT, `${name} got each message once`);
    assert.deepEqual(new Set(got[name].map(d => d.msgId)), ids, `${name} got exactly the msgIds the sends returned`);
    for (const d of got[name]) assert.equal(d.reconsumeTimes, 0);
  }
});
