// Redis for tests and local runs: probe an existing server, or start a
// throw-away redis-server (no persistence) that fault tests can kill and restart.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  freePort,
  isAlive,
  isOurProcess,
  readPid,
  signalGroup,
  silentLog,
  sleep,
  tail,
  terminate,
  waitForExit,
} from './proc.mjs';

/** @typedef {import('./proc.mjs').Log} Log */

/** @param {string} s */
const bulk = (s) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;

/**
 * PINGs Redis over raw RESP (AUTH first when the URL carries credentials), so
 * this works before any client library is installed. A server that demands a
 * password we do not have counts as not answering: we could not use it.
 * @param {string} url redis://[user:pass@]host:port
 * @param {number} [timeoutMs]
 * @returns {Promise<boolean>}
 */
export function isRedisAnswering(url, timeoutMs = 1000) {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  const port = Number(u.port || 6379);
  const password = decodeURIComponent(u.password);
  const user = decodeURIComponent(u.username);
  let req = '';
  if (password) {
    req += user ? `*3\r\n${bulk('AUTH')}${bulk(user)}${bulk(password)}` : `*2\r\n${bulk('AUTH')}${bulk(password)}`;
  }
  req += `*1\r\n${bulk('PING')}`;
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    let buf = '';
    const done = (/** @type {boolean} */ ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write(req));
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('+PONG\r\n')) done(true);
      else if (buf.startsWith('-')) done(false);
    });
  });
}

/**
 * @typedef {object} RedisHandle
 * @property {string} url
 * @property {number} port
 * @property {number} pid current server pid (changes after restart())
 * @property {string} dir
 * @property {() => Promise<void>} stop SIGTERM, then SIGKILL after 5 s
 * @property {() => Promise<void>} kill SIGKILL at once (crash simulation)
 * @property {() => Promise<void>} restart start again on the same port (after kill/stop, or in place)
 */

/**
 * Starts redis-server on 127.0.0.1 (a free port unless given) and waits for PING.
 * @param {object} [opts]
 * @param {number} [opts.port]
 * @param {string} [opts.stateDir] where redis.log/redis.pid/redis.port go; default a temp dir removed by stop()
 * @param {boolean} [opts.detached] own process group, survives the caller (CLI use)
 * @param {string[]} [opts.extraArgs] more redis-server arguments (e.g. cluster mode)
 * @param {number} [opts.startTimeoutMs]
 * @param {Log} [opts.log]
 * @returns {Promise<RedisHandle>}
 */
export async function startRedis({
  port,
  stateDir,
  detached = false,
  extraArgs = [],
  startTimeoutMs = 10_000,
  log = silentLog,
} = {}) {
  const ownsDir = !stateDir;
  const dir = stateDir ? path.resolve(stateDir) : mkdtempSync(path.join(os.tmpdir(), 'dual-stream-redis-'));
  const logFile = path.join(dir, 'redis.log');
  const pidFile = path.join(dir, 'redis.pid');
  const actualPort = port || (await freePort());
  const url = `redis://127.0.0.1:${actualPort}`;

  /** @type {RedisHandle} */
  const handle = {
    url,
    port: actualPort,
    pid: 0,
    dir,
    async stop() {
      await terminate(handle.pid, 5_000);
      rmSync(pidFile, { force: true });
      if (ownsDir) rmSync(dir, { recursive: true, force: true });
    },
    async kill() {
      signalGroup(handle.pid, 'SIGKILL');
      await waitForExit(handle.pid, 5_000);
    },
    async restart() {
      if (isAlive(handle.pid)) await handle.kill();
      await launch();
    },
  };

  async function launch() {
    mkdirSync(dir, { recursive: true }); // stop() may have removed a temp dir
    const out = openSync(logFile, 'a');
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(actualPort),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--daemonize',
        'no',
        ...extraArgs,
      ],
      { detached, stdio: ['ignore', out, out] },
    );
    closeSync(out);
    child.unref(); // tests must not hang on an open handle; stop() is explicit
    /** @type {string | undefined} */
    let exited;
    child.once('exit', (code, signal) => (exited = `exited with ${signal ?? `code ${code}`}`));
    child.once('error', (e) => (exited = `failed to spawn redis-server: ${e.message}`));
    await sleep(0);
    if (child.pid === undefined) throw new Error(`redis: ${exited ?? 'spawn failed'}`);
    handle.pid = child.pid;
    writeFileSync(pidFile, `${child.pid}\n`);
    writeFileSync(path.join(dir, 'redis.port'), `${actualPort}\n`);

    const deadline = Date.now() + startTimeoutMs;
    while (!(await isRedisAnswering(url, 500))) {
      if (exited || !isAlive(child.pid) || Date.now() > deadline) {
        await terminate(child.pid, 2_000);
        rmSync(pidFile, { force: true });
        throw new Error(`redis-server on port ${actualPort} ${exited ?? 'did not answer PING'}\n${tail(logFile, 15)}`);
      }
      await sleep(50);
    }
    log(`redis: started pid ${child.pid} on ${url}`);
  }

  await launch();
  return handle;
}

/**
 * The redis-server recorded in stateDir (by a detached startRedis), if it is still ours.
 * @param {string} stateDir
 * @returns {{ pid: number, port: number, url: string } | undefined}
 */
export function runningRedis(stateDir) {
  const pid = readPid(path.join(stateDir, 'redis.pid'));
  const portFile = path.join(stateDir, 'redis.port');
  if (pid === undefined || !existsSync(portFile) || !isOurProcess(pid, 'redis-server')) return undefined;
  const port = Number(readFileSync(portFile, 'utf8').trim());
  return { pid, port, url: `redis://127.0.0.1:${port}` };
}

/**
 * @param {string} stateDir
 * @returns {Promise<{ pid?: number, stopped: boolean }>}
 */
export async function stopRedisFromPidFile(stateDir) {
  const running = runningRedis(stateDir);
  if (!running) {
    rmSync(path.join(stateDir, 'redis.pid'), { force: true });
    return { stopped: true };
  }
  const stopped = await terminate(running.pid, 5_000);
  if (stopped) rmSync(path.join(stateDir, 'redis.pid'), { force: true });
  return { pid: running.pid, stopped };
}
