import type { ServerResponse } from 'node:http';
import type { EventProblem } from '@dual-stream/nestjs';

/** Every error the ingester answers with: a stable code, a sentence, and what to fix. */
export interface ProblemBody {
  statusCode: number;
  error: string;
  message: string;
  problems: EventProblem[];
}

export function problem(
  statusCode: number,
  error: string,
  message: string,
  problems: EventProblem[] = [],
): ProblemBody {
  return { statusCode, error, message, problems: problems.length ? problems : [{ path: '', message }] };
}

/** For express-level middleware (auth, content type, body parsing) that runs before Nest's router. */
export function sendProblem(res: ServerResponse, body: ProblemBody, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.statusCode = body.statusCode;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.end(JSON.stringify(body));
}
