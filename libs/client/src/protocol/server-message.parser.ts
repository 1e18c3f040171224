import { isOffset, isPosition } from '../positions/position.js';
import type { ChannelEvent, GapMarker } from './channel-event.js';
import type { EventMessage, GapMessage, GatewayState, RecoveryMessage, SubscribeAck } from './server-messages.js';

// The gateway is another process: every frame is checked for the fields the SDK relies on before use.
// Unknown fields are ignored (docs/protocol.md "Versioning"); a frame missing a field is dropped.

type Obj = Record<string, unknown>;

const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** An event as the SDK delivers it: an envelope with a valid position (gateway notification or read-model row). */
export function parseChannelEvent(value: unknown): ChannelEvent | undefined {
  if (!isObject(value) || !isPosition(value)) return undefined;
  const { id, type, source, time } = value;
  if (!isText(id) || !isText(type) || typeof time !== 'string') return undefined;
  if (!isObject(source) || !isText(source.type) || !isText(source.id)) return undefined;
  return value as unknown as ChannelEvent;
}

export function parseEventMessage(value: unknown): EventMessage | undefined {
  if (!isObject(value) || !isText(value.channel)) return undefined;
  if (value.pattern !== undefined && !isText(value.pattern)) return undefined;
  const event = parseChannelEvent(value.event);
  return event && { channel: value.channel, ...(value.pattern !== undefined && { pattern: value.pattern }), event };
}

function parseGapMarker(value: unknown): GapMarker | undefined {
  if (!isObject(value) || value.kind !== 'gap' || !isText(value.channel) || !isText(value.topic)) return undefined;
  const { partition, fromOffset, toOffset, skipped } = value;
  if (!Number.isInteger(partition) || (partition as number) < 0) return undefined;
  if (!isOffset(fromOffset) || !isOffset(toOffset) || !Number.isInteger(skipped)) return undefined;
  return value as unknown as GapMarker;
}

export function parseGapMessage(value: unknown): GapMessage | undefined {
  if (!isObject(value) || !isText(value.channel) || !isText(value.pattern)) return undefined;
  const gap = parseGapMarker(value.gap);
  return gap && { channel: value.channel, pattern: value.pattern, gap };
}

export function parseGatewayState(value: unknown): GatewayState | undefined {
  if (!isObject(value)) return undefined;
  const { state } = value;
  return state === 'live' || state === 'recovering' || state === 'degraded' ? state : undefined;
}

export function parseRecoveryMessage(value: unknown): RecoveryMessage | undefined {
  if (!isObject(value) || !isText(value.channel) || value.recovered !== false) return undefined;
  return {
    channel: value.channel,
    recovered: false,
    reason: isText(value.reason) ? value.reason : 'unknown',
    ...(isText(value.cause) && { cause: value.cause }),
  };
}

/** `server_disconnect`'s reason (`slow`, `token-expired`, or a newer one). */
export function parseServerDisconnect(value: unknown): string | undefined {
  return isObject(value) && isText(value.reason) ? value.reason : undefined;
}

export function parseSubscribeAck(value: unknown): SubscribeAck | undefined {
  if (!isObject(value)) return undefined;
  if (value.ok === false) return { ok: false, error: isText(value.error) ? value.error : 'unknown error' };
  if (value.ok !== true || typeof value.recovered !== 'boolean') return undefined;
  const replayed = Number.isInteger(value.replayed) ? (value.replayed as number) : 0;
  return { ok: true, recovered: value.recovered, replayed, ...(isText(value.reason) && { reason: value.reason }) };
}
