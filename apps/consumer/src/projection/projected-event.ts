import type { DualStreamEvent, EventSource, KafkaPosition } from '@dual-stream/nestjs';

/** An event as the catch-up API returns it: the envelope plus its Kafka position (the shape of a notification). */
export interface ProjectedEvent extends KafkaPosition {
  id: string;
  type: string;
  source: EventSource;
  time: string;
  data: unknown;
  headers: Record<string, string>;
}

export type ApplyOutcome = 'inserted' | 'duplicate';

/** An envelope as it comes out of Kafka: the publisher filled in id, time and headers. */
export type StoredEvent = DualStreamEvent & Required<Pick<DualStreamEvent, 'id' | 'time' | 'headers'>>;
