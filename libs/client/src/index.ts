// Public API of @dual-stream/client: explicit named exports only; everything else is internal.

// Connection
export { connect } from './client/connect.js';
export type { DualStreamClient } from './client/dual-stream-client.js';
export type { ConnectOptions } from './client/connect-options.js';
export type { ConnectionStatus } from './client/connection-status.js';
export type { ClientMetrics } from './client/client-metrics.js';
export type { TokenSource } from './auth/token-source.js';
export type { SocketIoOptions } from './socket/gateway-socket.js';

// Subscriptions
export type {
  SubscribeOptions,
  ChannelHandlers,
  PatternSubscribeOptions,
  DeliveryInfo,
  ResetInfo,
  ResetReason,
  GapInfo,
  Unsubscribe,
} from './subscriptions/subscription-options.js';

// Events and positions
export type { ChannelEvent, EventSource, GapMarker } from './protocol/channel-event.js';
export { comparePositions, type Position } from './positions/position.js';

// Read model (joining mid-stream, long absences)
export type { FetchRecent, FetchRecentRequest, RecentEvents } from './catch-up/fetch-recent.js';
export { catchUpFrom, type CatchUpOptions } from './catch-up/catch-up-from.js';

// Errors
export { SubscribeRefusedError } from './errors/subscribe-refused.error.js';
export { ConnectionRefusedError } from './errors/connection-refused.error.js';
export { AckTimeoutError } from './errors/ack-timeout.error.js';
export { DuplicateSubscriptionError } from './errors/duplicate-subscription.error.js';
export { MalformedMessageError } from './errors/malformed-message.error.js';
export { CatchUpRequestError } from './errors/catch-up-request.error.js';
export { InvalidChannelError } from './errors/invalid-channel.error.js';
export { StreamResetError } from './errors/stream-reset.error.js';
