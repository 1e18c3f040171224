import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { channelFor, type EventSource } from '@dual-stream/nestjs';
import { signGatewayToken } from '@app/service-kit';
import {
  ensureBuilt,
  http,
  startService,
  type ServiceName,
  type ServiceProcess,
} from '../../e2e/support/service-process.js';
import { createTopic, eventually, uniqueName } from '../../support/infra.js';
import { ensureClientBundle } from './client-bundle.js';

export const STACK_SECRET = 'client-sdk-test-secret-0123456789abcdef';

export interface Receipt {
  id: string;
  topic: string;
  partition: number;
  offset: string;
}

/**
 * The demo services as separate processes for SDK tests, isolated by topic and channel prefix: source type
 * `order` (projected by default by the consumer), its topic created with 3 partitions first. The gateway and
 * consumer share one token secret (GATEWAY_JWT_SECRET; newer services read it as AUTH_JWT_SECRET's alias).
 */
export class SdkStack {
  readonly prefix = `${uniqueName('sdk')}-`;
  readonly topic = `${this.prefix}events.order`;
  // The projection is disposable: on tmpfs its per-record fsync costs nothing, so 150,000 records project in seconds, not minutes.
  private readonly dbDir = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'sdk-consumer-'));
  readonly env: Record<string, string>;
  readonly services = new Map<ServiceName, ServiceProcess>();

  /** `extraEnv`: more settings for every service (e.g. `GATEWAY_MAX_QUEUED_MESSAGES`). */
  constructor(extraEnv: Record<string, string> = {}) {
    this.env = {
      TOPIC_PREFIX: this.prefix,
      CHANNEL_PREFIX: this.prefix,
      CONSUMER_DB_PATH: path.join(this.dbDir, 'projection.sqlite'),
      GATEWAY_JWT_SECRET: STACK_SECRET,
      ...extraEnv,
    };
  }

  async start(names: ServiceName[]): Promise<void> {
    await createTopic(this.topic, 3);
    await Promise.all([ensureBuilt(), ensureClientBundle()]);
    await Promise.all(names.map(async (name) => this.services.set(name, await startService(name, this.env))));
    if (this.services.has('consumer')) {
      await eventually(async () => (await http(`${this.url('consumer')}/health/ready`)).status === 200, 90_000, 500);
    }
  }

  url(name: ServiceName): string {
    return this.service(name).url;
  }

  service(name: ServiceName): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} is not running in this stack`);
    return service;
  }

  /** Stops a service; `up()` starts another instance at the same address. */
  async down(name: ServiceName, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.service(name).stop(signal);
  }

  async up(name: ServiceName): Promise<void> {
    this.services.set(name, await startService(name, this.env, this.service(name).port));
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.services.values()].map((s) => s.stop()));
    rmSync(this.dbDir, { recursive: true, force: true });
  }

  /** A token for the given sources' channels (the gateway's and the catch-up API's). */
  token(sources: EventSource[], patterns: string[] = []): Promise<string> {
    return signGatewayToken(STACK_SECRET, {
      sub: 'sdk-test',
      channels: sources.map((s) => channelFor('', s)),
      patterns,
    });
  }

  /** Publishes through the ingester (POST /events/batch); receipts in order. */
  async publish(source: EventSource, count: number, label: string): Promise<Receipt[]> {
    const events = Array.from({ length: count }, (_, n) => ({ type: 'order.updated', source, data: { label, n } }));
    const res = await http(`${this.url('ingester')}/events/batch`, { body: events });
    if (res.status !== 202) throw new Error(`POST /events/batch answered ${res.status}: ${res.text}`);
    return res.body.receipts;
  }

  /** How many events of a source the consumer has projected (through its catch-up API). */
  async projected(source: EventSource, token: string): Promise<number> {
    const res = await http(`${this.url('consumer')}/sources/order/${encodeURIComponent(source.id)}/events?limit=1000`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return res.status === 200 ? res.body.events.length : -1;
  }

  /** A counter from a service's /metrics (0 when absent). */
  async metric(name: ServiceName, series: string): Promise<number> {
    const text = (await http(`${this.url(name)}/metrics`)).text;
    return Number(new RegExp(`^${series}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  }
}
