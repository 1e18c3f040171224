import { UnparseableRecordError } from '../errors/unparseable-record.error.js';
import type { NormalizedEvent } from '../interfaces/dual-stream-event.interface.js';

/**
 * Parses a record value into the envelope. Only the structure is checked (what handlers rely on): the
 * publisher already validated the content, and re-running every rule per record would cost throughput.
 */
export function parseEnvelope(value: Buffer | null): NormalizedEvent {
  if (value === null) throw new UnparseableRecordError('record has no value (tombstone); expected a JSON envelope');
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (err) {
    throw new UnparseableRecordError(`record value is not JSON (${(err as Error).message})`);
  }
  const problem = envelopeProblem(parsed);
  if (problem) throw new UnparseableRecordError(`record value is not a dual-stream envelope: ${problem}`);
  const event = parsed as NormalizedEvent;
  if (event.headers === undefined) event.headers = {};
  return event;
}

function envelopeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const e = value as Record<string, unknown>;
  if (typeof e.id !== 'string' || e.id.length === 0) return 'id must be a non-empty string';
  if (typeof e.type !== 'string' || e.type.length === 0) return 'type must be a non-empty string';
  const source = e.source as Record<string, unknown> | undefined;
  if (
    typeof source !== 'object' ||
    source === null ||
    typeof source.type !== 'string' ||
    typeof source.id !== 'string'
  ) {
    return 'source must be { type, id } strings';
  }
  if (typeof e.time !== 'string') return 'time must be a string';
  if (!('data' in e)) return 'data is missing';
  if (e.headers !== undefined && (typeof e.headers !== 'object' || e.headers === null)) {
    return 'headers must be an object';
  }
  return undefined;
}
