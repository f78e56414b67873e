'use strict';

// ali-ons 3.12.0 wiring shared by the tests: client options, unique client ids, a quiet file logger,
// producer/consumer start helpers and small polling utilities.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const util = require('node:util');

// ali-ons keeps broadcast offsets under ~/.rocketmq_offsets_node and resolves that path when it is loaded:
// point HOME at a throw-away directory first so runs never share or leave state. The broker child gets the
// real HOME back (lib/server.js reads COMPAT_REAL_HOME).
if (!process.env.COMPAT_REAL_HOME) {
  process.env.COMPAT_REAL_HOME = process.env.HOME || os.homedir();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'akkabroker-compat-home-'));
  process.env.HOME = home;
  process.on('exit', () => fs.rmSync(home, { recursive: true, force: true }));
}

const httpclient = require('urllib');
const { Producer, Consumer, Message } = require('ali-ons');
const { logDir } = require('./server');

const fileLabel = path.basename(require.main ? require.main.filename : 'compat', '.js');
const clientLog = path.join(logDir, `${fileLabel}.client.log`);
fs.mkdirSync(logDir, { recursive: true });
fs.writeFileSync(clientLog, '');

function writeLog(level, args) {
  const text = args.length === 1 && args[0] instanceof Error ? args[0].stack : util.format(...args);
  try { fs.appendFileSync(clientLog, `${new Date().toISOString()} ${level} ${text}\n`); } catch { /* logging must not fail a test */ }
}

// ali-ons' default logger prints warnings and errors to the console, which would interleave with the
// test reporter's output; they go to <log dir>/<test file>.client.log instead (COMPAT_VERBOSE adds info).
const logger = {
  info(...args) { if (process.env.COMPAT_VERBOSE) writeLog('INFO', args); },
  debug() {},
  warn(...args) { writeLog('WARN', args); },
  error(...args) { writeLog('ERROR', args); },
};

/** Broker behaviours the helpers noticed that break ali-ons; appended to every waitFor timeout message. */
const problems = new Set();

let counter = 0;
/** Every client gets its own instanceName, so its own clientId (ip@instance) and its own MQClient and sockets. */
function uniqueInstance(label) {
  counter++;
  return `${label}-${process.pid}-${counter}`;
}

/**
 * Options common to producers and consumers. Intervals are shortened from ali-ons' defaults so the
 * suite stays within minutes: rebalance every 2 s (default 10 s), route refresh every 5 s (default 30 s),
 * consumer offsets persisted every 1 s (default 5 s). Heartbeats keep the 30 s default.
 */
function clientOptions(server, label, extra = {}) {
  return {
    httpclient,
    nameSrv: server.nameSrv,
    logger,
    instanceName: uniqueInstance(label),
    rebalanceInterval: 2000,
    pollNameServerInteval: 5000,
    persistConsumerOffsetInterval: 1000,
    ...extra,
  };
}

/**
 * ali-ons creates one process-wide internal producer (group CLIENT_INNER_PRODUCER) the first time any client
 * starts, from that client's options, and never closes it. Creating it here first gives it its own client id
 * (so it never pins a test client's connection open) and lets after() close it.
 */
async function startInnerProducer(server) {
  await Producer.getDefaultProducer(clientOptions(server, 'inner'));
}

async function closeInnerProducer() {
  const inner = Producer.defaultProducer;
  Producer.defaultProducer = null;
  if (inner) await inner.close().catch(() => {});
}

async function startProducer(server, group, extra = {}) {
  const producer = new Producer(clientOptions(server, extra.label || 'producer', { producerGroup: group, ...extra }));
  producer.errors = [];
  producer.on('error', err => { producer.errors.push(err); logger.error(err); });
  await producer.ready();
  return producer;
}

/**
 * Starts a push consumer and subscribes it.
 * @param {object} server BrokerServer
 * @param {object} o { group, topic, subExpression ('*' or 'A || B'), handler (async msg => ...), label, options }
 */
async function startConsumer(server, o) {
  const consumer = new Consumer(clientOptions(server, o.label || o.group, {
    consumerGroup: o.group,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    ...(o.options || {}),
  }));
  consumer.errors = [];
  consumer.label = o.label || consumer.options.instanceName;
  consumer.on('error', err => {
    consumer.errors.push(err);
    logger.warn(`[${consumer.label}]`, err);
    // A GET_CONSUMER_LIST_BY_GROUP failure inside subscribe() (right after the subscription's first HEART_BEAT)
    // ends that subscription's consume loop for good in ali-ons 3.12.0: messages are pulled but never handed
    // to the handler. Remember it so a timeout explains itself.
    if (/no consumer for this group/.test(err.message)) {
      problems.add(`${consumer.label}: the broker answered GET_CONSUMER_LIST_BY_GROUP with "no consumer for this group" right after `
        + 'acknowledging the HEART_BEAT, which stops ali-ons consuming that subscription for good');
    }
  });
  if (process.env.COMPAT_TOLERATE_HEARTBEAT_RACE) tolerateHeartbeatRace(consumer);
  await consumer.ready();
  consumer.subscribe(o.topic, o.subExpression || '*', o.handler);
  return consumer;
}

/**
 * Diagnostic switch (COMPAT_TOLERATE_HEARTBEAT_RACE=1, off by default): retries GET_CONSUMER_LIST_BY_GROUP for
 * up to 2 s while the broker says "no consumer for this group", hiding a broker that acknowledges HEART_BEAT
 * before the consumer is registered, so the other behaviours can be looked at meanwhile.
 */
function tolerateHeartbeatRace(consumer) {
  const client = consumer._mqClient;
  if (client.__compatPatched) return;
  client.__compatPatched = true;
  const original = client.findConsumerIdList.bind(client);
  client.findConsumerIdList = async (topic, group) => {
    for (let i = 0; ; i++) {
      try {
        return await original(topic, group);
      } catch (err) {
        if (i >= 20 || !/no consumer for this group/.test(err.message)) throw err;
        await sleep(100);
      }
    }
  };
}

/** Queue ids of topic the consumer currently pulls (its share after rebalancing). */
function ownedQueues(consumer, topic) {
  const ids = [];
  for (const { messageQueue } of consumer.processQueueTable.values()) {
    if (messageQueue.topic === topic) ids.push(messageQueue.queueId);
  }
  return ids.sort((a, b) => a - b);
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/** Polls predicate every 100 ms; throws with describe() in the message if it is still false at the deadline. */
async function waitFor(predicate, timeoutMs, describe) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() >= deadline) {
      const what = typeof describe === 'function' ? describe() : describe;
      const noticed = problems.size ? `; noticed: ${[ ...problems ].join('; ')}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what} (client log: ${clientLog})${noticed}`);
    }
    await sleep(100);
  }
}

/** Sends messages with at most `concurrency` in flight; results come back in input order. */
async function sendAll(producer, messages, concurrency = 16) {
  const results = new Array(messages.length);
  let next = 0;
  async function worker() {
    while (next < messages.length) {
      const i = next++;
      results[i] = await producer.send(messages[i]);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, messages.length) }, worker));
  return results;
}

function makeMessage(topic, tags, key, body) {
  const msg = new Message(topic, tags, body);
  if (key) msg.keys = [ key ];
  return msg;
}

/** What a handler saw of one delivery, copied out of the ali-ons message object. */
function snapshot(msg, label) {
  return {
    at: Date.now(),
    by: label,
    msgId: msg.msgId,
    topic: msg.topic,
    tags: msg.tags,
    keys: msg.keys,
    body: msg.body ? Buffer.from(msg.body) : Buffer.alloc(0),
    queueId: msg.queueId,
    queueOffset: msg.queueOffset,
    sysFlag: msg.sysFlag,
    storeSize: msg.storeSize,
    reconsumeTimes: msg.reconsumeTimes,
    originMessageId: msg.originMessageId,
    retryTopic: msg.retryTopic,
    storeTimestamp: msg.storeTimestamp,
    properties: { ...msg.properties },
  };
}

/** Closes clients, ignoring ones already closed; used by after() hooks. */
async function closeAll(clients) {
  for (const c of clients) {
    if (c && !c.closedByTest) {
      c.closedByTest = true;
      await Promise.race([ c.close().catch(() => {}), sleep(10000) ]);
    }
  }
}

async function closeClient(c) {
  c.closedByTest = true;
  await c.close();
}

module.exports = {
  Producer, Consumer, Message, httpclient, logger, clientLog, problems,
  clientOptions, startInnerProducer, closeInnerProducer, startProducer, startConsumer,
  ownedQueues, waitFor, sendAll, makeMessage, snapshot, closeAll, closeClient, sleep,
};
