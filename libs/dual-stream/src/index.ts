// Public API of dual-stream: explicit named exports only; everything else is internal.

// Module and options
export { DualStreamModule } from './dual-stream.module.js';
export { DUAL_STREAM_OPTIONS } from './dual-stream.module-definition.js';
export type {
  DualStreamModuleOptions,
  DualStreamKafkaOptions,
  DualStreamRedisOptions,
  DualStreamRealtimeOptions,
  DualStreamBatchOptions,
  DualStreamBufferOptions,
  DualStreamDurableOptions,
  DualStreamConsumerOptions,
} from './interfaces/dual-stream-options.interface.js';
export type {
  DualStreamEvent,
  EventSource,
  KafkaPosition,
  PublishReceipt,
  RealtimeNotification,
  RealtimeOutcome,
  GapMarker,
  ChannelMessage,
} from './interfaces/dual-stream-event.interface.js';

// Errors
export { InvalidEventError, type EventProblem } from './errors/invalid-event.error.js';
export { BackpressureError } from './errors/backpressure.error.js';
export { DurablePublishError } from './errors/durable-publish.error.js';
export { PublisherClosedError } from './errors/publisher-closed.error.js';
export { NonRetriableError } from './errors/non-retriable.error.js';
export { InvalidChannelError } from './errors/invalid-channel.error.js';
export { HandlerConfigurationError } from './errors/handler-configuration.error.js';

// Naming (so apps and non-Nest code agree on topics, keys and channels)
export { defaultTopic, sourceKey, channelFor } from './events/event-naming.js';
export { parseChannel } from './events/channel-parser.js';

// Publisher

// Handlers and transport

// Realtime hub and replay
