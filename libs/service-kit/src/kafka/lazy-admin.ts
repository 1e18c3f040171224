import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { ServiceEnv } from '../config/service-env.js';

/**
 * One admin client connected on first use and reconnected after a disconnect, with short timeouts and one
 * retry: for reads that must answer while Kafka is down (metrics scrapes, the catch-up API's metadata).
 */
export class LazyKafkaAdmin {
  private admin?: Promise<Admin>;

  constructor(
    private readonly env: Pick<ServiceEnv, 'clientId' | 'kafkaBrokers'>,
    private readonly role: string,
  ) {}

  get(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = new Kafka({
        clientId: `${this.env.clientId}-${this.role}`,
        brokers: this.env.kafkaBrokers,
        logLevel: logLevel.NOTHING,
        connectionTimeout: 3000,
        requestTimeout: 3000,
        retry: { retries: 1 },
      }).admin();
      await admin.connect();
      admin.on(admin.events.DISCONNECT, () => (this.admin = undefined));
      return admin;
    })().catch((err: unknown) => {
      this.admin = undefined;
      throw err;
    });
    return this.admin;
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.then((a) => a.disconnect()).catch(() => undefined);
  }
}
