// Small process/port helpers shared by the Kafka and Redis launchers.
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repo root = three levels above test/support/local-infra (independent of the caller's cwd). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * The one `sleep` of the tests and scripts (test/support/infra.ts re-exports it).
 * @param {number} ms
 * @returns {Promise<void>}
 */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * True while the pid exists and is not a zombie. Zombies matter because an
 * orphaned broker may be re-parented to a PID 1 that never reaps (containers).
 * @param {number} pid
 */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if (/** @type {NodeJS.ErrnoException} */ (e).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true; // no procfs (macOS): kill(0) is all we have
  }
}

/**
 * Guards against pid reuse: a pid file is only trusted when the live process
 * still looks like what we started.
 * @param {number} pid
 * @param {string} marker substring expected in the command line
 */
export function isOurProcess(pid, marker) {
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return true;
  }
}

/** @param {string} file @returns {number | undefined} */
export function readPid(file) {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Signals the whole process group (the launchers start children detached, so
 * pid == pgid); falls back to the pid alone if it is not a group leader.
 * @param {number} pid
 * @param {NodeJS.Signals} signal
 */
export function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** @param {number} pid @param {number} timeoutMs @returns {Promise<boolean>} exited */
export async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/**
 * SIGTERM, wait, then SIGKILL. Resolves true once the process is gone.
 * @param {number} pid
 * @param {number} [graceMs]
 */
export async function terminate(pid, graceMs = 20_000) {
  if (!isAlive(pid)) return true;
  signalGroup(pid, 'SIGTERM');
  if (await waitForExit(pid, graceMs)) return true;
  signalGroup(pid, 'SIGKILL');
  return waitForExit(pid, 5_000);
}

/** Asks the OS for an unused TCP port on host. @param {string} [host] @returns {Promise<number>} */
export function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves true if something accepts TCP connections. @param {string} host @param {number} port @param {number} timeoutMs */
export function canConnect(host, port, timeoutMs) {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (/** @type {boolean} */ ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** Last `lines` lines of a (possibly large) text file, '' if missing. @param {string} file @param {number} [lines] */
export function tail(file, lines = 30) {
  if (!existsSync(file)) return '';
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, Math.max(64 * 1024, lines * 300));
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    return buf
      .toString('utf8')
      .split('\n')
      .slice(-lines - 1)
      .join('\n')
      .trimEnd();
  } finally {
    closeSync(fd);
  }
}

/**
 * Serialises "probe, else start" across processes: `infra up` and a Jest
 * globalSetup running at the same moment must not both format and start Kafka.
 * A lock whose holder died is taken over.
 * @template T
 * @param {string} file
 * @param {() => Promise<T>} fn
 * @param {number} [timeoutMs]
 * @returns {Promise<T>}
 */
export async function withLock(file, fn, timeoutMs = 300_000) {
  mkdirSync(path.dirname(file), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (e) {
      if (/** @type {NodeJS.ErrnoException} */ (e).code !== 'EEXIST') throw e;
      const holder = readPid(file);
      // An empty file may be one another process is writing right now; only old ones are abandoned.
      const abandoned = holder === undefined ? Date.now() - mtimeMs(file) > 5_000 : !isAlive(holder);
      if (abandoned) {
        rmSync(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${file} (held by pid ${holder})`, { cause: e });
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(file, { force: true });
  }
}

/** @param {string} file */
function mtimeMs(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * kafkajs 2.2.4 calls setTimeout with a negative delay (requestQueue/index.js,
 * scheduleCheckPendingRequests); Node >= 23 then prints a TimeoutNegativeWarning
 * once per process. It is harmless (Node uses 1 ms), so the CLIs drop only that one.
 */
export function muteKafkajsTimeoutWarning() {
  const emit = process.emitWarning;
  process.emitWarning = /** @type {typeof process.emitWarning} */ (
    function (warning, ...rest) {
      const type = typeof rest[0] === 'string' ? rest[0] : /** @type {any} */ (rest[0])?.type;
      if (type === 'TimeoutNegativeWarning') return;
      return emit.call(process, warning, .../** @type {[any]} */ (rest));
    }
  );
}

/** @typedef {(msg: string) => void} Log */
/** @type {Log} */
export const silentLog = () => {};
