import type { HandlerFailure } from './failure-classifier.js';

/** Runs the Nest handler; resolves with the failure, or `undefined` on success. Never rejects. */
export type InvokeHandler = (pattern: string, payload: unknown, ctx: object) => Promise<HandlerFailure | undefined>;

/** `done`: handled or dead-lettered, may be committed. `abandoned`: shutdown came first, deliver again later. */
export type Outcome = 'done' | 'abandoned';

/** The partition a delivery comes from. */
export interface RecordPosition {
  topic: string;
  partition: number;
}
