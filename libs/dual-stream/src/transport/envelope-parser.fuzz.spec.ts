import fc from 'fast-check';
import { fuzzParameters, outcomeOf, recordValue } from '../../../../test/support/fuzz-arbitraries.js';
import { UnparseableRecordError } from '../errors/unparseable-record.error.js';
import { parseEnvelope } from './envelope-parser.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmptyString = (v: unknown) => typeof v === 'string' && v.length > 0;

/** docs/protocol.md "Kafka record", "What a consumer accepts", read independently of the parser. */
function isEnvelope(value: unknown): boolean {
  if (!isObject(value) || !isObject(value.source)) return false;
  const { id, type, source, time, headers } = value;
  return (
    nonEmptyString(id) &&
    nonEmptyString(type) &&
    typeof source.type === 'string' &&
    typeof source.id === 'string' &&
    typeof time === 'string' &&
    'data' in value &&
    (headers === undefined || (typeof headers === 'object' && headers !== null))
  );
}

describe('Kafka envelope parser (fuzz)', () => {
  it('parses any record value into the envelope it holds, or throws UnparseableRecordError only', () => {
    fc.assert(
      fc.property(recordValue, (value) => {
        const before = value && Buffer.from(value);
        const outcome = outcomeOf(() => parseEnvelope(value));
        expect(value === before || value?.equals(before!)).toBe(true);
        const text = value?.toString('utf8');
        const json = outcomeOf(() => JSON.parse(text ?? 'undefined') as unknown);
        const expected = json.ok && isEnvelope(json.value);
        if (!outcome.ok) {
          expect(outcome.error).toBeInstanceOf(UnparseableRecordError);
          expect(nonEmptyString((outcome.error as Error).message)).toBe(true);
          expect(expected).toBe(false);
          return;
        }
        expect(expected).toBe(true);
        const parsed = (json as { value: Record<string, unknown> }).value;
        expect(outcome.value).toEqual({ ...parsed, headers: parsed.headers ?? {} });
      }),
      fuzzParameters(800),
    );
  });
});
