'use strict';

// Cluster rebalancing: one consumer owns all queues; a second one of the same group takes half; when the
// second closes (UNREGISTER_CLIENT), the survivor takes its queues over and receives everything sent later.

const test = require('node:test');
const assert = require('node:assert/strict');
const { withServer } = require('../lib/harness');
const { startProducer, startConsumer, ownedQueues, waitFor, sendAll, makeMessage, snapshot, closeClient, sleep } = require('../lib/ons');

const TOPIC = 'CompatRebalanceTopic'; // 8 queues
const GROUP = 'CompatRebalanceGroup';
const ctx = withServer();

function describe(deliveries) {
  const by = {};
  for (const d of deliveries) by[`${d.by}/q${d.queueId}`] = (by[`${d.by}/q${d.queueId}`] || 0) + 1;
  return JSON.stringify(by);
}

test('queues split between two consumers of a group and are taken over by the survivor when one closes', { timeout: 120000 }, async () => {
  const deliveries = [];
  const handlerFor = label => async msg => { deliveries.push(snapshot(msg, label)); };

  const c1 = ctx.track(await startConsumer(ctx.server, { group: GROUP, topic: TOPIC, label: 'rebalance-c1', handler: handlerFor('c1') }));
  await waitFor(() => ownedQueues(c1, TOPIC).length === 8, 20000, () => `lone consumer owns all 8 queues: ${ownedQueues(c1, TOPIC)}`);

  const c2 = ctx.track(await startConsumer(ctx.server, { group: GROUP, topic: TOPIC, label: 'rebalance-c2', handler: handlerFor('c2') }));
  // c2 sees both client ids at once; c1 gives up half at its next rebalance (every 2 s here).
  await waitFor(() => {
    const a = ownedQueues(c1, TOPIC);
    const b = ownedQueues(c2, TOPIC);
    return a.length === 4 && b.length === 4 && new Set([ ...a, ...b ]).size === 8;
  }, 20000, () => `queues split 4/4: c1=${ownedQueues(c1, TOPIC)} c2=${ownedQueues(c2, TOPIC)}`);
  const c2Queues = ownedQueues(c2, TOPIC);

  const producer = ctx.track(await startProducer(ctx.server, 'CompatRebalanceProducer'));
  const batch1 = await sendAll(producer, Array.from({ length: 200 }, (_, i) => makeMessage(TOPIC, 'R', `rb1-${i}`, `rebalance-1-${i}`)));
  const ids1 = new Set(batch1.map(r => r.msgId));
  await waitFor(() => deliveries.filter(d => ids1.has(d.msgId)).length >= 200, 30000,
    () => `200 first-batch messages consumed (have ${deliveries.filter(d => ids1.has(d.msgId)).length}: ${describe(deliveries)})`);
  const byC2 = deliveries.filter(d => d.by === 'c2');
  assert.ok(byC2.length > 0 && byC2.length < 200, `both consumers got part of the first batch (c2: ${byC2.length})`);
  for (const d of deliveries) {
    const own = d.by === 'c2' ? c2Queues : ownedQueues(c1, TOPIC);
    assert.ok(own.includes(d.queueId), `${d.by} consumed queue ${d.queueId} it owns (${own})`);
  }

  await closeClient(c2);
  const closedAt = Date.now();
  await waitFor(() => ownedQueues(c1, TOPIC).length === 8, 20000, () => `survivor owns all 8 queues again: ${ownedQueues(c1, TOPIC)}`);
  const takeoverMs = Date.now() - closedAt;
  // ali-ons learns of the departure only at its next rebalance (NOTIFY_CONSUMER_IDS_CHANGED is ignored).
  assert.ok(takeoverMs < 10000, `take-over took ${takeoverMs} ms`);

  const before = deliveries.length;
  const batch2 = await sendAll(producer, Array.from({ length: 200 }, (_, i) => makeMessage(TOPIC, 'R', `rb2-${i}`, `rebalance-2-${i}`)));
  const ids2 = new Set(batch2.map(r => r.msgId));
  const queues2 = new Set(batch2.map(r => Number(r.messageQueue.queueId)));
  assert.equal(queues2.size, 8, 'the second batch used all 8 queues, including the ones c2 had');
  await waitFor(() => deliveries.filter(d => ids2.has(d.msgId)).length >= 200, 30000,
    () => `200 second-batch messages consumed by the survivor (have ${deliveries.filter(d => ids2.has(d.msgId)).length})`);
  await sleep(1000);

  const late = deliveries.slice(before);
  assert.equal(late.filter(d => ids2.has(d.msgId)).length, 200, 'each second-batch message delivered once');
  assert.ok(late.every(d => d.by === 'c1'), 'only the survivor consumed after the close');
  // Every first-batch message was consumed, and (c2 having committed its offsets on close) none came back.
  assert.equal(new Set(deliveries.filter(d => ids1.has(d.msgId)).map(d => d.msgId)).size, 200);
  assert.equal(deliveries.filter(d => ids1.has(d.msgId)).length, 200, 'no first-batch message redelivered after the take-over');
});
