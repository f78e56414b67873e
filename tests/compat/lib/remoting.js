'use strict';

// A minimal RocketMQ remoting client (JSON headers only) used by the harness itself: readiness checks
// (is the topic routed yet?) and a few direct queries. The tests drive the broker through ali-ons; this
// exists so the harness never depends on the client under test to decide whether the server is up.

const net = require('node:net');

let nextOpaque = 1;

function encode(code, extFields, body) {
  const header = Buffer.from(JSON.stringify({
    code,
    language: 'JAVA',
    version: 121,
    opaque: nextOpaque++,
    flag: 0,
    extFields: extFields || {},
  }));
  const bodyBuf = body ? Buffer.from(body) : Buffer.alloc(0);
  const frame = Buffer.alloc(8 + header.length + bodyBuf.length);
  frame.writeInt32BE(4 + header.length + bodyBuf.length, 0);
  frame.writeInt32BE(header.length & 0xffffff, 4); // serialize type 0 (JSON) in the high byte
  header.copy(frame, 8);
  bodyBuf.copy(frame, 8 + header.length);
  return frame;
}

function decode(frame) {
  const headerLen = frame.readInt32BE(0) & 0xffffff;
  const header = JSON.parse(frame.subarray(4, 4 + headerLen).toString('utf8'));
  return {
    code: header.code,
    remark: header.remark,
    opaque: header.opaque,
    flag: header.flag,
    extFields: header.extFields || {},
    body: frame.subarray(4 + headerLen),
  };
}

/**
 * Sends one request on a fresh connection and resolves with the reply, or rejects on timeout or socket error.
 * @param {string} addr "host:port"
 * @param {number} code request code
 * @param {object} [extFields] custom header fields
 * @param {object} [options] { timeoutMs, body }
 */
function request(addr, code, extFields, options = {}) {
  const timeoutMs = options.timeoutMs || 3000;
  const [host, port] = addr.split(':');
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port: Number(port) });
    let buffered = Buffer.alloc(0);
    let done = false;
    const finish = (err, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err); else resolve(value);
    };
    const timer = setTimeout(() => finish(new Error(`no reply to code ${code} from ${addr} within ${timeoutMs} ms`)), timeoutMs);
    socket.on('connect', () => socket.write(encode(code, extFields, options.body)));
    socket.on('data', chunk => {
      buffered = Buffer.concat([ buffered, chunk ]);
      while (buffered.length >= 4) {
        const len = buffered.readInt32BE(0);
        if (buffered.length < 4 + len) return;
        const frame = buffered.subarray(4, 4 + len);
        buffered = buffered.subarray(4 + len);
        let reply;
        try {
          reply = decode(frame);
        } catch (e) {
          finish(new Error(`undecodable reply from ${addr}: ${e.message}`));
          return;
        }
        if ((reply.flag & 1) === 1) {
          finish(null, reply);
          return;
        }
      }
    });
    socket.on('error', err => finish(err));
    socket.on('close', () => finish(new Error(`connection to ${addr} closed before a reply to code ${code}`)));
  });
}

/** Resolves when a TCP connection to addr succeeds, rejects otherwise. */
function canConnect(addr, timeoutMs = 1000) {
  const [host, port] = addr.split(':');
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port: Number(port) });
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('connect timeout')); }, timeoutMs);
    socket.on('connect', () => { clearTimeout(timer); socket.destroy(); resolve(); });
    socket.on('error', err => { clearTimeout(timer); reject(err); });
  });
}

const RequestCode = {
  QUERY_CONSUMER_OFFSET: 14,
  GET_MAX_OFFSET: 30,
  SEARCH_OFFSET_BY_TIMESTAMP: 29,
  GET_ROUTEINFO_BY_TOPIC: 105,
};

module.exports = { request, canConnect, RequestCode };
