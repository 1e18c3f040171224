import { fillAfter, readRecent, type FillOutcome } from '../catch-up/read-model-fill.js';
import type { FetchRecent } from '../catch-up/fetch-recent.js';
import { Backoff } from '../client/backoff.js';
import { StreamResetError } from '../errors/stream-reset.error.js';
import { SubscribeRefusedError } from '../errors/subscribe-refused.error.js';
import { isAfter, isAtOrBefore, isPosition, positionOf, type Position } from '../positions/position.js';
import type { ChannelEvent } from '../protocol/channel-event.js';
import { FillProgress } from './fill-progress.js';
import { HeldEvents } from './held-events.js';
import { callHandler } from './call-handler.js';
import { requestSubscribe } from './subscribe-request.js';
import type { SubscriptionHost } from './subscription-host.js';
import type { DeliveryInfo, ResetInfo, ResetReason, SubscribeOptions } from './subscription-options.js';

/** What the client builds a channel subscription from. */
export interface ChannelSpec extends SubscribeOptions {
  /** `joinMidStream`: read the read model first, then subscribe from where it ends. */
  join?: boolean;
}

/** Resubscribes in a row whose live events overflowed `maxHeldEvents` before the SDK gives up (as the gateway does). */
const MAX_OVERFLOW_PASSES = 5;

type Phase = 'idle' | 'syncing' | 'live' | 'closed';
/** What the gateway said about a hole it could not close. */
type GatewayWords = Pick<ResetInfo, 'gatewayReason' | 'cause'>;
type Current = () => boolean;

/**
 * One channel subscription: hands the app one ordered stream, each position once, across reconnects.
 *
 * While it (re)subscribes it holds what arrives: the gateway's replay, its buffered live events and the ack
 * come in that order, and after `recovered: false` the live events are past a hole, so nothing is handed over
 * before the ack says the stream up to them is complete. After a refused resume it fills the hole from the
 * read model (`fetchRecent`), then subscribes again from where the read model is complete: only a
 * `recovered: true` ends the fill. A resubscribe always names the last DELIVERED position.
 */
export class ChannelSubscription {
  private phase: Phase = 'idle';
  /** Bumped whenever a flow must stop (reconnect, close): async steps check it after every await. */
  private run = 0;
  /** Everything at or before it has been handed over (the last delivered event, or a read-model cursor). */
  private position?: Position;
  private lastEvent?: Position;
  private needsJoin: boolean;
  private readonly held: HeldEvents;

  constructor(
    readonly channel: string,
    private readonly spec: ChannelSpec,
    private readonly host: SubscriptionHost,
  ) {
    if (spec.from !== undefined && !isPosition(spec.from)) {
      throw new TypeError(
        '`from` must be a position { topic, partition, offset } with offset a decimal string, as given by a delivered event.',
      );
    }
    this.position = spec.from && positionOf(spec.from);
    this.needsJoin = spec.join === true;
    this.held = new HeldEvents(host.settings.maxHeldEvents);
  }

  /** True while events are held back (subscribing, filling): the client reports `recovering`. */
  get holding(): boolean {
    return this.phase === 'syncing';
  }

  /** Where the next subscribe continues from. */
  get resumeFrom(): Position | undefined {
    return this.position;
  }

  /** Subscribes on the current connection (after connect or reconnect). */
  start(): void {
    if (this.phase === 'closed') return;
    this.begin();
  }

  /** A new flow: holds what arrives until it went live. `hole`: the gateway reported one, fill it first. */
  private begin(hole?: GatewayWords): void {
    const run = ++this.run;
    this.phase = 'syncing';
    this.held.clear();
    this.host.statusChanged();
    const current: Current = () => run === this.run && this.phase === 'syncing';
    this.sync(current, hole).catch((err: unknown) => {
      if (current()) this.report(err);
    });
  }

  /** The connection dropped: what was held is replayed after the next subscribe. */
  stop(): void {
    if (this.phase === 'closed') return;
    this.run++;
    this.phase = 'idle';
    this.held.clear();
  }

  close(): void {
    this.run++;
    this.phase = 'closed';
    this.held.clear();
  }

  /** An `event` of this channel from the gateway. */
  receive(event: ChannelEvent): void {
    if (this.phase === 'live') this.deliver(event, 'gateway');
    else if (this.phase === 'syncing') this.held.push(event);
  }

  /**
   * The gateway's `recovery`: a recovery of its own left a hole. The gateway sends it before any live event
   * past the hole, so with a read model the SDK holds what comes next, fills the hole after the last
   * delivered event, and subscribes again from where the read model is complete (as for a refused resume).
   */
  gatewayHole(reason: string, cause?: string): void {
    if (this.phase !== 'live' && this.phase !== 'syncing') return;
    const words: GatewayWords = { gatewayReason: reason, ...(cause !== undefined && { cause }) };
    if (this.spec.fetchRecent) {
      // While syncing, the flow in progress only goes live on a subscribe the gateway answered `recovered: true`.
      if (this.phase === 'live') this.begin(words);
      return;
    }
    this.unfilledHole('gateway-recovery', words);
  }

  /** A gateway hole nothing could fill: `onGap` when given, else `onReset` with why. */
  private unfilledHole(reason: ResetReason, words: GatewayWords): void {
    const onGap = this.spec.onGap;
    if (!onGap) return this.reset(reason, words);
    const { gatewayReason = reason, cause } = words;
    this.call(() => onGap({ channel: this.channel, reason: gatewayReason, ...(cause !== undefined && { cause }) }));
  }

  private async sync(current: Current, hole?: GatewayWords): Promise<void> {
    if (this.needsJoin && !(await this.join(current))) return;
    const { fillTimeoutMs, fillRetryDelayMaxMs, reconnectDelayMs } = this.host.settings;
    const progress = new FillProgress(fillTimeoutMs, fillRetryDelayMaxMs);
    const busy = new Backoff(reconnectDelayMs, fillRetryDelayMaxMs);
    if (hole) {
      const filled = await this.fill(this.spec.fetchRecent!, progress, current);
      if (filled === 'stale') return;
      if (filled !== 'verify') return this.goLive(() => this.unfilledHole(filled, hole));
      if (!(await this.resubscribeNext(current))) return;
    }
    for (let overflows = 0; ;) {
      this.held.restart();
      const result = await requestSubscribe(this.host, this.subscribePayload(), current);
      if (result.kind === 'stale') return;
      if (result.kind === 'refused') return this.refused(result.error);
      if (result.recovered) {
        if (!this.held.overflowed) return this.goLive();
        if (++overflows >= MAX_OVERFLOW_PASSES) return this.goLive(() => this.reset('held-overflow'));
      } else if (result.reason === 'busy') {
        // The gateway ran out of replay slots and replayed nothing: the same resume, a little later.
        await this.host.sleep(busy.next());
        if (!current()) return;
      } else if (!this.spec.fetchRecent) {
        return this.goLive(() => this.reset('resume-refused', { gatewayReason: result.reason }));
      } else {
        const filled = await this.fill(this.spec.fetchRecent, progress, current);
        if (filled === 'stale') return;
        if (filled !== 'verify') return this.goLive(() => this.reset(filled));
      }
      if (!(await this.resubscribeNext(current))) return;
    }
  }

  /**
   * The gateway keeps its own position per subscription and would not re-send anything older, so the next
   * subscribe (from the new position) needs a fresh subscription. False when the flow is over.
   */
  private async resubscribeNext(current: Current): Promise<boolean> {
    try {
      await this.host.request('unsubscribe', { channel: this.channel });
    } catch {
      return false;
    }
    return current();
  }

  /** `joinMidStream`: the read model's events first, then subscribe from where it is complete. */
  private async join(current: Current): Promise<boolean> {
    const backoff = new Backoff(this.host.settings.reconnectDelayMs, this.host.settings.fillRetryDelayMaxMs);
    for (;;) {
      try {
        const read = await readRecent(this.spec.fetchRecent!, { channel: this.channel });
        if (!current()) return false;
        for (const event of read.events) this.deliver(event, 'read-model');
        if (read.end) this.advanceTo(read.end);
        this.needsJoin = false;
        return true;
      } catch (err) {
        if (!current()) return false;
        this.report(err);
      }
      await this.host.sleep(backoff.next());
      if (!current()) return false;
    }
  }

  /**
   * Hands over the read model's events after the last delivered one until the read model covers the hole;
   * 'verify' means: subscribe again from the new position and let the gateway confirm nothing is left.
   */
  private async fill(
    fetchRecent: FetchRecent,
    progress: FillProgress,
    current: Current,
  ): Promise<'verify' | 'stale' | ResetReason> {
    for (;;) {
      let outcome: FillOutcome | undefined;
      try {
        outcome = await fillAfter(fetchRecent, this.channel, { lastEvent: this.lastEvent, position: this.position });
      } catch (err) {
        if (!current()) return 'stale';
        this.report(err);
      }
      if (!current()) return 'stale';
      if (outcome?.kind === 'pruned') return 'read-model-pruned';
      const before = this.position;
      if (outcome?.kind === 'covered') {
        for (const event of outcome.events) this.deliver(event, 'read-model');
        if (outcome.end) this.advanceTo(outcome.end);
      }
      if (this.position !== before) progress.advanced();
      else if (progress.stalled) return 'read-model-stalled';
      const delay = progress.nextDelay(outcome?.kind === 'covered');
      if (delay > 0) await this.host.sleep(delay);
      if (!current()) return 'stale';
      if (outcome?.kind === 'covered') return 'verify';
    }
  }

  private subscribePayload(): object {
    return {
      channel: this.channel,
      ...(this.position && { from: this.position }),
      ...(this.spec.conflate && { conflate: true }),
    };
  }

  /**
   * Hands over what was held (in position order, deduplicated) and delivers live from now on. `hole` tells
   * the app of a hole first: everything held is after it.
   */
  private goLive(hole?: () => void): void {
    hole?.();
    if (this.phase !== 'syncing') return;
    const events = this.held.drain();
    this.phase = 'live';
    for (const event of events) this.deliver(event, 'gateway');
    this.host.statusChanged();
  }

  private deliver(event: ChannelEvent, origin: DeliveryInfo['origin']): void {
    if (this.phase === 'closed') return;
    if (isAtOrBefore(event, this.position)) {
      this.host.duplicateDropped();
      return;
    }
    this.position = positionOf(event);
    this.lastEvent = this.position;
    this.call(() => this.spec.onEvent(event, { channel: this.channel, origin }));
  }

  private advanceTo(end: Position): void {
    if (!this.position || isAfter(end, this.position)) this.position = positionOf(end);
  }

  /** The position is kept: a later resume from it is refused again rather than silently skipping events. */
  private reset(reason: ResetReason, gateway: GatewayWords = {}): void {
    const info: ResetInfo = {
      channel: this.channel,
      reason,
      ...(gateway.gatewayReason !== undefined && { gatewayReason: gateway.gatewayReason }),
      ...(gateway.cause !== undefined && { cause: gateway.cause }),
      ...(this.position && { position: this.position }),
    };
    const onReset = this.spec.onReset;
    if (onReset) this.call(() => onReset(info));
    else this.report(new StreamResetError(info));
  }

  private refused(error: string): void {
    this.close();
    this.host.forget(this.channel, 'channel');
    this.host.statusChanged();
    this.report(new SubscribeRefusedError(this.channel, error));
  }

  private call(handler: () => void): void {
    callHandler(handler, (err) => this.report(err));
  }

  private report(error: unknown): void {
    this.host.report(error, this.spec.onError);
  }
}
