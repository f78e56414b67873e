'use strict';

// ali-ons deflates bodies of at least compressMsgBodyOverHowmuch bytes (default 4096) and sets sysFlag bit 0;
// the broker must store the deflated bytes and the flag as they are, and the consumer inflates them.

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { withServer } = require('../lib/harness');
const { startProducer, startConsumer, ownedQueues, waitFor, makeMessage, snapshot, sleep } = require('../lib/ons');

const TOPIC = 'CompatCompressTopic'; // 4 queues
const ctx = withServer();

test('compressed and uncompressed bodies arrive byte-identical, with the compressed flag only where deflated', { timeout: 60000 }, async () => {
  const got = [];
  const consumer = ctx.track(await startConsumer(ctx.server, {
    group: 'CompatCompressGroup', topic: TOPIC, label: 'compress-consumer', handler: async msg => { got.push(snapshot(msg, 'c')); },
  }));
  await waitFor(() => ownedQueues(consumer, TOPIC).length === 4, 20000, () => `consumer owns all 4 queues: ${ownedQueues(consumer, TOPIC)}`);

  const producer = ctx.track(await startProducer(ctx.server, 'CompatCompressProducer'));
  const bodies = {
    small: Buffer.from('tiny body, sent as is'),
    justBelow: Buffer.alloc(4095, 'b'),
    text64k: Buffer.from(JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ i, name: `item-${i}`, ok: i % 3 === 0 })))),
    random8k: crypto.randomBytes(8192), // deflate cannot shrink it, but it is still sent deflated and flagged
    exactly4k: Buffer.alloc(4096, 'c'),
  };
  const sent = {};
  for (const [ name, body ] of Object.entries(bodies)) {
    const msg = makeMessage(TOPIC, 'Z', `compress-${name}`, Buffer.from(body));
    sent[name] = await producer.send(msg);
    assert.equal(sent[name].sendStatus, 'SEND_OK', `${name} sent`);
  }

  await waitFor(() => got.length >= Object.keys(bodies).length, 20000, () => `all ${Object.keys(bodies).length} bodies consumed (have ${got.length})`);
  await sleep(1000);
  assert.equal(got.length, Object.keys(bodies).length);
  for (const [ name, body ] of Object.entries(bodies)) {
    const d = got.find(x => x.keys === `compress-${name}`);
    assert.ok(d, `${name} consumed`);
    assert.equal(d.msgId, sent[name].msgId, `${name}: msgId as sent`);
    assert.ok(d.body.equals(body), `${name}: body identical after inflate (${d.body.length} vs ${body.length} bytes)`);
    const deflated = body.length >= 4096;
    assert.equal(d.sysFlag & 1, deflated ? 1 : 0, `${name}: compressed flag ${deflated ? 'set' : 'clear'}`);
  }
  // The stored record holds the deflated bytes: the compressible body's record is far smaller than the body.
  const text = got.find(x => x.keys === 'compress-text64k');
  assert.ok(text.storeSize < bodies.text64k.length / 2, `stored record ${text.storeSize} bytes for a ${bodies.text64k.length}-byte body`);
});
