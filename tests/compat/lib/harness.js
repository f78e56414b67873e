'use strict';

// One akkabroker per test file: started in before(), stopped (and its temp store removed) in after(),
// together with every ali-ons client the file registered with track().

const { before, after } = require('node:test');
const { BrokerServer } = require('./server');
const { startInnerProducer, closeInnerProducer, closeAll } = require('./ons');

function withServer(options = {}) {
  const ctx = {
    server: new BrokerServer(options),
    clients: [],
    track(client) { ctx.clients.push(client); return client; },
  };
  before(async () => {
    await ctx.server.start();
    await startInnerProducer(ctx.server);
  }, { timeout: 70000 });
  after(async () => {
    await closeAll(ctx.clients.reverse());
    await closeInnerProducer();
    await ctx.server.dispose();
  }, { timeout: 60000 });
  return ctx;
}

module.exports = { withServer };
