import { channelFor, parseChannel, type EventProblem, type EventSource } from '@dual-stream/nestjs';
import { problem, ProblemException } from '@app/service-kit';

export interface CatchUpQuery {
  source: EventSource;
  /** The offset of the last event the client has (exclusive lower bound), when given. */
  after?: bigint;
  limit: number;
}

const DEFAULT_LIMIT = 100;
const OFFSET = /^(0|[1-9]\d{0,18})$/;
const MAX_OFFSET = 2n ** 63n - 1n;

/**
 * The one parser of `GET /sources/:type/:id/events?after&limit`. Offsets are Kafka's int64, kept exact as
 * BigInt (a JS number is exact only up to 2^53). Every problem is reported at once (`400 invalid_query`); a
 * source type the services do not accept is `400 unknown_source_type` naming the accepted ones.
 */
export function parseCatchUpQuery(
  raw: { type: string; id: string; after?: unknown; limit?: unknown },
  maxPage: number,
  sourceTypes: readonly string[],
): CatchUpQuery {
  const problems: EventProblem[] = [];
  let source: EventSource = { type: raw.type, id: raw.id };
  try {
    source = parseChannel(channelFor('', source));
  } catch (err) {
    problems.push({ path: 'source', message: (err as Error).message });
  }
  const { after, limit } = raw;
  if (after !== undefined && (typeof after !== 'string' || !OFFSET.test(after) || BigInt(after) > MAX_OFFSET)) {
    problems.push({
      path: 'after',
      message: 'must be a Kafka offset (a non-negative 64-bit integer): the offset of the last event you have',
    });
  }
  if (
    limit !== undefined &&
    (typeof limit !== 'string' || !/^\d{1,7}$/.test(limit) || +limit < 1 || +limit > maxPage)
  ) {
    problems.push({ path: 'limit', message: `must be an integer from 1 to ${maxPage}` });
  }
  if (problems.length) throw new ProblemException(problem('invalid_query', 'invalid catch-up query', problems));
  if (!sourceTypes.includes(source.type)) {
    throw new ProblemException(
      problem(
        'unknown_source_type',
        `source type "${source.type}" is not projected; accepted: ${sourceTypes.join(', ')}`,
        [{ path: 'source.type', message: `must be one of ${sourceTypes.join(', ')}` }],
        { allowed: [...sourceTypes] },
      ),
    );
  }
  return {
    source,
    ...(after !== undefined && { after: BigInt(after as string) }),
    limit: limit === undefined ? DEFAULT_LIMIT : Number(limit),
  };
}
