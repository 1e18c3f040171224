import type { Position } from '@dual-stream/client';
import type { SoakPlan } from './soak-plan.js';

/** Parent → clients child. */
export type ClientsCommand =
  | {
      cmd: 'start';
      plan: SoakPlan;
      /** Seed position of every followed source, by source number. */
      seeds: Record<number, Position>;
      token: string;
      gatewayUrls: string[];
      consumerUrl: string;
    }
  | { cmd: 'progress' }
  /** Every subscription told of a hole (onGap / onReset) reloads its source from the read model, as an app must. */
  | { cmd: 'reload' }
  | { cmd: 'report' }
  | { cmd: 'close' };

export interface ClientReport {
  client: number;
  gateway: number;
  reconnects: number;
  duplicatesDropped: number;
  malformedMessages: number;
  resets: number;
  gaps: number;
  errors: number;
}

/** Clients child → parent. */
export type ClientsMessage =
  | { kind: 'live'; ms: number }
  | { kind: 'reloaded'; subscriptions: number; failed: number }
  | { kind: 'progress'; received: number; live: number; statuses: Record<string, number> }
  | {
      kind: 'report';
      clients: ClientReport[];
      /** Per followed source of each client: how often each of the source's events (by `n / sources`) arrived. */
      subscriptions: {
        client: number;
        source: number;
        counts: number[];
        foreign: number;
        /** Holes the SDK reported (onGap, onReset). */
        holes: number;
        /** Events of the source (by `n / sources`) the reload from the read model brought. */
        reloaded: number[];
      }[];
      errorSamples: string[];
    };
