import type { KafkaPortError } from './kafka-port.error.js';

/** The smallest positive integer among a config's values as the brokers reported them (e.g. `message.max.bytes`). */
export function smallestBrokerValue(name: string, values: readonly (string | null | undefined)[]): number {
  const numbers = values.map(Number).filter((value) => Number.isSafeInteger(value) && value > 0);
  if (numbers.length === 0) throw new Error(`the brokers reported no ${name}`);
  return Math.min(...numbers);
}

/**
 * Polls `allLed` (every partition of `topics` has a leader) every 100 ms until it answers true or `timeoutMs`
 * passed. A new topic's metadata takes a moment to propagate (a KRaft broker answers UNKNOWN_TOPIC_OR_PARTITION
 * until then): retriable errors, mapped by the driver's `toPortError`, are polled through.
 */
export async function waitForLeaders(
  topics: readonly string[],
  timeoutMs: number,
  allLed: () => Promise<boolean>,
  toPortError: (err: unknown) => KafkaPortError,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await allLed()) return;
    } catch (err) {
      const portError = toPortError(err);
      if (!portError.retriable || Date.now() > deadline) throw portError;
    }
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leaders after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
