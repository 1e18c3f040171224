import { DURABLE_HANDLER_METADATA, REALTIME_HANDLER_METADATA } from '../constants.js';
import type { DurableHandlerMetadata, RealtimeHandlerMetadata } from './durable-handler-options.interface.js';

type HandlerMetadata =
  { kind: 'durable'; options: DurableHandlerMetadata } | { kind: 'realtime'; options: RealtimeHandlerMetadata };

/**
 * The one place that knows the metadata keys. The decorators put the options into the `EventPattern` extras,
 * which is what the transport server sees for each handler Nest registered on it.
 */
export const HandlerMetadataAccessor = {
  extrasFor(metadata: HandlerMetadata): Record<string, unknown> {
    return { [metadata.kind === 'durable' ? DURABLE_HANDLER_METADATA : REALTIME_HANDLER_METADATA]: metadata.options };
  },

  fromExtras(extras: Record<string, unknown> | undefined): HandlerMetadata | undefined {
    const durable = extras?.[DURABLE_HANDLER_METADATA] as DurableHandlerMetadata | undefined;
    if (durable) return { kind: 'durable', options: durable };
    const realtime = extras?.[REALTIME_HANDLER_METADATA] as RealtimeHandlerMetadata | undefined;
    if (realtime) return { kind: 'realtime', options: realtime };
    return undefined;
  },
};

/** Nest handler-map patterns, namespaced so one controller can hold both kinds without collisions. */
export const durablePattern = (options: DurableHandlerMetadata): string =>
  options.groupId ? `durable:${options.topic}@${options.groupId}` : `durable:${options.topic}`;
export const realtimePattern = (options: RealtimeHandlerMetadata): string => `realtime:${options.channel}`;
