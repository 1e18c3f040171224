// Starts a real 3-node Apache Kafka cluster (KRaft; every node is controller and broker, a static quorum of
// three voters) from the same Maven-resolved jars as the single broker (kafka-launcher.mjs): no Docker.
// Settings are the production ones this project documents (docs/production.md): replication factor 3,
// min.insync.replicas 2, no unclean leader election, no topic auto-creation; heaps are small so three JVMs
// fit a 2-core CI machine.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import {
  JAVA,
  LOG4J_CONFIG,
  firstErrors,
  formatStorage,
  isKafkaAnswering,
  newClusterId,
  resolveKafkaClasspath,
  toProperties,
} from './kafka-launcher.mjs';
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

const PROCESS_MARKER = 'kafka.Kafka';
export const CLUSTER_SIZE = 3;
/** Ports of `npm run infra:up -- --cluster`: brokers 19092-19094, controllers 19192-19194. */
export const DEFAULT_CLUSTER_KAFKA_PORT = 19092;
const CONTROLLER_PORT_OFFSET = 100;

/**
 * @typedef {object} KafkaClusterNode
 * @property {number} id node.id (1..3)
 * @property {number} port PLAINTEXT port
 * @property {number} controllerPort
 * @property {string} broker host:port
 * @property {number} pid current pid (changes after restart)
 * @property {() => Promise<void>} kill SIGKILL at once (crash); its data is kept
 * @property {() => Promise<void>} restart start it again on the same ports and data
 */

/**
 * @typedef {object} KafkaClusterHandle
 * @property {string[]} brokers bootstrap list, every node
 * @property {KafkaClusterNode[]} nodes
 * @property {string} stateDir
 * @property {() => Promise<void>} stop SIGTERM every node (SIGKILL after 20 s); a temp stateDir is removed
 * @property {(id: number) => KafkaClusterNode} node the node with this node.id
 */

/**
 * Formats (first time only) and starts three KRaft nodes, each detached in its own process group so they
 * outlive the caller. Resolves once every node answers and the cluster reports all three brokers.
 * @param {object} [opts]
 * @param {number} [opts.port] first broker port (nodes use port, port+1, port+2; controllers +100); 0 picks free ports
 * @param {string} [opts.host]
 * @param {string} [opts.stateDir] default: a fresh temp dir removed by stop()
 * @param {number} [opts.heapMb] per node
 * @param {number} [opts.startTimeoutMs]
 * @param {Log} [opts.log]
 * @returns {Promise<KafkaClusterHandle>}
 */
export async function startKafkaCluster({
  port = DEFAULT_CLUSTER_KAFKA_PORT,
  host = '127.0.0.1',
  stateDir,
  heapMb = 320,
  startTimeoutMs = 90_000,
  log = silentLog,
} = {}) {
  const { classpath, version } = await resolveKafkaClasspath({ log });
  const ownsStateDir = !stateDir;
  const dir = stateDir ? path.resolve(stateDir) : mkdtempSync(path.join(os.tmpdir(), 'dual-stream-kafka-cluster-'));
  const specs = [];
  for (let i = 0; i < CLUSTER_SIZE; i++) {
    const brokerPort = port === 0 ? await freePort(host) : port + i;
    const controllerPort = port === 0 ? await freePort(host) : port + CONTROLLER_PORT_OFFSET + i;
    specs.push({ id: i + 1, port: brokerPort, controllerPort, dir: path.join(dir, `node-${i + 1}`) });
  }
  for (const spec of specs) {
    const pid = readPid(path.join(spec.dir, 'kafka.pid'));
    if (pid && isOurProcess(pid, PROCESS_MARKER)) {
      throw new Error(`a Kafka node from ${spec.dir} is already running (pid ${pid}); run npm run infra:down first`);
    }
  }
  const voters = specs.map((s) => `${s.id}@${host}:${s.controllerPort}`).join(',');
  const brokers = specs.map((s) => `${host}:${s.port}`);
  // One cluster id for all three nodes, kept with the data so a restart of the whole cluster reuses it.
  const idFile = path.join(dir, 'cluster.id');
  const fingerprint = JSON.stringify({ version, voters, brokers });
  const fingerprintFile = path.join(dir, 'format.json');
  if (existsSync(fingerprintFile) && readFileSync(fingerprintFile, 'utf8') !== fingerprint) {
    log(`kafka cluster: ${dir} was formatted for another version/ports, wiping it`);
    for (const spec of specs) rmSync(spec.dir, { recursive: true, force: true });
    rmSync(idFile, { force: true });
  }
  mkdirSync(dir, { recursive: true });
  if (!existsSync(idFile)) writeFileSync(idFile, newClusterId());
  const clusterId = readFileSync(idFile, 'utf8').trim();

  /** @param {typeof specs[number]} spec */
  function properties(spec) {
    return toProperties({
      'process.roles': 'broker,controller',
      'node.id': spec.id,
      'controller.quorum.voters': voters,
      listeners: `PLAINTEXT://${host}:${spec.port},CONTROLLER://${host}:${spec.controllerPort}`,
      'advertised.listeners': `PLAINTEXT://${host}:${spec.port}`,
      'controller.listener.names': 'CONTROLLER',
      'inter.broker.listener.name': 'PLAINTEXT',
      'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      'log.dirs': path.join(spec.dir, 'data'),
      // What an acknowledged write means here: acks=all waits for 2 of 3 copies, and a replica that missed
      // writes never becomes leader (docs/production.md).
      'default.replication.factor': 3,
      'min.insync.replicas': 2,
      'unclean.leader.election.enable': false,
      // Topics are created on purpose (partitions, RF), never by the first producer that names one.
      'auto.create.topics.enable': false,
      'num.partitions': 6,
      'delete.topic.enable': true,
      'offsets.topic.replication.factor': 3,
      'offsets.topic.num.partitions': 8,
      'transaction.state.log.replication.factor': 3,
      'transaction.state.log.min.isr': 2,
      'transaction.state.log.num.partitions': 8,
      'share.coordinator.state.topic.replication.factor': 3,
      'share.coordinator.state.topic.min.isr': 2,
      'group.initial.rebalance.delay.ms': 0,
      // A killed node is fenced after this long, and its partitions get new leaders: short for fault tests.
      'broker.session.timeout.ms': 4000,
      'broker.heartbeat.interval.ms': 1000,
      'replica.lag.time.max.ms': 5000,
      'log.segment.bytes': 16 * 1024 * 1024,
      'num.network.threads': 2,
      'num.io.threads': 2,
      'num.replica.fetchers': 1,
      'background.threads': 2,
    });
  }

  /** @param {typeof specs[number]} spec */
  const files = (spec) => ({
    props: path.join(spec.dir, 'server.properties'),
    pid: path.join(spec.dir, 'kafka.pid'),
    out: path.join(spec.dir, 'kafka.out'),
    logs: path.join(spec.dir, 'logs'),
    meta: path.join(spec.dir, 'data', 'meta.properties'),
  });
  /** @param {typeof specs[number]} spec */
  const javaProps = (spec) => [`-Dlog4j2.configurationFile=${LOG4J_CONFIG}`, `-Dkafka.logs.dir=${files(spec).logs}`];
  /** @param {typeof specs[number]} spec */
  const logTail = (spec) => {
    const serverLog = path.join(files(spec).logs, 'server.log');
    return `--- node ${spec.id}: first errors in ${serverLog} ---\n${firstErrors(serverLog)}\n--- ${files(spec).out} ---\n${tail(files(spec).out, 20)}`;
  };

  /** @param {typeof specs[number]} spec */
  async function prepare(spec) {
    const f = files(spec);
    mkdirSync(f.logs, { recursive: true });
    writeFileSync(f.props, properties(spec));
    if (existsSync(f.meta)) return;
    await formatStorage({
      what: `kafka node ${spec.id}`,
      classpath,
      javaProps: javaProps(spec),
      clusterId,
      propsFile: f.props,
    });
  }

  /** @param {typeof specs[number]} spec @returns {Promise<number>} pid */
  async function spawnNode(spec) {
    await prepare(spec);
    const f = files(spec);
    const out = openSync(f.out, 'w');
    const child = spawn(
      JAVA,
      [
        `-Xms${Math.min(128, heapMb)}m`,
        `-Xmx${heapMb}m`,
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-XX:+ExitOnOutOfMemoryError',
        '-Djava.awt.headless=true',
        ...javaProps(spec),
        '-cp',
        classpath,
        PROCESS_MARKER,
        f.props,
      ],
      { cwd: spec.dir, detached: true, stdio: ['ignore', out, out] },
    );
    closeSync(out);
    child.unref();
    await sleep(0);
    if (child.pid === undefined) throw new Error(`kafka node ${spec.id}: spawn failed`);
    writeFileSync(f.pid, `${child.pid}\n`);
    log(`kafka cluster: node ${spec.id} pid ${child.pid} on ${host}:${spec.port} (controller ${spec.controllerPort})`);
    return child.pid;
  }

  /** @param {KafkaClusterNode[]} nodes @param {number} timeoutMs */
  async function waitForNodes(nodes, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const dead = nodes.find((n) => !isAlive(n.pid));
      if (dead) {
        const spec = /** @type {typeof specs[number]} */ (specs.find((s) => s.id === dead.id));
        throw new Error(`kafka node ${dead.id} died during startup\n${logTail(spec)}`);
      }
      const answering = await Promise.all(nodes.map((n) => isKafkaAnswering([n.broker], 1500)));
      if (answering.every(Boolean) && (await registeredBrokers(brokers)) === CLUSTER_SIZE) return;
      if (Date.now() > deadline) {
        throw new Error(
          `kafka cluster did not answer within ${timeoutMs / 1000}s\n${specs.map((s) => logTail(s)).join('\n')}`,
        );
      }
      await sleep(300);
    }
  }

  /** @type {KafkaClusterNode[]} */
  const nodes = specs.map((spec) => {
    /** @type {KafkaClusterNode} */
    const node = {
      id: spec.id,
      port: spec.port,
      controllerPort: spec.controllerPort,
      broker: `${host}:${spec.port}`,
      pid: 0,
      async kill() {
        signalGroup(node.pid, 'SIGKILL');
        await waitForExit(node.pid, 5_000);
        rmSync(files(spec).pid, { force: true });
      },
      async restart() {
        if (isAlive(node.pid)) await node.kill();
        node.pid = await spawnNode(spec);
        await waitForNodes([node], startTimeoutMs);
      },
    };
    return node;
  });

  /** @type {KafkaClusterHandle} */
  const handle = {
    brokers,
    nodes,
    stateDir: dir,
    node(id) {
      const found = nodes.find((n) => n.id === id);
      if (!found) throw new Error(`no Kafka node ${id} in this cluster (ids 1..${CLUSTER_SIZE})`);
      return found;
    },
    async stop() {
      await Promise.all(nodes.map((n) => (n.pid ? terminate(n.pid, 20_000) : true)));
      for (const spec of specs) rmSync(files(spec).pid, { force: true });
      if (ownsStateDir) rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    // Formats run one after another (each is a JVM); the nodes start together because a KRaft quorum of
    // three needs two voters up before any of them answers.
    for (const spec of specs) await prepare(spec);
    writeFileSync(fingerprintFile, fingerprint);
    for (const [i, spec] of specs.entries()) nodes[i].pid = await spawnNode(spec);
    await waitForNodes(nodes, startTimeoutMs);
  } catch (e) {
    await handle.stop().catch(() => undefined);
    throw e;
  }
  return handle;
}

/**
 * How many brokers the cluster reports (0 when it does not answer).
 * @param {string[]} brokers
 */
export async function registeredBrokers(brokers) {
  const admin = new Kafka({
    clientId: 'dual-stream-cluster-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1500,
    requestTimeout: 1500,
    retry: { retries: 0 },
  }).admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    return (await admin.describeCluster()).brokers.length;
  } catch {
    return 0;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Stops the nodes recorded under stateDir (node-N/kafka.pid) that are still ours.
 * @param {string} stateDir
 * @returns {Promise<{ pids: number[], stopped: boolean }>}
 */
export async function stopKafkaClusterFromPidFiles(stateDir) {
  const pids = runningKafkaClusterPids(stateDir);
  const results = await Promise.all(pids.map((pid) => terminate(pid, 20_000)));
  for (let i = 1; i <= CLUSTER_SIZE; i++) {
    const pidFile = path.join(stateDir, `node-${i}`, 'kafka.pid');
    const pid = readPid(pidFile);
    if (pid === undefined || !isOurProcess(pid, PROCESS_MARKER)) rmSync(pidFile, { force: true });
  }
  return { pids, stopped: results.every(Boolean) };
}

/** Pids of this stateDir's nodes that are live brokers we started. @param {string} stateDir */
export function runningKafkaClusterPids(stateDir) {
  const pids = [];
  for (let i = 1; i <= CLUSTER_SIZE; i++) {
    const pid = readPid(path.join(stateDir, `node-${i}`, 'kafka.pid'));
    if (pid !== undefined && isOurProcess(pid, PROCESS_MARKER)) pids.push(pid);
  }
  return pids;
}
