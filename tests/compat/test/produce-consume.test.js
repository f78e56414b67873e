'use strict';

// Cluster mode: 1,000 messages with tags and keys produced by ali-ons, consumed by two consumers of one group
// that split the topic's 8 queues; a second group subscribed to one tag gets exactly that tag's messages.

const test = require('node:test');
const assert = require('node:assert/strict');
const { withServer } = require('../lib/harness');
const { startProducer, startConsumer, ownedQueues, waitFor, sendAll, makeMessage, snapshot, sleep } = require('../lib/ons');

const TOPIC = 'CompatClusterTopic'; // 8 queues
const GROUP = 'CompatClusterGroup';
const TAG_GROUP = 'CompatClusterTagAGroup';
const PRODUCER_GROUP = 'CompatClusterProducer';
const COUNT = 1000;

const ctx = withServer();
const state = { sent: null, byMsgId: new Map(), deliveries: [], tagDeliveries: [], consumers: [] };

test('two consumers of one group split the queues and together receive all 1,000 messages exactly once, as sent', { timeout: 150000 }, async () => {
  const handlerFor = label => async msg => { state.deliveries.push(snapshot(msg, label)); };
  const c1 = ctx.track(await startConsumer(ctx.server, { group: GROUP, topic: TOPIC, label: 'cluster-c1', handler: handlerFor('c1') }));
  const c2 = ctx.track(await startConsumer(ctx.server, { group: GROUP, topic: TOPIC, label: 'cluster-c2', handler: handlerFor('c2') }));
  const tagConsumer = ctx.track(await startConsumer(ctx.server, {
    group: TAG_GROUP, topic: TOPIC, subExpression: 'TagA', label: 'cluster-tagA',
    handler: async msg => { state.tagDeliveries.push(snapshot(msg, 'tagA')); },
  }));
  state.consumers = [ c1, c2 ];

  // The group's 8 queues end up split 4/4 between the two consumers (allocate-averagely over 2 client ids).
  await waitFor(() => {
    const a = ownedQueues(c1, TOPIC);
    const b = ownedQueues(c2, TOPIC);
    return a.length === 4 && b.length === 4 && new Set([ ...a, ...b ]).size === 8;
  }, 30000, () => `queues split 4/4: c1=${ownedQueues(c1, TOPIC)} c2=${ownedQueues(c2, TOPIC)}`);
  await waitFor(() => ownedQueues(tagConsumer, TOPIC).length === 8, 30000,
    () => `single TagA consumer owns all 8 queues: ${ownedQueues(tagConsumer, TOPIC)}`);

  const producer = ctx.track(await startProducer(ctx.server, PRODUCER_GROUP));
  const messages = [];
  for (let i = 0; i < COUNT; i++) {
    messages.push(makeMessage(TOPIC, i % 2 === 0 ? 'TagA' : 'TagB', `cluster-key-${i}`, `cluster-body-${i}-${'x'.repeat(i % 50)}`));
  }
  const expected = messages.map((m, i) => ({ i, tags: m.tags, keys: m.keys, body: Buffer.from(m.body) }));
  const results = await sendAll(producer, messages, 16);
  // The reply's extFields are strings (as from a Java broker), so ali-ons hands back queueId as a string.
  state.sent = results.map((r, i) => ({ ...expected[i], ...r, queueId: Number(r.messageQueue.queueId) }));

  for (const r of state.sent) {
    assert.equal(r.sendStatus, 'SEND_OK', `send ${r.i} status`);
    assert.match(r.msgId, /^[0-9A-F]{32}$/, `send ${r.i} msgId is a 16-byte offset id in upper-case hex`);
    assert.equal(r.messageQueue.topic, TOPIC);
    assert.ok(r.queueId >= 0 && r.queueId < 8, `send ${r.i} queueId ${r.queueId}`);
    state.byMsgId.set(r.msgId, r);
  }
  assert.equal(state.byMsgId.size, COUNT, 'every send returned a distinct msgId');
  // Fresh topic: each queue's offsets are exactly 0..n-1.
  const perQueue = new Map();
  for (const r of state.sent) {
    if (!perQueue.has(r.queueId)) perQueue.set(r.queueId, []);
    perQueue.get(r.queueId).push(r.queueOffset);
  }
  assert.equal(perQueue.size, 8, 'sends were spread over all 8 queues');
  for (const [ q, offsets ] of perQueue) {
    offsets.sort((a, b) => a - b);
    assert.deepEqual(offsets, offsets.map((_, k) => k), `queue ${q} offsets are contiguous from 0`);
  }

  await waitFor(() => new Set(state.deliveries.map(d => d.msgId)).size >= COUNT, 60000,
    () => `all ${COUNT} messages consumed (have ${new Set(state.deliveries.map(d => d.msgId)).size})`);
  await sleep(2000); // anything delivered twice shows up now

  assert.equal(state.deliveries.length, COUNT, 'each message delivered exactly once');
  const c1Queues = new Set();
  const c2Queues = new Set();
  for (const d of state.deliveries) {
    const sent = state.byMsgId.get(d.msgId);
    assert.ok(sent, `consumed msgId ${d.msgId} is one a send returned`);
    assert.equal(d.topic, TOPIC);
    assert.equal(d.tags, sent.tags, `tags of ${d.msgId}`);
    assert.equal(d.keys, sent.keys, `keys of ${d.msgId}`);
    assert.ok(d.body.equals(sent.body), `body of ${d.msgId}`);
    assert.equal(d.queueId, sent.queueId, `queueId of ${d.msgId}`);
    assert.equal(d.queueOffset, sent.queueOffset, `queueOffset of ${d.msgId}`);
    assert.equal(d.reconsumeTimes, 0);
    (d.by === 'c1' ? c1Queues : c2Queues).add(d.queueId);
  }
  assert.equal(c1Queues.size, 4, `c1 consumed from its 4 queues: ${[ ...c1Queues ]}`);
  assert.equal(c2Queues.size, 4, `c2 consumed from its 4 queues: ${[ ...c2Queues ]}`);
  assert.equal(new Set([ ...c1Queues, ...c2Queues ]).size, 8, 'no queue consumed by both');
});

test('a group subscribed to "TagA" receives exactly the 500 TagA messages', { timeout: 60000 }, async () => {
  assert.ok(state.sent, 'the previous test produced the messages');
  const wanted = new Set(state.sent.filter(r => r.tags === 'TagA').map(r => r.msgId));
  assert.equal(wanted.size, COUNT / 2);
  await waitFor(() => new Set(state.tagDeliveries.map(d => d.msgId)).size >= wanted.size, 30000,
    () => `${wanted.size} TagA messages (have ${state.tagDeliveries.length})`);
  await sleep(1000);
  assert.equal(state.tagDeliveries.length, wanted.size, 'no TagB message and no duplicate reached the TagA group');
  for (const d of state.tagDeliveries) {
    assert.equal(d.tags, 'TagA');
    assert.ok(wanted.has(d.msgId), `TagA delivery ${d.msgId} matches a TagA send`);
  }
});
