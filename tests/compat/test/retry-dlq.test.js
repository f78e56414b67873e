'use strict';

// A handler that throws: ali-ons sends the message back (CONSUMER_SEND_MSG_BACK, delayLevel 0, maxReconsumeTimes 2).
// The broker redelivers it through %RETRY%<group> after delay level 3 (10 s), then level 4 (30 s); the third
// failure moves it to %DLQ%<group>. Messages the handler accepts are delivered once.

const test = require('node:test');
const assert = require('node:assert/strict');
const { withServer } = require('../lib/harness');
const { startProducer, startConsumer, ownedQueues, waitFor, makeMessage, snapshot, sleep } = require('../lib/ons');

const TOPIC = 'CompatRetryTopic'; // 4 queues
const GROUP = 'CompatRetryGroup';
const DLQ = `%DLQ%${GROUP}`;
const ctx = withServer();

// Bounds: a retry is due no earlier than its delay after the send-back (tolerance for ms rounding), and
// should arrive within a few seconds after that (delay timer + long-polling wake-up).
const EARLY_TOLERANCE_MS = 100;
const LATE_MS = 8000;

test('a failing message comes back after 10 s and 30 s with its origin msgId, then lands in the DLQ', { timeout: 110000 }, async () => {
  const failing = [];
  const accepted = [];
  const consumer = ctx.track(await startConsumer(ctx.server, {
    group: GROUP, topic: TOPIC, label: 'retry-consumer',
    options: { maxReconsumeTimes: 2 },
    handler: async msg => {
      if (msg.keys === 'retry-fail') {
        failing.push(snapshot(msg, 'retry'));
        throw new Error('compat test: refusing this message');
      }
      accepted.push(snapshot(msg, 'retry'));
    },
  }));
  await waitFor(() => ownedQueues(consumer, TOPIC).length === 4, 20000, () => `consumer owns all 4 queues: ${ownedQueues(consumer, TOPIC)}`);
  // ali-ons also subscribes %RETRY%<group>; the broker creates it on the first HEART_BEAT.
  await waitFor(() => ownedQueues(consumer, `%RETRY%${GROUP}`).length === 1, 20000,
    () => `consumer pulls %RETRY%${GROUP} (1 queue): ${ownedQueues(consumer, `%RETRY%${GROUP}`)}`);

  const producer = ctx.track(await startProducer(ctx.server, 'CompatRetryProducer'));
  const bad = await producer.send(makeMessage(TOPIC, 'RetryTag', 'retry-fail', 'please fail me'));
  const good = [];
  for (let i = 0; i < 8; i++) good.push(await producer.send(makeMessage(TOPIC, 'RetryTag', `retry-ok-${i}`, `fine ${i}`)));

  await waitFor(() => failing.length >= 1, 15000, 'first delivery of the failing message');
  await waitFor(() => failing.length >= 2, 10000 + LATE_MS + 2000, () => `second delivery (10 s retry), have ${failing.length}`);
  await waitFor(() => failing.length >= 3, 30000 + LATE_MS + 2000, () => `third delivery (30 s retry), have ${failing.length}`);

  const [ d0, d1, d2 ] = failing;
  assert.equal(d0.msgId, bad.msgId, 'first delivery carries the msgId the send returned');
  assert.equal(d0.reconsumeTimes, 0);
  for (const [ n, d ] of [ [ 1, d1 ], [ 2, d2 ] ]) {
    assert.equal(d.reconsumeTimes, n, `retry ${n}: reconsumeTimes`);
    assert.equal(d.originMessageId, bad.msgId, `retry ${n}: ORIGIN_MESSAGE_ID is the first message's msgId`);
    assert.equal(d.retryTopic, TOPIC, `retry ${n}: RETRY_TOPIC`);
    assert.equal(d.topic, TOPIC, `retry ${n}: ali-ons restored the original topic`);
    assert.equal(d.body.toString(), 'please fail me', `retry ${n}: body`);
    assert.equal(d.tags, 'RetryTag', `retry ${n}: tags`);
    assert.notEqual(d.msgId, bad.msgId, `retry ${n}: a new record in the retry topic`);
  }
  const gap1 = d1.at - d0.at;
  const gap2 = d2.at - d1.at;
  assert.ok(gap1 >= 10000 - EARLY_TOLERANCE_MS, `first retry no earlier than 10 s (took ${gap1} ms)`);
  assert.ok(gap1 <= 10000 + LATE_MS, `first retry within ${LATE_MS} ms of due (took ${gap1} ms)`);
  assert.ok(gap2 >= 30000 - EARLY_TOLERANCE_MS, `second retry no earlier than 30 s (took ${gap2} ms)`);
  assert.ok(gap2 <= 30000 + LATE_MS, `second retry within ${LATE_MS} ms of due (took ${gap2} ms)`);

  // Past maxReconsumeTimes the broker stores it in %DLQ%<group>, which it registers with the name server.
  await ctx.server.waitForRoute(DLQ, 15000);
  const dead = [];
  const reader = ctx.track(await startConsumer(ctx.server, {
    group: 'CompatDlqReader', topic: DLQ, label: 'dlq-reader', handler: async msg => { dead.push(snapshot(msg, 'dlq')); },
  }));
  await waitFor(() => ownedQueues(reader, DLQ).length === 1, 20000, () => `DLQ reader owns the DLQ's 1 queue: ${ownedQueues(reader, DLQ)}`);
  await waitFor(() => dead.length >= 1, 15000, 'the failed message in the DLQ');
  await sleep(1500);
  assert.equal(dead.length, 1, 'exactly one message in the DLQ');
  assert.equal(dead[0].topic, DLQ);
  assert.equal(dead[0].originMessageId, bad.msgId, 'DLQ copy: ORIGIN_MESSAGE_ID is the first message\'s msgId');
  assert.equal(dead[0].body.toString(), 'please fail me');
  assert.equal(dead[0].reconsumeTimes, 3, 'DLQ copy: reconsumeTimes incremented once more (2 -> 3), as RocketMQ does');
  assert.equal(dead[0].keys, 'retry-fail');
  assert.equal(failing.length, 3, 'no fourth delivery');

  assert.equal(accepted.length, 8, 'accepted messages delivered exactly once');
  assert.deepEqual(new Set(accepted.map(d => d.msgId)), new Set(good.map(r => r.msgId)));
  assert.ok(accepted.every(d => d.reconsumeTimes === 0));
});
