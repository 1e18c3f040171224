// Starts a real single-node Apache Kafka (KRaft, broker+controller in one JVM)
// from jars that Maven resolves from infra/kafka/pom.xml: no Docker, no tarball.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import {
  REPO_ROOT,
  canConnect,
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

export const POM = path.join(REPO_ROOT, 'infra', 'kafka', 'pom.xml');
export const LOG4J_CONFIG = path.join(REPO_ROOT, 'infra', 'kafka', 'log4j2.properties');
const PROCESS_MARKER = 'kafka.Kafka';
export const JAVA = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';

/**
 * Runs a command, collecting its output; never rejects on a non-zero exit.
 * @param {string} cmd @param {string[]} args @param {import('node:child_process').SpawnOptions} [opts]
 * @returns {Promise<{ code: number | null, output: string }>}
 */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    child.once('error', (e) => reject(new Error(`cannot run ${cmd}: ${e.message}`)));
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** @param {string} text @param {number} [lines] */
export const lastLines = (text, lines = 40) => text.trimEnd().split('\n').slice(-lines).join('\n');

/**
 * Formats a KRaft node's data directory (`kafka.tools.StorageTool format`) for `clusterId`; throws with the
 * tool's last output lines when it fails.
 * @param {{ what: string, classpath: string, javaProps: string[], clusterId: string, propsFile: string, extraArgs?: string[] }} o
 */
export async function formatStorage({ what, classpath, javaProps, clusterId, propsFile, extraArgs = [] }) {
  const { code, output } = await run(JAVA, [
    '-Xmx256m',
    ...javaProps,
    '-cp',
    classpath,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    clusterId,
    '-c',
    propsFile,
    ...extraArgs,
  ]);
  if (code !== 0) throw new Error(`${what}: storage format failed (exit ${code}):\n${lastLines(output)}`);
}

/**
 * Resolves (and caches outside git) the broker's runtime classpath. The cache
 * key is the Kafka version plus a hash of the POM, so editing the POM forces a
 * new resolution while a warm start never touches Maven.
 * @param {{ log?: Log }} [opts]
 * @returns {Promise<{ classpath: string, version: string, cacheDir: string }>}
 */
export function resolveKafkaClasspath({ log = silentLog } = {}) {
  return resolveMavenClasspath({ pom: POM, name: 'kafka', log });
}

/**
 * Resolves (and caches outside git) the runtime classpath of a resolve-only POM (the broker's, or a bench
 * tool's): cached under `{name}-{kafka.version}-{hash of the POM}`.
 * @param {{ pom: string, name: string, log?: Log }} opts
 * @returns {Promise<{ classpath: string, version: string, cacheDir: string }>}
 */
export async function resolveMavenClasspath({ pom: pomFile, name, log = silentLog }) {
  const pom = readFileSync(pomFile, 'utf8');
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1] ?? 'unknown';
  const hash = createHash('sha256').update(pom).digest('hex').slice(0, 10);
  const cacheRoot = process.env.DUAL_STREAM_CACHE_DIR || path.join(os.homedir(), '.cache', 'dual-stream');
  const cacheDir = path.join(cacheRoot, `${name}-${version}-${hash}`);
  const cpFile = path.join(cacheDir, 'classpath.txt');

  if (existsSync(cpFile)) {
    const classpath = readFileSync(cpFile, 'utf8').trim();
    const jars = classpath.split(path.delimiter).filter(Boolean);
    if (jars.length > 0 && jars.every((j) => existsSync(j))) return { classpath, version, cacheDir };
    log(`${name}: cached classpath refers to missing jars, resolving again`);
  }

  mkdirSync(cacheDir, { recursive: true });
  // Written under a temp name and renamed so a concurrent or interrupted run never sees half a file.
  const tmp = `${cpFile}.${process.pid}.tmp`;
  log(`${name}: resolving Kafka ${version} jars with Maven (the first run downloads them)...`);
  const started = Date.now();
  const { code, output } = await run('mvn', [
    '-B',
    '-q',
    '-Dstyle.color=never',
    '-f',
    pomFile,
    'dependency:build-classpath',
    '-Dmdep.includeScope=runtime',
    `-Dmdep.outputFile=${tmp}`,
  ]);
  if (code !== 0 || !existsSync(tmp)) {
    rmSync(tmp, { force: true });
    throw new Error(`mvn dependency:build-classpath failed (exit ${code}):\n${lastLines(output)}`);
  }
  renameSync(tmp, cpFile);
  log(`${name}: classpath resolved in ${((Date.now() - started) / 1000).toFixed(1)}s -> ${cpFile}`);
  return { classpath: readFileSync(cpFile, 'utf8').trim(), version, cacheDir };
}

/**
 * True when a broker answers a metadata request (not merely accepts TCP).
 * @param {string[]} brokers host:port list
 * @param {number} [timeoutMs]
 */
export async function isKafkaAnswering(brokers, timeoutMs = 2000) {
  const reachable = await Promise.all(
    brokers.map((b) => {
      const i = b.lastIndexOf(':');
      return canConnect(b.slice(0, i), Number(b.slice(i + 1)), timeoutMs);
    }),
  );
  if (!reachable.some(Boolean)) return false;

  const kafka = new Kafka({
    clientId: 'dual-stream-infra-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const probe = admin
    .connect()
    .then(() => admin.describeCluster())
    .then((c) => c.brokers.length > 0)
    .catch(() => false);
  try {
    return await Promise.race([probe, new Promise((r) => (timer = setTimeout(() => r(false), timeoutMs)))]);
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => {});
  }
}

/**
 * The root cause of a failed start sits among the first ERROR lines, far above
 * the shutdown noise at the end of the log: keep those and their exception headlines.
 * @param {string} file
 */
export function firstErrors(file, max = 12) {
  const lines = tail(file, 5000).split('\n');
  const picked = [];
  for (let i = 0; i < lines.length && picked.length < max; i++) {
    if (!/\] (ERROR|FATAL) /.test(lines[i])) continue;
    picked.push(lines[i]);
    for (let j = i + 1; j < lines.length && !lines[j].startsWith('[') && picked.length < max; j++) {
      if (!/^\s/.test(lines[j])) picked.push(lines[j]); // exception / "Caused by" headlines, not stack frames
    }
  }
  return picked.join('\n') || '(none)';
}

/** Kafka cluster ids are 16 random bytes in unpadded base64url; Kafka itself avoids a leading '-'. */
export function newClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** @param {Record<string, string | number | boolean>} props */
export const toProperties = (props) =>
  Object.entries(props)
    .map(([k, v]) => `${k}=${String(v).replaceAll('\\', '\\\\')}`)
    .join('\n') + '\n';

/**
 * @typedef {object} KafkaHandle
 * @property {string[]} brokers
 * @property {number} pid
 * @property {number} port
 * @property {number} controllerPort
 * @property {string} stateDir
 * @property {() => Promise<void>} stop SIGTERM the process group, SIGKILL after 20 s
 * @property {() => Promise<void>} kill SIGKILL at once (crash simulation); data is kept
 * @property {() => Promise<void>} restart start again on the same ports and data (after kill()); pid changes
 */

/**
 * Formats (first time only) and starts a KRaft broker+controller, detached in
 * its own process group so it outlives the calling process. Resolves once the
 * broker answers metadata requests.
 * @param {object} [opts]
 * @param {number} [opts.port] PLAINTEXT port; 0 picks a free one
 * @param {number} [opts.controllerPort] default port+1, or a free port when port is 0
 * @param {string} [opts.host]
 * @param {string} [opts.stateDir] default: a fresh temp dir, removed by stop() (not by kill())
 * @param {number} [opts.heapMb]
 * @param {number} [opts.startTimeoutMs]
 * @param {Log} [opts.log]
 * @returns {Promise<KafkaHandle>}
 */
export async function startKafka({
  port = 9092,
  controllerPort,
  host = '127.0.0.1',
  stateDir,
  heapMb = 512,
  startTimeoutMs = 60_000,
  log = silentLog,
} = {}) {
  const { classpath, version } = await resolveKafkaClasspath({ log });
  const ownsStateDir = !stateDir;
  const dir = stateDir ? path.resolve(stateDir) : mkdtempSync(path.join(os.tmpdir(), 'dual-stream-kafka-'));
  const dataDir = path.join(dir, 'data');
  const logsDir = path.join(dir, 'logs');
  const pidFile = path.join(dir, 'kafka.pid');
  const outFile = path.join(dir, 'kafka.out');
  const propsFile = path.join(dir, 'server.properties');

  const running = readPid(pidFile);
  if (running && isOurProcess(running, PROCESS_MARKER)) {
    throw new Error(`a Kafka broker from ${dir} is already running (pid ${running}); stop it first`);
  }

  const autoPorts = port === 0;
  if (autoPorts) port = await freePort(host);
  // port+1 keeps a persistent stateDir's controller endpoint stable across restarts.
  controllerPort ??= autoPorts ? await freePort(host) : port + 1;
  if (controllerPort === port) controllerPort = await freePort(host);
  const brokers = [`${host}:${port}`];

  const serverProperties = toProperties({
    'process.roles': 'broker,controller',
    'node.id': 1,
    // Dynamic quorum (KIP-853), which is what `format --standalone` sets up.
    'controller.quorum.bootstrap.servers': `${host}:${controllerPort}`,
    listeners: `PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'log.dirs': dataDir,
    'num.partitions': 3,
    'auto.create.topics.enable': true,
    'delete.topic.enable': true,
    'offsets.topic.replication.factor': 1,
    // Internal topics default to 50 partitions; creating them dominates the first group join on 2 cores.
    'offsets.topic.num.partitions': 8,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 8,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    // After a kill -9 the restarted broker cannot register until its previous session
    // expires (default 9 s); a shorter session makes crash/restart tests faster.
    'broker.session.timeout.ms': 4000,
    'broker.heartbeat.interval.ms': 1000,
    'log.segment.bytes': 16 * 1024 * 1024,
    'num.network.threads': 2,
    'num.io.threads': 4,
  });

  // A dir formatted for other ports or another Kafka version would refuse to start
  // (voter endpoints are stored in the metadata log), so such dev data is reset.
  const fingerprint = JSON.stringify({ version, host, port, controllerPort });
  const fingerprintFile = path.join(dir, 'format.json');
  const javaProps = [`-Dlog4j2.configurationFile=${LOG4J_CONFIG}`, `-Dkafka.logs.dir=${logsDir}`];
  const serverLog = path.join(logsDir, 'server.log');
  const logTail = () =>
    `--- first errors in ${serverLog} ---\n${firstErrors(serverLog)}\n--- ${outFile} ---\n${tail(outFile, 20)}` +
    `\n--- end of ${serverLog} ---\n${tail(serverLog, 10)}`;

  async function prepare() {
    mkdirSync(logsDir, { recursive: true }); // also after stop() removed a temp stateDir
    writeFileSync(propsFile, serverProperties);
    const metaFile = path.join(dataDir, 'meta.properties');
    if (
      existsSync(metaFile) &&
      (!existsSync(fingerprintFile) || readFileSync(fingerprintFile, 'utf8') !== fingerprint)
    ) {
      log(`kafka: ${dataDir} was formatted for another version/ports, wiping it`);
      rmSync(dataDir, { recursive: true, force: true });
    }
    if (existsSync(metaFile)) return;
    const clusterId = newClusterId();
    log(`kafka: formatting ${dataDir} (cluster ${clusterId})`);
    await formatStorage({ what: 'kafka', classpath, javaProps, clusterId, propsFile, extraArgs: ['--standalone'] });
    writeFileSync(fingerprintFile, fingerprint);
  }

  /** @param {number} pid @param {NodeJS.Signals} signal */
  async function halt(pid, signal) {
    if (signal === 'SIGKILL') {
      signalGroup(pid, 'SIGKILL');
      await waitForExit(pid, 5_000);
    } else {
      await terminate(pid, 20_000);
    }
    rmSync(pidFile, { force: true });
  }

  /** Spawns the broker and resolves with its pid once it answers. */
  async function launch() {
    await prepare();
    const out = openSync(outFile, 'w');
    const child = spawn(
      JAVA,
      [
        `-Xms${Math.min(256, heapMb)}m`,
        `-Xmx${heapMb}m`,
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-XX:+ExitOnOutOfMemoryError',
        '-Djava.awt.headless=true',
        ...javaProps,
        '-cp',
        classpath,
        'kafka.Kafka',
        propsFile,
      ],
      { cwd: dir, detached: true, stdio: ['ignore', out, out] },
    );
    closeSync(out);
    child.unref(); // never keep the caller (CLI, Jest) alive just for the broker

    /** @type {string | undefined} */
    let exited;
    child.once('exit', (code, signal) => (exited = `exited with ${signal ?? `code ${code}`}`));
    child.once('error', (e) => (exited = `failed to spawn ${JAVA}: ${e.message}`));
    await sleep(0); // lets a synchronous spawn error surface before we use child.pid
    const pid = child.pid;
    if (pid === undefined) throw new Error(`kafka: ${exited ?? 'spawn failed'}`);
    writeFileSync(pidFile, `${pid}\n`);
    log(`kafka: started pid ${pid} on ${brokers[0]} (controller ${controllerPort}), waiting for it to answer`);

    const deadline = Date.now() + startTimeoutMs;
    for (;;) {
      if (exited || !isAlive(pid)) {
        const msg = `kafka broker ${exited ?? 'died'} during startup\n${logTail()}`;
        await halt(pid, 'SIGKILL');
        throw new Error(msg);
      }
      if (await isKafkaAnswering(brokers, 1500)) return pid;
      if (Date.now() > deadline) {
        const msg = `kafka broker did not answer on ${brokers[0]} within ${startTimeoutMs / 1000}s\n${logTail()}`;
        await halt(pid, 'SIGTERM');
        throw new Error(msg);
      }
      await sleep(250);
    }
  }

  /** @type {KafkaHandle} */
  const handle = {
    brokers,
    pid: 0,
    port,
    controllerPort,
    stateDir: dir,
    async stop() {
      await halt(handle.pid, 'SIGTERM');
      if (ownsStateDir) rmSync(dir, { recursive: true, force: true });
    },
    // Like a crash: the data (and a temp stateDir) survive, so restart() recovers the log.
    kill: () => halt(handle.pid, 'SIGKILL'),
    async restart() {
      if (isAlive(handle.pid)) await halt(handle.pid, 'SIGKILL');
      handle.pid = await launch();
    },
  };
  try {
    handle.pid = await launch();
  } catch (e) {
    if (ownsStateDir) rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return handle;
}

/**
 * Stops the broker recorded in stateDir/kafka.pid, if it is still ours.
 * @param {string} stateDir
 * @returns {Promise<{ pid?: number, stopped: boolean }>} stopped=false only if it refused to die
 */
export async function stopKafkaFromPidFile(stateDir) {
  const pidFile = path.join(stateDir, 'kafka.pid');
  const pid = readPid(pidFile);
  if (pid === undefined) return { stopped: true };
  if (!isOurProcess(pid, PROCESS_MARKER)) {
    rmSync(pidFile, { force: true });
    return { stopped: true };
  }
  const stopped = await terminate(pid, 20_000);
  if (stopped) unlinkSync(pidFile);
  return { pid, stopped };
}

/** Pid from stateDir/kafka.pid when that process is a live broker we started. @param {string} stateDir */
export function runningKafkaPid(stateDir) {
  const pid = readPid(path.join(stateDir, 'kafka.pid'));
  return pid !== undefined && isOurProcess(pid, PROCESS_MARKER) ? pid : undefined;
}
