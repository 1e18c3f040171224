import type { EventProblem } from '@dual-stream/nestjs';
import { isSourceType, problem, ProblemException } from '@app/service-kit';

/**
 * Refuses events whose `source.type` is not in `SOURCE_TYPES` before anything is published: each accepted
 * type has a topic the consumer projects, so an accepted event is never durable-but-invisible, and a client
 * cannot make the broker create topics.
 */
export function assertAcceptedSourceTypes(events: unknown[], allowed: readonly string[], batch: boolean): void {
  const problems: EventProblem[] = [];
  events.forEach((event, index) => {
    const type = (event as { source?: { type?: unknown } } | null)?.source?.type;
    // A malformed type is the validator's to report (invalid_event); a well-formed other one is refused here.
    if (typeof type === 'string' && isSourceType(type) && !allowed.includes(type)) {
      problems.push({
        ...(batch && { index }),
        path: 'source.type',
        message: `"${type.slice(0, 64)}" is not accepted here; accepted: ${allowed.join(', ')}`,
      });
    }
  });
  if (problems.length) {
    throw new ProblemException(
      problem(
        'unknown_source_type',
        `source.type must be one of ${allowed.join(', ')} (SOURCE_TYPES); nothing was published`,
        problems,
        { allowed: [...allowed] },
      ),
    );
  }
}
