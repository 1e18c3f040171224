import { parse } from 'yaml';
import { envNamesReadBy, read, type ComposeService } from '../support/compose-files.js';

const compose = parse(read('docker-compose.cluster.yml'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;
const KAFKA = ['kafka-1', 'kafka-2', 'kafka-3'];
const REDIS = [1, 2, 3, 4, 5, 6].map((i) => `redis-${i}`);
const APPS = {
  ingester: 'ingester',
  'gateway-1': 'gateway',
  'gateway-2': 'gateway',
  'consumer-1': 'consumer',
  'consumer-2': 'consumer',
} as const;
const env = (name: string) => services[name]!.environment!;

describe('docker-compose.cluster.yml (the topology of docs/production.md)', () => {
  it('runs 3 KRaft nodes, each controller and broker, in one quorum, with RF 3, min ISR 2, no unclean election, no auto-creation', () => {
    const ids = KAFKA.map((name) => Number(env(name).KAFKA_NODE_ID));
    expect(ids).toEqual([1, 2, 3]);
    for (const name of KAFKA) {
      const e = env(name);
      expect(services[name]!.image).toMatch(/^apache\/kafka:4\./);
      expect(e).toMatchObject({
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093',
        KAFKA_DEFAULT_REPLICATION_FACTOR: 3,
        KAFKA_MIN_INSYNC_REPLICAS: 2,
        KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE: 'false',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: 3,
      });
      expect(e.KAFKA_ADVERTISED_LISTENERS).toBe(`INTERNAL://${name}:19092`);
      expect(services[name]!.healthcheck!.test!.join(' ')).toContain('kafka-broker-api-versions');
      expect(services[name]!.volumes).toEqual([`${name}-data:/var/lib/kafka/data`]);
    }
    expect(new Set(KAFKA.map((name) => env(name).CLUSTER_ID)).size).toBe(1);
  });

  it('forms a Redis Cluster of 3 masters + 3 replicas from 6 cluster-mode nodes', () => {
    for (const name of REDIS) {
      const command = (services[name]!.command as string[]).join(' ');
      expect(command).toContain('--cluster-enabled yes');
      expect(command).toContain(`--cluster-announce-hostname ${name}`);
      expect(services[name]!.healthcheck!.test!.join(' ')).toContain('ping');
    }
    const init = services['redis-cluster-init']!;
    const create = (init.command as string[]).join(' ');
    expect(create).toContain(`--cluster create ${REDIS.map((n) => `${n}:6379`).join(' ')} --cluster-replicas 1`);
    expect(Object.keys(init.depends_on!).sort()).toEqual([...REDIS].sort());
  });

  it('runs one ingester, two gateways and two consumers from the one Dockerfile, on the whole cluster', () => {
    const brokers = KAFKA.map((name) => `${name}:19092`).join(',');
    const redisNodes = REDIS.map((name) => `${name}:6379`).join(',');
    for (const [name, app] of Object.entries(APPS)) {
      const service = services[name]!;
      expect(service.build).toMatchObject({ context: '.', dockerfile: 'Dockerfile', target: 'runtime' });
      expect(service.command).toEqual(['node', `dist/apps/${app}/src/main.js`]);
      expect(env(name).KAFKA_BROKERS).toBe(brokers);
      expect(service.healthcheck!.test!.join(' ')).toContain('/health/ready');
      // Every variable set is one the app reads (no typos); Redis through the cluster, never REDIS_URL.
      const read = envNamesReadBy(app);
      expect(Object.keys(env(name)).filter((v) => !read.has(v))).toEqual([]);
      expect(env(name)).not.toHaveProperty('REDIS_URL');
      if (app !== 'consumer') {
        expect(env(name).REDIS_CLUSTER_NODES).toBe(redisNodes);
        expect(Object.keys(service.depends_on!)).toEqual(expect.arrayContaining([...KAFKA, 'redis-cluster-init']));
      } else {
        expect(Object.keys(service.depends_on!).sort()).toEqual(KAFKA);
      }
    }
    // Each consumer keeps a whole projection (its own group and volume): losing one loses no read model.
    expect(env('consumer-1').CONSUMER_GROUP_ID).not.toBe(env('consumer-2').CONSUMER_GROUP_ID);
    expect(services['consumer-1']!.volumes).not.toEqual(services['consumer-2']!.volumes);
    // Topics the services create: 6 partitions, RF 3.
    for (const name of ['ingester', 'consumer-1', 'consumer-2']) {
      expect(env(name)).toMatchObject({ KAFKA_TOPIC_PARTITIONS: 6, KAFKA_TOPIC_REPLICATION: 3 });
    }
    const prefixes = new Set(Object.keys(APPS).map((name) => env(name).TOPIC_PREFIX));
    expect(prefixes.size).toBe(1);
  });

  it('publishes only the apps’ ports, on distinct host ports; secrets come from .env', () => {
    const published = Object.entries(services).filter(([, s]) => s.ports);
    expect(published.map(([name]) => name).sort()).toEqual(Object.keys(APPS).sort());
    const hostPorts = published.flatMap(([, s]) => s.ports!.map((p) => p.split(':').at(-2)));
    expect(new Set(hostPorts).size).toBe(hostPorts.length);
    const required = /^\$\{([A-Z_]+):\?set \1 in \.env .*docs\/operations\.md\}$/;
    for (const name of ['gateway-1', 'gateway-2', 'consumer-1', 'consumer-2']) {
      expect(String(env(name).AUTH_JWT_SECRET)).toMatch(required);
    }
    expect(String(env('ingester').INGESTER_API_KEYS)).toMatch(required);
    expect(env('gateway-1').GATEWAY_DEV_TOKENS).toBe(0);
  });

  it('is the topology docs/production.md describes', () => {
    const doc = read('docs/production.md');
    for (const needle of ['docker-compose.cluster.yml', 'min.insync.replicas', 'sharded Pub/Sub', 'sticky']) {
      expect(doc).toContain(needle);
    }
  });
});
