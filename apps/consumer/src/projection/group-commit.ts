import type { WriterRequest } from './projection-writer.protocol.js';

type ApplyRequest = WriterRequest & { op: 'apply' };
/** Consecutive applies (one transaction), or consecutive other requests (each on its own), in arrival order. */
export type CommitGroup =
  { op: 'apply'; requests: ApplyRequest[] } | { op: 'other'; requests: Exclude<WriterRequest, ApplyRequest>[] };

/**
 * Splits queued writer requests into runs that keep their order: a `markUnapplied` or `close` between two
 * applies is done between them, never moved before or after either. A run of applies is capped at
 * `maxRecords` so one transaction (and the reply it delays) stays bounded.
 */
export function groupCommits(requests: readonly WriterRequest[], maxRecords = 5_000): CommitGroup[] {
  const groups: CommitGroup[] = [];
  let records = 0;
  for (const request of requests) {
    const last = groups[groups.length - 1];
    if (request.op === 'apply') {
      if (last?.op === 'apply' && records + request.offsets.length <= maxRecords) {
        last.requests.push(request);
        records += request.offsets.length;
      } else {
        groups.push({ op: 'apply', requests: [request] });
        records = request.offsets.length;
      }
    } else if (last?.op === 'other') last.requests.push(request);
    else groups.push({ op: 'other', requests: [request] });
  }
  return groups;
}
