/** Counters since the client was created. */
export interface ClientMetrics {
  /** Connections established after the first one. */
  reconnects: number;
  /** Events not handed over because the subscription already had their position. */
  duplicatesDropped: number;
  /** Frames from the gateway dropped because a required field was missing or invalid. */
  malformedMessages: number;
}
