import { SubscribeRefusedError } from '../errors/subscribe-refused.error.js';
import type { EventMessage, GapMessage } from '../protocol/server-messages.js';
import { callHandler } from './call-handler.js';
import { requestSubscribe } from './subscribe-request.js';
import type { SubscriptionHost } from './subscription-host.js';
import type { PatternSubscribeOptions } from './subscription-options.js';

/** A pattern subscription: live only (no position, no replay), subscribed again after every reconnect. */
export class PatternSubscription {
  private run = 0;
  private active = false;
  private closed = false;

  constructor(
    readonly pattern: string,
    private readonly spec: PatternSubscribeOptions,
    private readonly host: SubscriptionHost,
  ) {}

  start(): void {
    if (this.closed) return;
    const run = ++this.run;
    this.active = true;
    const payload = { pattern: this.pattern, ...(this.spec.conflate && { conflate: true }) };
    requestSubscribe(this.host, payload, () => run === this.run && !this.closed).then(
      (result) => {
        if (result.kind !== 'refused') return;
        this.close();
        this.host.forget(this.pattern, 'pattern');
        this.report(new SubscribeRefusedError(this.pattern, result.error));
      },
      (err: unknown) => this.report(err),
    );
  }

  stop(): void {
    this.run++;
    this.active = false;
  }

  close(): void {
    this.closed = true;
    this.stop();
  }

  receive(message: EventMessage): void {
    if (!this.active) return;
    this.call(() =>
      this.spec.onEvent(message.event, { channel: message.channel, pattern: this.pattern, origin: 'gateway' }),
    );
  }

  gap(message: GapMessage): void {
    const onGap = this.spec.onGap;
    if (!this.active || !onGap) return;
    this.call(() => onGap({ channel: message.channel, pattern: this.pattern, reason: 'gap-marker', gap: message.gap }));
  }

  private call(handler: () => void): void {
    callHandler(handler, (err) => this.report(err));
  }

  private report(error: unknown): void {
    this.host.report(error, this.spec.onError);
  }
}
