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
    // Every accepted source type has its topic (and its handlers' dead-letter topic) before the handlers
    // subscribe: topic auto-creation is off.
    await ensureSourceTopics(app, app.get<ConsumerConfig>(CONSUMER_CONFIG).service, 'Consumer', true);
    const server = app.get(DualStreamServer);
    const state = app.get(TransportState);
    server.status.subscribe((status) => (state.status = status));
    server.on('dead-letter', (info) => app.get(ConsumerMetrics).deadLettered(info.topic));
    // The @OnDurable handlers run on the dual-stream transport, with the app's pipes, guards and filters.
    app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
  },
});
