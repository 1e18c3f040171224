import { Test } from '@nestjs/testing';
import { DualStreamModule, DualStreamPublisher } from '@dual-stream/nestjs';
import { kafkaBrokers } from '../../support/infra.js';
import { uniqueName } from './realtime-harness.js';

export interface SilentPublisher {
  publisher: DualStreamPublisher;
  close(): Promise<void>;
}

/** A publisher whose notifications never reach Redis: what a skipped stretch looks like to a gateway. */
export async function startSilentPublisher(): Promise<SilentPublisher> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      DualStreamModule.forRoot({
        logger: false,
        kafka: { brokers: kafkaBrokers(), clientId: uniqueName('silent') },
        redis: false,
      }),
    ],
  }).compile();
  const app = await moduleRef.init();
  return { publisher: app.get(DualStreamPublisher), close: () => app.close() };
}
