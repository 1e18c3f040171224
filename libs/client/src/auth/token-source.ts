/** How the SDK gets the token it sends: a fixed one, or a function asked again before every connection or request. */
export interface TokenSource {
  /** A fixed token. When it expires the SDK cannot reconnect; prefer `getToken`. */
  token?: string;
  /**
   * Returns a current token; called again on every (re)connect and every catch-up request, so expiring tokens
   * work. Exactly one of `token` and `getToken` is required.
   * @example getToken: async () => (await fetch('/auth/realtime-token')).text()
   */
  getToken?: () => string | Promise<string>;
}

/** Throws unless exactly one of `token` and `getToken` is given. */
export function checkTokenSource(source: TokenSource, where: string): void {
  const hasToken = typeof source.token === 'string' && source.token.length > 0;
  const hasGetter = typeof source.getToken === 'function';
  if (hasToken === hasGetter) {
    throw new TypeError(
      `${where} needs exactly one of \`token\` (a non-empty string) or \`getToken\` (a function returning the current token).`,
    );
  }
}

/** The token to send now. */
export async function readToken(source: TokenSource): Promise<string> {
  const token = source.getToken ? await source.getToken() : source.token;
  if (typeof token !== 'string' || token.length === 0) {
    throw new TypeError('getToken() must return a non-empty string (the token to send to the gateway).');
  }
  return token;
}
