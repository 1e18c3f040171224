import { globMatches } from '@dual-stream/nestjs';

/**
 * Who a client is and what it may read (from its token's claims). The same principal authorizes a socket's
 * subscriptions on the gateway and the consumer's catch-up API: whoever may not subscribe to a channel may not
 * read its events either.
 */
export interface GatewayPrincipal {
  sub: string;
  /** Channel globs (`events:order:*`, `events:user:octocat`). */
  channels: string[];
  /** Pattern globs this principal may PSUBSCRIBE; a requested pattern must lie inside one of them. */
  patterns: string[];
  /** When the token expires, epoch ms (its `exp` claim); absent for a principal that never expires. */
  expiresAt?: number;
}

/** May this principal subscribe to (and read the events of) `channel` (`events:{type}:{id}`, no prefix)? */
export function canSubscribe(principal: unknown, channel: string): boolean {
  const p = principal as GatewayPrincipal | undefined;
  return !!p?.channels?.some((glob) => globMatches(glob, channel));
}

/** May this principal PSUBSCRIBE `pattern`? */
export function canSubscribePattern(principal: unknown, pattern: string): boolean {
  const p = principal as GatewayPrincipal | undefined;
  return !!p?.patterns?.some((glob) => globMatches(glob, pattern));
}
