import { HttpException } from '@nestjs/common';
import type { EventProblem } from '@dual-stream/nestjs';
import { PROBLEM_TYPES, problemTypeUri, type ProblemCode } from './problem-types.js';

/**
 * Every error a demo service answers with: RFC 9457 (`application/problem+json`) `type`, `title`, `status`,
 * `detail`, plus the protocol-v1 members `error` (the stable code), `statusCode` and `message` (same as
 * `status` / `detail`), and `problems` (what to fix, by field). Never carries a dependency's error text.
 */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  error: ProblemCode;
  statusCode: number;
  message: string;
  problems: EventProblem[];
  [extension: string]: unknown;
}

/**
 * @param extensions extra members (e.g. `allowed` source types); they never override the standard ones.
 * @example problem('forbidden', 'this token may not read events:user:alice')
 */
export function problem(
  code: ProblemCode,
  detail: string,
  problems: EventProblem[] = [],
  extensions: Record<string, unknown> = {},
): ProblemBody {
  const { status, title } = PROBLEM_TYPES[code];
  return {
    ...extensions,
    type: problemTypeUri(code),
    title,
    status,
    detail,
    error: code,
    statusCode: status,
    message: detail,
    problems: problems.length ? problems : [{ path: '', message: detail }],
  };
}

export function isProblemBody(value: unknown): value is ProblemBody {
  const v = value as Partial<ProblemBody> | null;
  return typeof v === 'object' && v !== null && typeof v.type === 'string' && typeof v.error === 'string';
}

/** Thrown by controllers and guards; answered by `ProblemExceptionFilter` (with `headers`, e.g. `Retry-After`). */
export class ProblemException extends HttpException {
  constructor(
    readonly body: ProblemBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body, body.status);
  }
}
