import { createKafkaAdmin, type KafkaAdminPort } from '@dual-stream/nestjs';
import type { ServiceEnv } from '../config/service-env.js';

/**
 * One admin client (the library's Kafka port) connected on first use and reconnected after a disconnect, with
 * short timeouts and one retry: for reads that must answer while Kafka is down (metrics scrapes, the catch-up
 * API's metadata).
 */
export class LazyKafkaAdmin {
  private admin?: Promise<KafkaAdminPort>;

  constructor(
    private readonly env: Pick<ServiceEnv, 'clientId' | 'kafkaBrokers' | 'kafkaDriver'>,
    private readonly role: string,
  ) {}

  get(): Promise<KafkaAdminPort> {
    this.admin ??= (async () => {
      const admin = createKafkaAdmin(
        { kafka: { brokers: this.env.kafkaBrokers, clientId: this.env.clientId, driver: this.env.kafkaDriver } },
        this.role,
        {
          connectionTimeoutMs: 3000,
          requestTimeoutMs: 3000,
          retries: 1,
          silent: true,
        },
      );
      await admin.connect();
      admin.onDisconnect(() => (this.admin = undefined));
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
