'use strict';

// Where a new consumer group starts. Batch A is produced, then (after a gap of seconds) batch B.
// - CONSUME_FROM_FIRST_OFFSET: everything.
// - CONSUME_FROM_LAST_OFFSET / CONSUME_FROM_TIMESTAMP: ali-ons first asks QUERY_CONSUMER_OFFSET; a RocketMQ broker
//   answers 0 for a group without an offset on a queue that still starts at 0 (reference 3.3), so on this young
//   topic these groups also start at 0. Only when that query fails does ali-ons use GET_MAX_OFFSET (last) or
//   SEARCH_OFFSET_BY_TIMESTAMP (timestamp); the third test checks the broker's answers to exactly those calls,
//   made through ali-ons' own client API.

const test = require('node:test');
const assert = require('node:assert/strict');
const { withServer } = require('../lib/harness');
const { startProducer, startConsumer, ownedQueues, waitFor, makeMessage, snapshot, sleep } = require('../lib/ons');

const TOPIC = 'CompatWhereTopic'; // 4 queues
const ctx = withServer();
const state = {};

/** ali-ons' consumeTimestamp format: local time, to the second, "yyyyMMddHHmmss". */
function consumeTimestamp(ms) {
  const d = new Date(ms);
  const p = n => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

async function sendSerially(producer, prefix, count) {
  const results = [];
  for (let i = 0; i < count; i++) {
    const r = await producer.send(makeMessage(TOPIC, 'W', `${prefix}-${i}`, `${prefix}-body-${i}`));
    results.push({ ...r, queueId: Number(r.messageQueue.queueId) });
  }
  return results;
}

async function consumeAll(group, options, label, expectedIds) {
  const got = [];
  const consumer = ctx.track(await startConsumer(ctx.server, { group, topic: TOPIC, label, options, handler: async msg => { got.push(snapshot(msg, label)); } }));
  await waitFor(() => ownedQueues(consumer, TOPIC).length === 4, 20000, () => `${label} owns all 4 queues: ${ownedQueues(consumer, TOPIC)}`);
  await waitFor(() => got.length >= expectedIds.size, 20000, () => `${label} received ${expectedIds.size} (has ${got.length})`);
  await sleep(1500);
  return got;
}

test('produce batch A, wait, produce batch B', { timeout: 30000 }, async () => {
  const producer = ctx.track(await startProducer(ctx.server, 'CompatWhereProducer'));
  state.beforeA = Date.now() - 1000;
  state.a = await sendSerially(producer, 'where-a', 20);
  // Split on a whole second well clear of both batches (consumeTimestamp has 1 s resolution).
  state.split = Math.ceil((Date.now() + 2500) / 1000) * 1000;
  while (Date.now() < state.split + 20) await sleep(10);
  state.b = await sendSerially(producer, 'where-b', 20);
  state.producer = producer;
  for (const r of [ ...state.a, ...state.b ]) assert.equal(r.sendStatus, 'SEND_OK');
  assert.equal(new Set(state.a.map(r => r.queueId)).size, 4, 'batch A covers all 4 queues');
  assert.equal(new Set(state.b.map(r => r.queueId)).size, 4, 'batch B covers all 4 queues');
});

test('CONSUME_FROM_FIRST_OFFSET: a new group receives every message in the topic, once', { timeout: 60000 }, async () => {
  assert.ok(state.b, 'batches produced');
  const ids = new Set([ ...state.a, ...state.b ].map(r => r.msgId));
  const got = await consumeAll('CompatWhereFirst', { consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' }, 'where-first', ids);
  assert.equal(got.length, 40);
  assert.deepEqual(new Set(got.map(d => d.msgId)), ids);
});

test('CONSUME_FROM_LAST_OFFSET and CONSUME_FROM_TIMESTAMP: new groups on a queue that still starts at 0 start at 0', { timeout: 60000 }, async () => {
  assert.ok(state.b, 'batches produced');
  const ids = new Set([ ...state.a, ...state.b ].map(r => r.msgId));
  const last = await consumeAll('CompatWhereLast', { consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET' }, 'where-last', ids);
  assert.equal(last.length, 40, 'LAST group: every message, once');
  assert.deepEqual(new Set(last.map(d => d.msgId)), ids);
  const ts = await consumeAll('CompatWhereTimestamp', {
    consumeFromWhere: 'CONSUME_FROM_TIMESTAMP', consumeTimestamp: consumeTimestamp(state.split),
  }, 'where-ts', ids);
  assert.equal(ts.length, 40, 'TIMESTAMP group: every message, once');
  assert.deepEqual(new Set(ts.map(d => d.msgId)), ids);
});

test('GET_MAX_OFFSET and SEARCH_OFFSET_BY_TIMESTAMP answer what ali-ons\' LAST and TIMESTAMP starts use', { timeout: 30000 }, async () => {
  assert.ok(state.b, 'batches produced');
  const client = state.producer._mqClient; // ali-ons' MQClient: the same calls computePullFromWhere() makes
  for (let q = 0; q < 4; q++) {
    const mq = { topic: TOPIC, brokerName: state.a[0].messageQueue.brokerName, queueId: q };
    const inA = state.a.filter(r => r.queueId === q);
    const inB = state.b.filter(r => r.queueId === q);
    const max = await client.maxOffset(mq);
    assert.equal(max, inA.length + inB.length, `queue ${q}: GET_MAX_OFFSET is the number of messages`);
    const firstB = Math.min(...inB.map(r => r.queueOffset));
    assert.equal(firstB, inA.length);
    const atSplit = await client.searchOffset(mq, new Date(state.split).getTime());
    assert.equal(atSplit, firstB, `queue ${q}: SEARCH_OFFSET_BY_TIMESTAMP at the split is batch B's first offset`);
    // ali-ons turns the consumeTimestamp string back into milliseconds the same way.
    const viaString = await client.searchOffset(mq, require('ali-ons/lib/utils').parseDate(consumeTimestamp(state.split)).getTime());
    assert.equal(viaString, firstB, `queue ${q}: same through the consumeTimestamp string`);
    const early = await client.searchOffset(mq, state.beforeA);
    assert.equal(early, 0, `queue ${q}: a time before every message finds offset 0`);
  }
});
