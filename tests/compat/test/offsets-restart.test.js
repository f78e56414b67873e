'use strict';

// Consumer offsets committed by ali-ons (UPDATE_CONSUMER_OFFSET, every second here and on close) survive a
// consumer restart and a broker restart (SIGTERM, same store directory and ports); so do the messages.

const test = require('node:test');
const assert = require('node:assert/strict');
const { withServer } = require('../lib/harness');
const { request, RequestCode } = require('../lib/remoting');
const { startProducer, startConsumer, ownedQueues, waitFor, sendAll, makeMessage, snapshot, closeClient, sleep } = require('../lib/ons');

const TOPIC = 'CompatOffsetTopic'; // 4 queues
const GROUP = 'CompatOffsetGroup';
const ctx = withServer();
const state = { all: [] };

async function brokerOffsets(query) {
  const offsets = [];
  for (let q = 0; q < 4; q++) {
    const code = query === 'max' ? RequestCode.GET_MAX_OFFSET : RequestCode.QUERY_CONSUMER_OFFSET;
    const fields = query === 'max' ? { topic: TOPIC, queueId: q } : { topic: TOPIC, consumerGroup: GROUP, queueId: q };
    const reply = await request(ctx.server.brokerAddr, code, fields, { timeoutMs: 3000 });
    offsets.push(reply.code === 0 ? Number(reply.extFields.offset) : `code ${reply.code}`);
  }
  return offsets;
}

async function waitCommitted() {
  let committed;
  let max;
  await waitFor(async () => {
    committed = await brokerOffsets('committed');
    max = await brokerOffsets('max');
    return JSON.stringify(committed) === JSON.stringify(max);
  }, 15000, () => `the group's committed offsets ${JSON.stringify(committed)} reach the queues' max offsets ${JSON.stringify(max)}`);
  return committed;
}

async function batch(producer, name, count = 40) {
  const results = await sendAll(producer, Array.from({ length: count }, (_, i) => makeMessage(TOPIC, 'O', `${name}-${i}`, `${name}-body-${i}`)), 8);
  for (const r of results) assert.equal(r.sendStatus, 'SEND_OK');
  state.all.push(...results);
  return new Set(results.map(r => r.msgId));
}

async function groupConsumer(label, got) {
  const c = ctx.track(await startConsumer(ctx.server, { group: GROUP, topic: TOPIC, label, handler: async msg => { got.push(snapshot(msg, label)); } }));
  await waitFor(() => ownedQueues(c, TOPIC).length === 4, 20000, () => `${label} owns all 4 queues: ${ownedQueues(c, TOPIC)}`);
  return c;
}

test('offsets survive a consumer restart: the new consumer gets only what was sent while none ran', { timeout: 90000 }, async () => {
  const got1 = [];
  const c1 = await groupConsumer('offsets-c1', got1);
  state.producer = ctx.track(await startProducer(ctx.server, 'CompatOffsetProducer'));
  const ids1 = await batch(state.producer, 'offsets-1');
  await waitFor(() => got1.length >= 40, 20000, () => `first consumer received 40 (has ${got1.length})`);
  await waitCommitted();
  await closeClient(c1);

  const ids2 = await batch(state.producer, 'offsets-2');
  const got2 = [];
  state.c2 = await groupConsumer('offsets-c2', got2);
  await waitFor(() => got2.length >= 40, 20000, () => `restarted consumer received the 40 new messages (has ${got2.length})`);
  await sleep(1500);
  assert.equal(got1.length, 40);
  assert.deepEqual(new Set(got1.map(d => d.msgId)), ids1);
  assert.equal(got2.length, 40, 'restarted consumer: only the new messages, each once');
  assert.deepEqual(new Set(got2.map(d => d.msgId)), ids2);
  state.got2 = got2;
});

test('offsets and messages survive a broker restart on the same store', { timeout: 150000 }, async () => {
  assert.ok(state.c2, 'the previous test left a consumer running');
  const ids3 = await batch(state.producer, 'offsets-3');
  await waitFor(() => state.got2.filter(d => ids3.has(d.msgId)).length >= 40, 20000,
    () => `consumer received the third batch (has ${state.got2.filter(d => ids3.has(d.msgId)).length})`);
  const committed = await waitCommitted();
  assert.equal(committed.reduce((a, b) => a + b, 0), 120, `committed offsets ${committed} cover all 120 messages`);
  await closeClient(state.c2);
  await closeClient(state.producer);

  const stopped = await ctx.server.restart();
  assert.equal(stopped.forced, false, 'the broker stopped on SIGTERM without needing SIGKILL');
  assert.deepEqual(await brokerOffsets('committed'), committed, 'committed offsets after the restart');
  assert.deepEqual(await brokerOffsets('max'), committed, 'queue max offsets after the restart');

  const producer = ctx.track(await startProducer(ctx.server, 'CompatOffsetProducer'));
  const ids4 = await batch(producer, 'offsets-4');
  const got3 = [];
  await groupConsumer('offsets-c3', got3);
  await waitFor(() => got3.length >= 40, 30000, () => `consumer after the broker restart received 40 (has ${got3.length})`);
  await sleep(1500);
  assert.equal(got3.length, 40, 'after the broker restart: only the new messages, each once');
  assert.deepEqual(new Set(got3.map(d => d.msgId)), ids4);

  // Every message from before and after the restart is still there, under the msgId its send returned.
  const audit = [];
  ctx.track(await startConsumer(ctx.server, { group: 'CompatOffsetAudit', topic: TOPIC, label: 'offsets-audit', handler: async msg => { audit.push(snapshot(msg, 'audit')); } }));
  await waitFor(() => audit.length >= 160, 30000, () => `a new group reads all 160 messages (has ${audit.length})`);
  await sleep(1000);
  assert.equal(audit.length, 160);
  const byId = new Map(state.all.map(r => [ r.msgId, r ]));
  assert.equal(byId.size, 160);
  for (const d of audit) {
    const r = byId.get(d.msgId);
    assert.ok(r, `audited msgId ${d.msgId} was returned by a send`);
    assert.equal(d.queueOffset, r.queueOffset, `queue offset of ${d.msgId}`);
  }
});
