import 'reflect-metadata';
import { DualStreamServer } from '@dual-stream/nestjs';
import { bootstrapService, ensureSourceTopics } from '@app/service-kit';
import { CONSUMER_CONFIG, readConsumerConfig, type ConsumerConfig } from './config/consumer.config.js';
import { ConsumerModule } from './consumer.module.js';
import { ConsumerMetrics } from './metrics/consumer.metrics.js';
import { TransportState } from './projection/projection-store.module.js';

await bootstrapService({
  name: 'consumer',
  port: 3002,
  module: () => ConsumerModule.forRoot(readConsumerConfig()),
  configure: async (app) => {
    // Every accepted source type has its topic before the handlers subscribe (no broker auto-creation).
    await ensureSourceTopics(app.get<ConsumerConfig>(CONSUMER_CONFIG).service, 'Consumer');
    const server = app.get(DualStreamServer);
    const state = app.get(TransportState);
    server.status.subscribe((status) => (state.status = status));
    server.on('dead-letter', (info) => app.get(ConsumerMetrics).deadLettered(info.topic));
    // The @OnDurable handlers run on the dual-stream transport, with the app's pipes, guards and filters.
    app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  },
});
