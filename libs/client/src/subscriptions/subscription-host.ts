import type { ResolvedConnectOptions } from '../client/connect-options.js';

/** What a subscription asks of its client (the connection it lives on). */
export interface SubscriptionHost {
  readonly settings: ResolvedConnectOptions;
  /** Sends a request and resolves with the gateway's ack; rejects when the connection drops or times out. */
  request(event: 'subscribe' | 'unsubscribe', payload: object): Promise<unknown>;
  /** A subscription started or stopped holding events (the client's status may change). */
  statusChanged(): void;
  /** The gateway refused the subscription for good: drop it from the client. */
  forget(target: string, kind: 'channel' | 'pattern'): void;
  /** An error for the subscription's `onError`, else the client's `error` listeners. */
  report(error: unknown, onError?: (error: Error) => void): void;
  duplicateDropped(): void;
  /** Resolves after `ms` (at once when the client closes). */
  sleep(ms: number): Promise<void>;
}
