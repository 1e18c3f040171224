import 'reflect-metadata';
import { DualStreamServer } from '@dual-stream/nestjs';
import { bootstrapService } from '@app/service-kit';
import { CONSUMER_CONFIG, type ConsumerConfig } from './config/consumer.config.js';
import { ensureTopics } from './config/ensure-topics.js';
import { ConsumerModule } from './consumer.module.js';
import { ConsumerMetrics } from './metrics/consumer.metrics.js';
import { TransportState } from './projection/projection-store.module.js';

await bootstrapService(ConsumerModule, {
  name: 'consumer',
  port: 3002,
  configure: async (app) => {
    await ensureTopics(app.get<ConsumerConfig>(CONSUMER_CONFIG).topics);
    const server = app.get(DualStreamServer);
    const state = app.get(TransportState);
    server.status.subscribe((status) => (state.status = status));
    server.on('dead-letter', (info) => app.get(ConsumerMetrics).deadLettered(info.topic));
    // The @OnDurable handlers run on the dual-stream transport, with the app's pipes, guards and filters.
    app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  },
});
