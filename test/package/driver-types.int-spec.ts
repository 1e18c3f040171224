// The two Kafka clients, socket.io and @nestjs/websockets are optional peer dependencies
// (libs/dual-stream/package.json): an app installs the Kafka client its `kafka.driver` names, and socket.io only
// for a realtime gateway. Its compiler, with library checking on (`skipLibCheck: false`, as in
// test/fixtures/fresh-app), must then find nothing of the others in the published declarations. Checked on the
// built dist/ in a few seconds (no tarball, no npm install; fresh-app.int-spec.ts does the full install).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, withLock } from '../support/local-infra/proc.mjs';
import { buildPackage, publishablePackages, type RepoPackage } from '../support/package/packages.mjs';
import { typeErrorsWithout } from '../support/package/public-surface.mjs';

const KAFKAJS = 'kafkajs';
const PLATFORMATIC = '@platformatic/kafka';
/** socket.io with what comes only with it, and Nest's gateway package: what an app without a gateway lacks. */
const WITHOUT_GATEWAY = ['socket.io', 'socket.io-adapter', 'engine.io', '@nestjs/websockets'];

/** An app of the platformatic driver: every client setting it may pass, some typed with that client's own types. */
const PLATFORMATIC_APP = `
import type { BaseOptions } from '@platformatic/kafka';
import { DualStreamModule, type DualStreamModuleOptions } from '@dual-stream/nestjs';

const clientOwn: Partial<BaseOptions> = { timeout: 5_000, retries: 3, retryDelay: () => 100 };
const options: DualStreamModuleOptions = {
  kafka: {
    driver: 'platformatic',
    brokers: ['127.0.0.1:9092'],
    ssl: true,
    sasl: { mechanism: 'scram-sha-512', username: 'app', password: 'secret' },
    producer: { idempotent: true, retry: { retries: 5 }, allowAutoTopicCreation: false },
    platformatic: { ...clientOwn, connectTimeout: 2_000, sasl: { mechanism: 'OAUTHBEARER', token: 't' } },
  },
  redis: false,
};
export const module = DualStreamModule.forRoot(options);
`;

/** An app of the kafkajs driver: every client setting it may pass, some typed with kafkajs' own types. */
const KAFKAJS_APP = `
import { logLevel, Partitioners, type KafkaConfig, type ProducerConfig, type SASLOptions } from 'kafkajs';
import { DualStreamModule, type DualStreamModuleOptions } from '@dual-stream/nestjs';

const sasl: SASLOptions = { mechanism: 'plain', username: 'app', password: 'secret' };
const producer: ProducerConfig = { idempotent: true, maxInFlightRequests: 1, retry: { retries: 5 } };
const config: Partial<KafkaConfig> = {
  connectionTimeout: 3_000,
  logLevel: logLevel.ERROR,
  retry: { retries: 2, restartOnFailure: async () => true },
};
const options: DualStreamModuleOptions = {
  kafka: {
    driver: 'kafkajs',
    brokers: ['127.0.0.1:9092'],
    sasl,
    config: { ...config, requestTimeout: 10_000 },
    producer: { ...producer, createPartitioner: Partitioners.DefaultPartitioner },
  },
  redis: false,
};
export const module = DualStreamModule.forRoot(options);
`;

/** An app without a realtime gateway: it publishes and runs a durable handler, nothing more. */
const PUBLISH_AND_HANDLE_APP = `
import { Controller, Injectable, Module } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  DualStreamModule,
  DualStreamPublisher,
  DurableContext,
  OnDurable,
  type NormalizedEvent,
  type PublishReceipt,
} from '@dual-stream/nestjs';

@Injectable()
export class Orders {
  constructor(private readonly publisher: DualStreamPublisher) {}

  place(id: string): Promise<PublishReceipt> {
    return this.publisher.publish({ type: 'order.placed', source: { type: 'order', id }, data: { id } });
  }
}

@Controller()
export class OrderEvents {
  @OnDurable({ topic: 'events.order', retry: { attempts: 3, backoffMs: 100 } })
  onOrder(@Payload() event: NormalizedEvent<{ id: string }>, @Ctx() ctx: DurableContext): string {
    return event.data.id + '@' + ctx.getOffset();
  }
}

@Module({
  imports: [DualStreamModule.forRoot({ kafka: { brokers: ['127.0.0.1:9092'] }, redis: false })],
  controllers: [OrderEvents],
  providers: [Orders],
})
export class AppModule {}
`;

/**
 * A realtime gateway's use of the hub: it passes socket.io's own `Socket`, plain or with typed events maps (which
 * need not list the hub's `server_disconnect`).
 */
const REALTIME_APP = `
import type { Socket } from 'socket.io';
import { RealtimeHub, type RealtimeHubSocket, type SubscribeAck, type UnsubscribeAck } from '@dual-stream/nestjs';

interface ClientEvents {
  subscribe: (body: unknown, ack: (reply: SubscribeAck) => void) => void;
}
interface ServerEvents {
  notice: (text: string) => void;
  progress: (done: number, total: number) => void;
}
type TypedSocket = Socket<ClientEvents, ServerEvents, ServerEvents, { principal: string }>;

export const plain: RealtimeHubSocket = {} as Socket;
export const typed: RealtimeHubSocket = {} as TypedSocket;

export async function handle(hub: RealtimeHub, socket: Socket, other: TypedSocket, body: unknown): Promise<void> {
  hub.attach(socket, { sub: 'user-1' }, { expiresAt: Date.now() + 60_000 });
  hub.attach(other, other.data.principal);
  const subscribed: SubscribeAck = await hub.subscribe(socket, body);
  const unsubscribed: UnsubscribeAck = await hub.unsubscribe(other, body);
  if (subscribed.ok && unsubscribed.ok) hub.detach(socket);
}
`;

let pkg: RepoPackage;
let typesEntry = '';

beforeAll(async () => {
  pkg = publishablePackages().find((p) => p.manifest.name === '@dual-stream/nestjs')!;
  // Serialized with the pack check and the fresh-app test, which build the same dist/.
  await withLock(path.join(REPO_ROOT, '.infra', 'pack.lock'), async () => buildPackage(pkg));
  const exports = pkg.manifest.exports as Record<string, { types: string }>;
  typesEntry = path.join(pkg.dir, exports['.']!.types);
}, 5 * 60_000);

describe('the published types in an app without a realtime gateway (no socket.io, no @nestjs/websockets)', () => {
  it('compiles a module that publishes and runs an @OnDurable handler', () => {
    const absent = WITHOUT_GATEWAY;
    expect(typeErrorsWithout({ packageDir: pkg.dir, typesEntry, absent, consumer: PUBLISH_AND_HANDLE_APP })).toEqual(
      [],
    );
  });
});

describe('the published types in an app with a socket.io gateway', () => {
  it("takes socket.io's Socket where RealtimeHub wants a socket", () => {
    expect(typeErrorsWithout({ packageDir: pkg.dir, typesEntry, absent: [], consumer: REALTIME_APP })).toEqual([]);
  });
});

describe('the published types in an app that installed one Kafka client of the two', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'dual-stream-driver-types-'));

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it.each([
    { installed: PLATFORMATIC, absent: KAFKAJS, app: PLATFORMATIC_APP },
    { installed: KAFKAJS, absent: PLATFORMATIC, app: KAFKAJS_APP },
  ])('compiles with only $installed installed (no $absent)', ({ absent, app }) => {
    expect(typeErrorsWithout({ packageDir: pkg.dir, typesEntry, absent: [absent], consumer: app })).toEqual([]);
  });

  it('reports a declaration that imports a client the app lacks (what the two checks above would catch)', () => {
    const dir = path.join(scratch, 'leaky');
    mkdirSync(path.join(dir, 'dist'), { recursive: true });
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'leaky', type: 'module', exports: { '.': { types: './dist/index.d.ts' } } }),
    );
    writeFileSync(path.join(dir, 'dist', 'index.d.ts'), "export type { SASLOptions as Sasl } from 'kafkajs';\n");
    const errors = typeErrorsWithout({
      packageDir: dir,
      typesEntry: path.join(dir, 'dist', 'index.d.ts'),
      absent: [KAFKAJS],
    });
    expect(errors).toEqual([
      "dist/index.d.ts(1,42): error TS2307: Cannot find module 'kafkajs' or its corresponding type declarations.",
    ]);
  });
});
