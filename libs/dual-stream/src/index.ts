// Public API of dual-stream: explicit named exports only; everything else is internal.

// Module and options
export { DualStreamModule } from './dual-stream.module.js';
export { DUAL_STREAM_OPTIONS } from './dual-stream.module-definition.js';
export { DUAL_STREAM_RESOLVED_OPTIONS } from './constants.js';
export type { ResolvedDualStreamOptions } from './dual-stream-options.resolver.js';
export { KAFKA_DRIVERS } from './dual-stream-options.resolver.js';
export type {
  DualStreamModuleOptions,
  DualStreamKafkaOptions,
  DualStreamRedisOptions,
  DualStreamRedisClusterOptions,
  DualStreamRealtimeOptions,
  DualStreamBatchOptions,
  DualStreamBufferOptions,
  DualStreamDurableOptions,
  DualStreamConsumerOptions,
  DualStreamRetryOptions,
  DualStreamHubOptions,
  DualStreamReplayOptions,
  DualStreamTopicOptions,
} from './interfaces/dual-stream-options.interface.js';
export type {
  DualStreamEvent,
  NormalizedEvent,
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
export { InvalidSseCursorError } from './errors/invalid-sse-cursor.error.js';
export { SseStreamRefusedError, type SseRefusalKind } from './errors/sse-stream-refused.error.js';
export { PatternNotShardedError } from './errors/pattern-not-sharded.error.js';
export { HandlerConfigurationError } from './errors/handler-configuration.error.js';
export { UnparseableRecordError } from './errors/unparseable-record.error.js';

// Naming (so apps and non-Nest code agree on topics, keys and channels)
export { defaultTopic, sourceKey, channelFor } from './events/event-naming.js';
export { parseChannel } from './events/channel-parser.js';
export { sourceProblem } from './events/event-rules.js';
export { sourcePartition } from './events/source-partition.js';

// Redis (the library's reconnect policy, for apps' own connections to the same Redis)
export { redisReconnectDelay } from './redis-connection.factory.js';

// Topics (auto-creation is off: topics are created by this explicit step)
export { DualStreamTopics, ensureTopics } from './topics/dual-stream-topics.service.js';
export type { DualStreamTopicSpec } from './topics/ensure-topics.js';

// Kafka port (the errors the driver's operations reject with; `kafka.driver` chooses the client library)
export { KafkaPortError, type KafkaErrorKind } from './kafka/kafka-port.error.js';
export { createKafkaAdmin } from './kafka/kafka-admin.factory.js';
export type {
  KafkaAdminPort,
  PartitionOffsets,
  ClientTuning,
  TopicSpec,
  KafkaConnectionState,
} from './kafka/kafka-port.interface.js';
// What `kafka.sasl` / `config` / `producer` / `platformatic` pass to the Kafka client as they are: the library's
// own types, so the published types name neither optional client (test/package/driver-types.int-spec.ts).
export type {
  KafkajsClientConfig,
  KafkajsProducerConfig,
  KafkajsRetryOptions,
  KafkajsSaslOptions,
  PlatformaticClientOptions,
} from './interfaces/kafka-client-options.interface.js';

// Publisher
export { DualStreamPublisher } from './publisher/dual-stream.publisher.js';
export type { PublisherStatus } from './publisher/publisher-status.interface.js';
export type { KafkaLaneState } from './publisher/kafka-lane.js';
export type { BreakerState } from './publisher/circuit-breaker.js';
export type { PublisherMetricsSnapshot } from './publisher/publisher-metrics.js';

// Handlers and transport
export { OnDurable } from './decorators/on-durable.decorator.js';
export { OnRealtime } from './decorators/on-realtime.decorator.js';
export type { OnDurableOptions } from './decorators/durable-handler-options.interface.js';
export {
  DualStreamServer,
  type DualStreamServerEvents,
  type DualStreamServerStatus,
  type DualStreamServerClients,
} from './transport/dual-stream.server.js';
export type { GroupJoinInfo } from './transport/durable-group.consumer.js';
export type { DeadLetterInfo } from './transport/dead-letter.writer.js';
export { DurableContext, DurableBatchContext, type DurableRecordInfo } from './transport/durable.context.js';
export { RealtimeContext, type RealtimeMessageInfo } from './transport/realtime.context.js';

// Realtime hub and replay
export { RealtimeHub } from './realtime/realtime-hub.service.js';
export type {
  SubscribeRequest,
  SubscribeAck,
  UnsubscribeAck,
  AttachOptions,
  RealtimeHubSocket,
  RecoveryMessage,
  RecoveryCause,
  RecoveryReason,
  EventMessage,
  GapMessage,
  StatusMessage,
  ServerDisconnectMessage,
  RealtimeHubMetrics,
  SseStreamOptions,
} from './realtime/realtime-hub.interfaces.js';
// Server-Sent Events streams of the hub (docs/sse.md): the request checks and the cursor codec.
export type { SseStreamRequest, SseStreamPlan, SseStreamChannel } from './realtime/sse/sse-stream-plan.js';
export {
  parseSseCursor,
  encodeSseCursor,
  SSE_CURSOR_VERSION,
  MAX_SSE_CURSOR_LENGTH,
  type SseCursorEntry,
} from './realtime/sse/sse-cursor.js';
// The match rule of the hub's `*`-only patterns, for `hub.canSubscribe` / `canSubscribePattern` callbacks
// that grant by glob (docs/using-the-module.md, section 4).
export { globMatches } from './realtime/channel-names.js';
export {
  KafkaReplayService,
  type ReplayResult,
  type ReplayBounds,
  type ReplayReason,
} from './replay/kafka-replay.service.js';
