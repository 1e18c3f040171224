interface Waiting {
  messages: string[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Sends one master's notifications in the order they were handed over: one round trip at a time, and whatever
 * arrives while one is in flight goes out together in the next (so the order costs no throughput: a slow round
 * trip makes the next one bigger, not later). Every caller whose messages were in a round trip gets its
 * outcome; a failed round trip fails all of them (they are recorded as gaps and recovered from Kafka).
 */
export class OrderedSender {
  private waiting: Waiting[] = [];
  private sending = false;

  /** `send` takes `[channel, payload, channel, payload, ...]` and resolves once all of them were taken. */
  constructor(private readonly sendNow: (messages: string[]) => Promise<void>) {}

  send(messages: string[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ messages, resolve, reject });
      if (!this.sending) void this.drain();
    });
  }

  /** Nothing waiting or in flight. */
  get idle(): boolean {
    return !this.sending && this.waiting.length === 0;
  }

  private async drain(): Promise<void> {
    this.sending = true;
    while (this.waiting.length > 0) {
      const round = this.waiting;
      this.waiting = [];
      try {
        await this.sendNow(round.length === 1 ? round[0].messages : round.flatMap((w) => w.messages));
        for (const w of round) w.resolve();
      } catch (err) {
        for (const w of round) w.reject(err);
      }
    }
    this.sending = false;
  }
}
