import { uniqueName } from '../../support/infra.js';
import { ensureBuilt, startService, type ServiceProcess } from './service-process.js';

export interface IngesterFixture {
  /** TOPIC_PREFIX and CHANNEL_PREFIX of this ingester, unique to the describe block. */
  readonly prefix: string;
  /** The running ingester process; valid from the block's `beforeAll` on. */
  readonly ingester: ServiceProcess;
}

/**
 * Registers the `beforeAll` / `afterAll` of a describe block that talks to one ingester process on the shared
 * Kafka and Redis, isolated by its own prefix; `env` adds settings or overrides these.
 */
export function ingesterFixture(
  name: string,
  env: Record<string, string> = {},
  /** Runs before the ingester starts (which creates its missing topics), e.g. to create a topic differently. */
  beforeStart?: (prefix: string) => Promise<unknown>,
): IngesterFixture {
  const prefix = `${uniqueName(name)}-`;
  let ingester: ServiceProcess | undefined;
  beforeAll(async () => {
    await Promise.all([ensureBuilt(), beforeStart?.(prefix)]);
    ingester = await startService('ingester', {
      TOPIC_PREFIX: prefix,
      CHANNEL_PREFIX: prefix,
      ...env,
    });
  });
  afterAll(async () => {
    await ingester?.stop();
  });
  return {
    prefix,
    get ingester() {
      if (!ingester) throw new Error(`ingesterFixture('${name}') is used before its beforeAll ran.`);
      return ingester;
    },
  };
}
