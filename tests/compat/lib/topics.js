'use strict';

// Every topic the compat tests and benchmarks use. Each server the harness starts declares all of them in its
// HOCON config (akkabroker.broker.topics), because ali-ons never creates topics itself.
const TOPICS = [
  { name: 'CompatClusterTopic', queues: 8 },
  { name: 'CompatRebalanceTopic', queues: 8 },
  { name: 'CompatBroadcastTopic', queues: 4 },
  { name: 'CompatWhereTopic', queues: 4 },
  { name: 'CompatRetryTopic', queues: 4 },
  { name: 'CompatCompressTopic', queues: 4 },
  { name: 'CompatDelayTopic', queues: 4 },
  { name: 'CompatOffsetTopic', queues: 4 },
  { name: 'CompatBenchTopic', queues: 8 },
];

module.exports = { TOPICS, queuesOf: name => TOPICS.find(t => t.name === name).queues };
