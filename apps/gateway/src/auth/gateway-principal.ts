import { globMatches } from '@dual-stream/nestjs';

/** Who a socket is and what it may subscribe to (from its token's claims). */
export interface GatewayPrincipal {
  sub: string;
  /** Channel globs (`events:order:*`, `events:user:octocat`). */
  channels: string[];
  /** Pattern globs this principal may PSUBSCRIBE; a requested pattern must lie inside one of them. */
  patterns: string[];
}

export function canSubscribe(principal: unknown, channel: string): boolean {
  const p = principal as GatewayPrincipal | undefined;
  return !!p?.channels?.some((glob) => globMatches(glob, channel));
}

export function canSubscribePattern(principal: unknown, pattern: string): boolean {
  const p = principal as GatewayPrincipal | undefined;
  return !!p?.patterns?.some((glob) => globMatches(glob, pattern));
}
