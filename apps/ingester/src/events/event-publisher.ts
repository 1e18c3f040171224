import type { DualStreamEvent, PublishReceipt } from '@dual-stream/nestjs';

/** What the ingester needs from `DualStreamPublisher`; the module binds it with `useExisting`. */
export const EVENT_PUBLISHER = Symbol.for('ingester:event-publisher');

export interface EventPublisher {
  publish(event: DualStreamEvent): Promise<PublishReceipt>;
  publishBatch(events: DualStreamEvent[]): Promise<PublishReceipt[]>;
}
