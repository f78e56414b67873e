'use strict';

// Starts, stops and restarts a real `akkabroker serve` (name server + broker in one process) on free ports
// with a fresh store directory and a temp HOCON file that declares the topics the tests use.

const fs = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { request, canConnect, RequestCode } = require('./remoting');
const { TOPICS } = require('./topics');

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const logDir = process.env.COMPAT_LOG_DIR || path.join(repoRoot, 'artifacts', 'test-logs', 'compat');
const startTimeoutMs = Number(process.env.COMPAT_START_TIMEOUT_MS || 30000);
const stopTimeoutMs = Number(process.env.COMPAT_STOP_TIMEOUT_MS || 20000);

const running = new Set();
// Never leave a broker behind: whatever ends this process (force exit, uncaught error, signal) kills its servers.
process.on('exit', () => {
  for (const server of running) {
    try { process.kill(server.child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
});
for (const signal of [ 'SIGINT', 'SIGTERM' ]) {
  process.once(signal, () => process.exit(130));
}

function serverDll() {
  if (process.env.AKKABROKER_SERVER_DLL) return process.env.AKKABROKER_SERVER_DLL;
  const config = process.env.CONFIGURATION || 'Release';
  const dir = path.join(repoRoot, 'src', 'AkkaBroker.Server', 'bin', config, 'net10.0');
  // The project's AssemblyName is "akkabroker"; AkkaBroker.Server.dll is accepted should that change.
  for (const name of [ 'akkabroker.dll', 'AkkaBroker.Server.dll' ]) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`akkabroker server not built: no akkabroker.dll in ${dir} (run: dotnet build AkkaBroker.sln -c ${config})`);
}

/** Free TCP ports on 127.0.0.1, all held open until every one is chosen so none repeats. */
async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const s = net.createServer();
      await new Promise((resolve, reject) => { s.once('error', reject); s.listen(0, '127.0.0.1', resolve); });
      servers.push(s);
    }
    return servers.map(s => s.address().port);
  } finally {
    await Promise.all(servers.map(s => new Promise(resolve => s.close(resolve))));
  }
}

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

function hoconTopics(topics) {
  return topics.map(t => `      { name = ${JSON.stringify(t.name)}, read-queue-nums = ${t.queues}, write-queue-nums = ${t.queues} }`).join('\n');
}

class BrokerServer {
  /**
   * @param {object} [options]
   * @param {string} [options.name] label for log files (defaults to the test file's name)
   * @param {Array<{name:string,queues:number}>} [options.topics] topics declared in the config
   * @param {object} [options.settings] extra HOCON settings, path -> value (already HOCON-formatted)
   */
  constructor(options = {}) {
    this.name = options.name || path.basename(require.main ? require.main.filename : 'compat', '.js');
    this.topics = options.topics || TOPICS;
    this.settings = options.settings || {};
    this.child = null;
    this.exited = null;
    this.starts = 0;
  }

  get nameSrv() { return `127.0.0.1:${this.namesrvPort}`; }
  get brokerAddr() { return `127.0.0.1:${this.brokerPort}`; }

  /** First call: picks ports and a store dir and writes the config. Later calls reuse them (a restart). */
  async start() {
    if (this.child) throw new Error('server already running');
    if (!this.configFile) await this._prepare();
    // AKKABROKER_SERVER_COMMAND replaces `dotnet <dll>` (e.g. a published binary); the args stay `serve -c <file>`.
    const command = process.env.AKKABROKER_SERVER_COMMAND
      ? process.env.AKKABROKER_SERVER_COMMAND.split(' ').filter(Boolean)
      : [ 'dotnet', serverDll() ];
    this.starts++;
    fs.mkdirSync(logDir, { recursive: true });
    this.logFile = path.join(logDir, `${this.name}.server-${this.starts}.log`);
    const out = fs.openSync(this.logFile, 'w');
    const env = { ...process.env, HOME: process.env.COMPAT_REAL_HOME || process.env.HOME, DOTNET_NOLOGO: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1' };
    // reference.conf lets these override the store and name server; the temp config must win.
    delete env.AKKABROKER_STORE_ROOT;
    delete env.AKKABROKER_NAMESRV_ADDR;
    const child = spawn(command[0], [ ...command.slice(1), 'serve', '-c', this.configFile ], { cwd: repoRoot, env, stdio: [ 'ignore', out, out ] });
    fs.closeSync(out);
    this.child = child;
    running.add(this);
    this.exited = new Promise(resolve => child.once('exit', (code, signal) => {
      running.delete(this);
      resolve({ code, signal });
    }));
    child.once('error', err => { this.spawnError = err; });
    try {
      await this._waitReady();
    } catch (err) {
      await this.stop().catch(() => {});
      throw err;
    }
  }

  async _prepare() {
    const [ namesrvPort, brokerPort, haPort ] = await freePorts(3);
    this.namesrvPort = namesrvPort;
    this.brokerPort = brokerPort;
    this.haPort = haPort;
    this.tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'akkabroker-compat-'));
    this.storeDir = path.join(this.tmpDir, 'store');
    const extra = Object.entries(this.settings).map(([ k, v ]) => `${k} = ${v}`).join('\n');
    this.configFile = path.join(this.tmpDir, 'compat.conf');
    fs.writeFileSync(this.configFile, `# written by tests/compat/lib/server.js
akkabroker {
  roles = [namesrv, broker]
  namesrv {
    listen-address = "127.0.0.1"
    listen-port = ${namesrvPort}
  }
  broker {
    listen-address = "127.0.0.1"
    listen-port = ${brokerPort}
    ha-listen-port = ${haPort}
    namesrv-addr = "127.0.0.1:${namesrvPort}"
    broker-ip1 = "127.0.0.1"
    topics = [
${hoconTopics(this.topics)}
    ]
  }
  store {
    store-path-root-dir = ${JSON.stringify(this.storeDir)}
    mapped-file-size-commit-log = 64m
  }
}
${extra}
`);
  }

  async _waitReady() {
    const deadline = Date.now() + startTimeoutMs;
    const probeTopic = this.topics[0].name;
    let lastError = 'not started';
    while (Date.now() < deadline) {
      if (this.spawnError) throw new Error(`cannot start dotnet: ${this.spawnError.message}`);
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`akkabroker serve exited (code ${this.child.exitCode}, signal ${this.child.signalCode}) before it was ready:\n${this.logTail()}`);
      }
      try {
        await canConnect(this.nameSrv);
        await canConnect(this.brokerAddr);
        // Up means: the broker has registered with the name server and a declared topic is routed to it.
        await this.waitForRoute(probeTopic, 0);
        return;
      } catch (err) {
        lastError = err.message;
      }
      await sleep(250);
    }
    throw new Error(`akkabroker serve not ready within ${startTimeoutMs} ms (last check: ${lastError}); log ${this.logFile}:\n${this.logTail()}`);
  }

  /** Resolves when the name server routes topic to this broker; with timeoutMs 0 it checks once. */
  async waitForRoute(topic, timeoutMs = 15000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let why;
      try {
        const reply = await request(this.nameSrv, RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }, { timeoutMs: 2000 });
        const body = reply.body.toString('utf8');
        if (reply.code === 0 && body.includes('queueDatas') && body.includes(`:${this.brokerPort}`)) return body;
        why = `code ${reply.code} ${reply.remark || ''} ${body.slice(0, 200)}`;
      } catch (err) {
        why = err.message;
      }
      if (Date.now() >= deadline) throw new Error(`topic ${topic} not routed by ${this.nameSrv}: ${why}`);
      await sleep(250);
    }
  }

  /** SIGTERM, then SIGKILL after COMPAT_STOP_TIMEOUT_MS. Resolves with how the process ended. */
  async stop() {
    const child = this.child;
    if (!child) return null;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    let timer;
    const killed = new Promise(resolve => {
      timer = setTimeout(() => {
        try { child.kill('SIGKILL'); } catch { /* gone */ }
        resolve(true);
      }, stopTimeoutMs);
    });
    const forced = await Promise.race([ this.exited.then(() => false), killed ]);
    clearTimeout(timer);
    const result = await this.exited;
    return { ...result, forced };
  }

  /** Stops and starts again on the same ports, config and store directory. */
  async restart() {
    const stopped = await this.stop();
    await this.start();
    return stopped;
  }

  /** Stops the server and removes its temp directory (unless COMPAT_KEEP_STORE is set). */
  async dispose() {
    await this.stop();
    if (this.tmpDir && !process.env.COMPAT_KEEP_STORE) fs.rmSync(this.tmpDir, { recursive: true, force: true });
  }

  logTail(lines = 30) {
    try {
      return fs.readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

module.exports = { BrokerServer, repoRoot, logDir, freePorts, sleep };
