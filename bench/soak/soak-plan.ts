import type { Position } from '@dual-stream/client';
import { channelFor } from '@dual-stream/nestjs';

/**
 * What one soak run drives: the event numbering every part of the soak shares (the load driver, the clients and
 * the audits decode an event back to its number), the sources and which client follows which.
 *
 * Event `n` belongs to source `n % sources`; the first `sources` events are the seeds (one per source, published
 * before the clients subscribe, so every client starts `from` a known position and must then see every later
 * acknowledged event of its sources).
 */
export interface SoakPlan {
  runId: string;
  /** Topic and channel prefix of this run, so nothing else on the shared broker is touched. */
  prefix: string;
  sourceTypes: readonly string[];
  sources: number;
  clients: number;
  channelsPerClient: number;
}

export const SOAK_SOURCE_TYPES = ['soaka', 'soakb'] as const;

export function sourceOf(plan: SoakPlan, n: number): { type: string; id: string } {
  const s = n % plan.sources;
  return { type: plan.sourceTypes[s % plan.sourceTypes.length], id: `src-${s}` };
}

export function eventId(plan: SoakPlan, n: number): string {
  return `${plan.runId}-${n}`;
}

/** The event number of an id of this run, or -1 for anything else (counted as foreign by the audits). */
export function eventNumber(plan: SoakPlan, id: unknown): number {
  if (typeof id !== 'string' || !id.startsWith(`${plan.runId}-`)) return -1;
  const n = Number(id.slice(plan.runId.length + 1));
  return Number.isSafeInteger(n) && n >= 0 ? n : -1;
}

export function channelOf(plan: SoakPlan, source: number): string {
  return channelFor('', sourceOf(plan, source));
}

/** The sources client `c` follows: spread so that each followed source has one follower. */
export function sourcesOfClient(plan: SoakPlan, c: number): number[] {
  return Array.from({ length: plan.channelsPerClient }, (_, j) => (c + j * plan.clients) % plan.sources);
}

/** Client `c` talks to gateway `c % gateways`: half of them to the instance the chaos loop kills. */
export function gatewayOfClient(c: number, gateways: number): number {
  return c % gateways;
}

/** Seed positions by source, handed to the clients as their first `from`. */
export type SeedPositions = Position[];
