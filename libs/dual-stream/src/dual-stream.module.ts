import { Module, type Provider } from '@nestjs/common';
import { DUAL_STREAM_RESOLVED_OPTIONS } from './constants.js';
import { ConfigurableDualStreamModule, DUAL_STREAM_OPTIONS } from './dual-stream.module-definition.js';
import { resolveDualStreamOptions } from './dual-stream-options.resolver.js';
import type { DualStreamModuleOptions } from './interfaces/dual-stream-options.interface.js';
import { DualStreamPublisher } from './publisher/dual-stream.publisher.js';
import { DualStreamServer } from './transport/dual-stream.server.js';
import { RealtimeHub } from './realtime/realtime-hub.service.js';
import { KafkaReplayService } from './replay/kafka-replay.service.js';
import { DualStreamTopics } from './topics/dual-stream-topics.service.js';

const resolvedOptionsProvider: Provider = {
  provide: DUAL_STREAM_RESOLVED_OPTIONS,
  inject: [DUAL_STREAM_OPTIONS],
  useFactory: (options: DualStreamModuleOptions) => resolveDualStreamOptions(options),
};

const roleProviders: Provider[] = [
  DualStreamPublisher,
  DualStreamServer,
  KafkaReplayService,
  RealtimeHub,
  DualStreamTopics,
];

/**
 * `DualStreamModule.forRoot({ kafka: { brokers } })` or `forRootAsync({ imports, useFactory, inject })`;
 * `isGlobal: true` makes the publisher injectable everywhere.
 */
@Module({
  providers: [resolvedOptionsProvider, ...roleProviders],
  exports: [DUAL_STREAM_RESOLVED_OPTIONS, ...roleProviders],
})
export class DualStreamModule extends ConfigurableDualStreamModule {}
