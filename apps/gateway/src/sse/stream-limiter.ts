/**
 * Open streams per principal on this instance (`GATEWAY_SSE_MAX_STREAMS_PER_PRINCIPAL`): one token cannot
 * hold the gateway's connections and memory by opening streams without end.
 */
export class StreamLimiter {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Takes a slot for `principal`; false when it holds `max` already. Give it back with `release`. */
  acquire(principal: string): boolean {
    const held = this.open.get(principal) ?? 0;
    if (held >= this.max) return false;
    this.open.set(principal, held + 1);
    return true;
  }

  release(principal: string): void {
    const held = this.open.get(principal) ?? 0;
    if (held <= 1) this.open.delete(principal);
    else this.open.set(principal, held - 1);
  }
}
