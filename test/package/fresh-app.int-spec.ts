// The packages as a new user gets them (docs/using-the-module.md): packed tarballs installed into a Nest app that
// lives outside this repository, with every other dependency from the registry, checked by the app's own strict
// tsc and run against the test Kafka and Redis.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KafkaPosition, PublishReceipt } from '@dual-stream/nestjs';
import { REPO_ROOT } from '../support/local-infra/proc.mjs';
import { packAll, type PackedPackage } from '../support/package/packages.mjs';
import { http } from '../e2e/support/service-process.js';
import { createTopic, eventually, uniqueName } from '../support/infra.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { NODE, startNodeProcess, type NodeProcess } from './support/node-process.js';

const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'fresh-app');
const PACKAGES = ['@dual-stream/nestjs', '@dual-stream/client'];
const TOKEN = 'fresh-app-token-0123456789';
/** What the fixture prints once it listens. */
const LISTENING = /^fresh-app listening on (http:\/\/\S+)$/;

/** Runs a command in the installed app; the test runner's NODE_OPTIONS are not the app's. */
function run(command: string, args: string[], cwd: string): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
}

/** What `client/follow.ts` of the fixture prints, one JSON line each. */
interface FollowerLine {
  kind: 'status' | 'error' | 'event' | 'gap' | 'reset';
  status?: string;
  id?: string;
  position?: KafkaPosition;
}

const followerLines = (follower: NodeProcess): FollowerLine[] =>
  follower.lines().map((line) => JSON.parse(line) as FollowerLine);
const receivedIds = (follower: NodeProcess): string[] =>
  followerLines(follower)
    .filter((line) => line.kind === 'event')
    .map((line) => line.id!);

describe('the packed packages in a fresh Nest app outside the repository', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'dual-stream-fresh-app-'));
  const appDir = path.join(work, 'app');
  const sourceType = uniqueName('fresh').replace(/[^a-z0-9-]/g, '');
  let packed: PackedPackage[] = [];
  let app: NodeProcess | undefined;
  let appUrl = '';
  let appPort = 0;
  const stoppers: (() => Promise<unknown>)[] = [];

  /** `POST /orders/:id/events` on the fixture: publishes steps first..first+count-1 and returns the receipts. */
  const publishSteps = async (orderId: string, first: number, count: number): Promise<PublishReceipt[]> => {
    const res = await http(`${appUrl}/orders/${orderId}/events`, { body: { first, count } });
    expect(res.status).toBe(201);
    return res.body as PublishReceipt[];
  };

  beforeAll(async () => {
    expect(path.relative(REPO_ROOT, work).startsWith('..')).toBe(true);
    packed = await packAll(work);
    cpSync(FIXTURE, appDir, { recursive: true, filter: (src) => !/[\\/](node_modules|dist)$/.test(src) });

    const started = Date.now();
    const install = run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', ...packed.map((p) => p.tarball)],
      appDir,
    );
    if (install.status !== 0) throw new Error(`npm install failed:\n${install.output}`);
    console.log(
      `fresh app: installed ${packed.map((p) => `${p.name} (${p.size} B packed, ${p.unpackedSize} B unpacked)`).join(', ')} ` +
        `with the fixture's dependencies in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    // Emit only (`--noCheck`): type checking is a test of its own below, and the app must run either way.
    const tsc = path.join(appDir, 'node_modules', 'typescript', 'bin', 'tsc');
    const build = run(NODE, [tsc, '-p', 'tsconfig.json', '--noCheck'], appDir);
    if (build.status !== 0) throw new Error(`tsc (emit) failed:\n${build.output}`);

    await createTopic(`events.${sourceType}`, 3);
    app = startNodeProcess(path.join('dist', 'src', 'main.js'), appDir, {
      PORT: '0',
      APP_TOKEN: TOKEN,
      ORDER_SOURCE_TYPE: sourceType,
    });
    stoppers.push(() => app!.stop());
    appUrl = (await app.waitForLine(LISTENING, 120_000))[1]!;
    appPort = Number(new URL(appUrl).port);
  }, 15 * 60_000);

  afterAll(async () => {
    for (const stop of stoppers.reverse()) await stop();
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('installs from the tarballs: runtime dependencies come from the registry, nothing of the apps comes along', () => {
    const modules = path.join(appDir, 'node_modules');
    const lock = JSON.parse(readFileSync(path.join(appDir, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; resolved?: string; integrity?: string }>;
    };
    for (const pkg of packed) {
      const installed = lock.packages[`node_modules/${pkg.name}`];
      expect(installed?.version).toBe(pkg.version);
      expect(installed?.resolved).toBe(`file:../${path.basename(pkg.tarball)}`);
      expect(existsSync(path.join(modules, pkg.name, 'dist', 'index.d.ts'))).toBe(true);
      expect(existsSync(path.join(modules, pkg.name, 'src'))).toBe(false);
    }
    // Registry packages carry an integrity hash (npm leaves `resolved` out when they come from its cache).
    for (const runtime of ['kafkajs', 'ioredis', 'uuid', 'ws']) {
      expect(lock.packages[`node_modules/${runtime}`]).toMatchObject({ integrity: expect.stringMatching(/^sha512-/) });
      expect(lock.packages[`node_modules/${runtime}`]?.resolved ?? '').not.toMatch(/^file:/);
    }
    // The demo services' dependencies are not the library's.
    for (const appOnly of ['jose', 'prom-client', '@nestjs/terminus', 'class-validator', '@app/service-kit']) {
      expect(existsSync(path.join(modules, appOnly))).toBe(false);
    }
    expect(packed.map((p) => p.name).sort()).toEqual([...PACKAGES].sort());
  });

  it('pins the Nest stack of the fixture to the versions this repository runs on', () => {
    const read = (dir: string) =>
      JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        dependencies: Record<string, string>;
        devDependencies: Record<string, string>;
      };
    const repo = read(REPO_ROOT);
    const fixture = read(FIXTURE);
    const repoVersions = { ...repo.dependencies, ...repo.devDependencies };
    for (const [name, version] of Object.entries({ ...fixture.dependencies, ...fixture.devDependencies })) {
      expect(`${name}@${version}`).toBe(`${name}@${repoVersions[name]}`);
    }
  });

  it("type-checks against the packages' .d.ts with strict mode and library checking on", () => {
    const tsc = path.join(appDir, 'node_modules', 'typescript', 'bin', 'tsc');
    const check = run(NODE, [tsc, '--noEmit', '-p', 'tsconfig.json'], appDir);
    expect(check.output).toBe('');
    expect(check.status).toBe(0);
  });

  it('publishes through DualStreamModule.forRootAsync and the @OnDurable handler of its controller receives it', async () => {
    const receipts = await publishSteps('o-durable', 1, 3);
    expect(receipts).toHaveLength(3);
    for (const receipt of receipts) {
      expect(receipt).toMatchObject({ topic: `events.${sourceType}`, realtime: 'published' });
    }
    expect(new Set(receipts.map((r) => r.partition)).size).toBe(1);

    const handled = await eventually(async () => {
      const res = await http(`${appUrl}/orders/handled`);
      const mine = (res.body as { id: string; sourceId: string }[]).filter((e) => e.sourceId === 'o-durable');
      return mine.length >= 3 && mine;
    }, 90_000);
    expect(handled).toEqual(
      receipts.map((receipt, i) => ({
        id: receipt.id,
        sourceId: 'o-durable',
        step: i + 1,
        partition: receipt.partition,
        offset: receipt.offset,
        attempt: 1,
      })),
    );
  });

  it('a Node client made with @dual-stream/client gets events live, misses 200 while cut off, then ends with all of them in order, once each', async () => {
    const proxy: TcpProxy = await startTcpProxy(appPort);
    stoppers.push(() => proxy.close());
    const orderId = 'o-live';
    // Resume point before anything the client must see: whatever it misses while subscribing is replayed.
    const [start] = await publishSteps(orderId, 0, 1);
    const follower = startNodeProcess(path.join('dist', 'client', 'follow.js'), appDir, {
      APP_URL: proxy.url,
      APP_TOKEN: TOKEN,
      FOLLOW_CHANNEL: `events:${sourceType}:${orderId}`,
      FOLLOW_FROM: JSON.stringify({ topic: start!.topic, partition: start!.partition, offset: start!.offset }),
    });
    stoppers.push(() => follower.stop());
    await follower.waitForLine(/"kind":"status".*"live"/);

    const live = await publishSteps(orderId, 1, 1);
    await eventually(() => receivedIds(follower).length >= 1);
    expect(receivedIds(follower)).toEqual([live[0]!.id]);

    const linesBeforeCut = follower.lines().length;
    proxy.cut();
    await eventually(() =>
      followerLines(follower)
        .slice(linesBeforeCut)
        .some((l) => l.kind === 'status'),
    );
    const missed = await publishSteps(orderId, 2, 200);
    expect(receivedIds(follower)).toEqual([live[0]!.id]);

    proxy.restore();
    await eventually(() => receivedIds(follower).length >= 201, 90_000);
    const after = await publishSteps(orderId, 202, 1);
    const expected = [...live, ...missed, ...after].map((r) => r.id);
    await eventually(() => receivedIds(follower).length >= expected.length, 60_000);

    expect(receivedIds(follower)).toEqual(expected);
    const offsets = followerLines(follower)
      .filter((l) => l.kind === 'event')
      .map((l) => BigInt(l.position!.offset));
    expect(offsets.every((offset, i) => i === 0 || offset > offsets[i - 1]!)).toBe(true);
    // Nothing was lost on the way, so the SDK had nothing to report, and it is live again.
    expect(followerLines(follower).filter((l) => ['gap', 'reset', 'error'].includes(l.kind))).toEqual([]);
    await eventually(() => followerLines(follower).findLast((l) => l.kind === 'status')?.status === 'live');
  });
});
