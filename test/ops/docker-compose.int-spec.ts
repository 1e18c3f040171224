import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT, envNamesReadBy, read, sourceFiles, type ComposeService } from '../support/compose-files.js';

const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
const APPS = ['ingester', 'gateway', 'consumer'] as const;

describe('docker-compose.yml', () => {
  it('runs Kafka (KRaft), Redis and the three services, each with a healthcheck', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['kafka', 'redis', ...APPS]));
    for (const name of ['kafka', 'redis', ...APPS]) {
      expect(compose.services[name]!.healthcheck!.test!.length).toBeGreaterThan(1);
    }
    const kafka = compose.services.kafka!;
    expect(kafka.image).toMatch(/^apache\/kafka:4\./);
    expect(kafka.environment).toMatchObject({ KAFKA_PROCESS_ROLES: 'broker,controller' });
    expect(compose.services.redis!.image).toMatch(/^redis:/);
  });

  it.each(APPS)(
    '%s: built from the Dockerfile, runs its dist entry point, publishes its port, probes readiness',
    (app) => {
      const service = compose.services[app]!;
      expect(service.build).toMatchObject({ context: '.', dockerfile: 'Dockerfile', target: 'runtime' });
      expect(service.command).toEqual(['node', `dist/apps/${app}/src/main.js`]);
      expect(existsSync(path.join(ROOT, 'apps', app, 'src', 'main.ts'))).toBe(true);

      const defaultPort = Number(/port:\s*(\d+)/.exec(read(`apps/${app}/src/main.ts`))![1]);
      expect(service.environment!.PORT).toBe(defaultPort);
      // Published on the loopback interface unless PUBLISH_HOST says otherwise.
      expect(service.ports).toEqual([`\${PUBLISH_HOST:-127.0.0.1}:${defaultPort}:${defaultPort}`]);
      expect(service.environment!.HOST).toBe('0.0.0.0');
      expect(service.healthcheck!.test!.join(' ')).toContain(`127.0.0.1:${defaultPort}/health/ready`);
      const needs = app === 'consumer' ? ['kafka'] : ['kafka', 'redis']; // the consumer reads Kafka only
      expect(service.depends_on).toEqual(Object.fromEntries(needs.map((n) => [n, { condition: 'service_healthy' }])));
    },
  );

  it.each(APPS)('%s: every variable it sets is one the app reads (no typos), and the shared ones are set', (app) => {
    const env = Object.keys(compose.services[app]!.environment!);
    const read = envNamesReadBy(app);
    expect(env.filter((name) => !read.has(name))).toEqual([]);
    expect(env).toEqual(expect.arrayContaining(['KAFKA_BROKERS', 'PORT', 'HOST', 'LOG_FORMAT', 'TOPIC_PREFIX']));
    if (app !== 'consumer') expect(env).toEqual(expect.arrayContaining(['REDIS_URL', 'CHANNEL_PREFIX']));
  });

  it('points every app at the listener Kafka advertises inside the compose network, and at the redis service', () => {
    const advertised = String(compose.services.kafka!.environment!.KAFKA_ADVERTISED_LISTENERS).split(',');
    for (const app of APPS) {
      const { KAFKA_BROKERS, REDIS_URL } = compose.services[app]!.environment!;
      expect(advertised.some((l) => l.endsWith(`//${KAFKA_BROKERS}`))).toBe(true);
      if (app !== 'consumer') expect(REDIS_URL).toBe('redis://redis:6379');
    }
    // The apps agree on topic and channel naming, or the consumer and the gateway's replay read other topics.
    const prefixes = new Set(APPS.map((app) => compose.services[app]!.environment!.TOPIC_PREFIX));
    expect(prefixes.size).toBe(1);
  });

  it('publishes only the three apps’ ports: Kafka and Redis (no authentication) stay inside the network', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (!(APPS as readonly string[]).includes(name)) {
        expect({ name, ports: service.ports }).toEqual({ name, ports: undefined });
      }
    }
    const kafka = compose.services.kafka!.environment!;
    for (const listeners of [kafka.KAFKA_LISTENERS, kafka.KAFKA_ADVERTISED_LISTENERS]) {
      expect(String(listeners)).not.toMatch(/EXTERNAL|127\.0\.0\.1/);
    }
  });

  it('ships no secret: the JWT secret and the API keys come from .env, required, with how-to messages', () => {
    const text = read('docker-compose.yml');
    expect(text).not.toMatch(/change-me/i);
    const required = /^\$\{([A-Z_]+):\?set \1 in \.env .*docs\/operations\.md\}$/;
    for (const app of ['gateway', 'consumer'] as const) {
      const env = compose.services[app]!.environment!;
      expect(String(env.AUTH_JWT_SECRET)).toMatch(required);
      expect(Object.keys(env)).not.toContain('GATEWAY_JWT_SECRET');
    }
    expect(String(compose.services.ingester!.environment!.INGESTER_API_KEYS)).toMatch(required);
    expect(compose.services.ingester!.environment).not.toHaveProperty('INGESTER_ALLOW_ANONYMOUS');
    // Dev tokens are off (the docs' default), and the image runs with NODE_ENV=production, which refuses them.
    expect(compose.services.gateway!.environment!.GATEWAY_DEV_TOKENS).toBe(0);
    expect(read('docs/configuration.md')).toMatch(/\| `GATEWAY_DEV_TOKENS` \| `0` \|/);
    expect(read('Dockerfile')).toMatch(/ENV NODE_ENV=production/);
    // What a person fills in: every required variable is in .env.example, which holds no value.
    const example = read('.env.example');
    for (const name of ['AUTH_JWT_SECRET', 'INGESTER_API_KEYS']) expect(example).toMatch(new RegExp(`^${name}=$`, 'm'));
    expect(read('.gitignore').split('\n')).toContain('.env');
    expect(read('.dockerignore').split('\n')).toContain('.env');
  });

  it('the ingester, the consumer and the load generator share one list of source types', () => {
    const types = new Set(['ingester', 'consumer'].map((app) => compose.services[app]!.environment!.SOURCE_TYPES));
    expect(types).toEqual(new Set(['${SOURCE_TYPES:-order,user,sensor}']));
    expect(read('scripts/demo/load-generator.mjs')).toContain('process.env.SOURCE_TYPES');
    expect(read('Dockerfile')).toMatch(/scripts\/demo\/token\.mjs/);
  });

  it('builds one multi-stage Node 24 image that ships only what runs', () => {
    const dockerfile = read('Dockerfile');
    const stages = [...dockerfile.matchAll(/^FROM\s+(\S+)\s+AS\s+(\S+)/gim)].map((m) => ({
      image: m[1]!,
      name: m[2]!,
    }));
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    for (const s of stages) expect(s.image).toMatch(/^node:24/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.infra', '.git']));
  });

  it('ships every package the services import at runtime (the image prunes devDependencies)', () => {
    const dependencies = new Set(Object.keys(JSON.parse(read('package.json')).dependencies));
    // The client SDK (libs/client) is a package of its own that no service imports; its dependencies are in its package.json.
    const files = [...APPS.map((app) => path.join(ROOT, 'apps', app, 'src')), path.join(ROOT, 'libs')]
      .flatMap(sourceFiles)
      .filter((file) => !file.startsWith(path.join(ROOT, 'libs', 'client') + path.sep));
    const missing = new Set<string>();
    const seen = new Set<string>();
    // @app/* and @dual-stream/nestjs are this repository's libraries, compiled into the image from their sources.
    // Static imports, and the Kafka clients the library loads on first use (`import('…')`, `createRequire(…)('…')`).
    const runtimeImport =
      /^(?!import type|export type)(?:import|export)\b[^;]*?from '([^.'@][^']*|@(?!app\/|dual-stream\/nestjs')[^']*)';|(?:\bimport|createRequire\([^)]*\))\('([^.'][^']*)'\)/gm;
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(runtimeImport)) {
        const spec = (m[1] ?? m[2])!;
        if (spec.startsWith('node:')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        seen.add(name);
        if (!dependencies.has(name)) missing.add(`${name} (${path.relative(ROOT, file)})`);
      }
    }
    expect([...seen]).toEqual(
      expect.arrayContaining([
        '@nestjs/common',
        'kafkajs',
        '@platformatic/kafka',
        'ioredis',
        'prom-client',
        'body-parser',
      ]),
    );
    expect([...missing]).toEqual([]);
  });

  it('documents every environment variable the services read', () => {
    const doc = read('docs/configuration.md');
    const all = new Set(APPS.flatMap((app) => [...envNamesReadBy(app)]));
    expect([...all].filter((name) => !doc.includes(`\`${name}\``)).sort()).toEqual([]);
  });
});
