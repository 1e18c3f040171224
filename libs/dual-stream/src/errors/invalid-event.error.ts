/** One problem found in an event: where (`path`) and what is wrong. */
export interface EventProblem {
  /** Zero-based position in a `publishBatch` call; absent for `publish`. */
  index?: number;
  path: string;
  message: string;
}

/** The event breaks the envelope contract; nothing was published. Fix every listed problem and retry. */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';

  constructor(readonly problems: EventProblem[]) {
    super(
      `Invalid event, nothing was published. Fix these ${problems.length} problem(s): ` +
        problems.map((p) => `${p.index === undefined ? '' : `[${p.index}] `}${p.path}: ${p.message}`).join('; '),
    );
  }
}
