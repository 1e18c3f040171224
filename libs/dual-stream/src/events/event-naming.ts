import { CHANNEL_NAMESPACE } from '../constants.js';
import type { DualStreamEvent, EventSource } from '../interfaces/dual-stream-event.interface.js';

export const defaultTopic = (event: Pick<DualStreamEvent, 'source'>): string => `events.${event.source.type}`;

/** One key per source: all its events land in one partition, in order. */
export const sourceKey = (source: EventSource): string => `${source.type}:${source.id}`;

export const channelFor = (prefix: string, source: EventSource): string =>
  `${prefix}${CHANNEL_NAMESPACE}:${source.type}:${source.id}`;

/** CloudEvents `ce_source`. */
export const ceSource = (source: EventSource): string => `${source.type}/${source.id}`;

/**
 * Where a publisher reports gaps per topic-partition when too many channels were skipped to name each. Not a
 * valid source channel (`events:{type}:{id}` has two colons), so it cannot collide with one.
 */
export const rangeGapChannel = (prefix: string): string => `${prefix}${CHANNEL_NAMESPACE}:gaps`;
