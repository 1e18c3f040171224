/** The read model's catch-up API answered with an error status. */
export class CatchUpRequestError extends Error {
  override readonly name = 'CatchUpRequestError';

  constructor(
    readonly status: number,
    /** The problem's `error` code (`unauthorized`, `forbidden`, `invalid_query`, ...), when the body had one. */
    readonly code: string | undefined,
    url: string,
  ) {
    super(`The catch-up API answered ${status}${code ? ` ${code}` : ''} for ${url}: ${hint(status)}`);
  }
}

function hint(status: number): string {
  if (status === 401) return 'send a valid, unexpired token (catchUpFrom({ token }) or getToken).';
  if (status === 403) return "the token's channels claim must cover this channel.";
  if (status === 400) return 'the channel or position was refused; see the problem body.';
  if (status >= 500) return 'the read model is unavailable; the SDK retries.';
  return 'check the base URL given to catchUpFrom().';
}
