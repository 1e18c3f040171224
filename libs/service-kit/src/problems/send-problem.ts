import type { ServerResponse } from 'node:http';
import type { ProblemBody } from './problem.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** Writes a problem answer; also for Express middleware that runs before Nest's router. */
export function sendProblem(res: ServerResponse, body: ProblemBody, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.statusCode = body.status;
  res.setHeader('Content-Type', PROBLEM_CONTENT_TYPE);
  res.setHeader('Cache-Control', 'no-store');
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.end(JSON.stringify(body));
}
