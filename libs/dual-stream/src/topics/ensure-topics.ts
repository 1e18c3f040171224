import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import { validateTopicName } from '../events/topic-name.js';
import { kafkaDriverFor } from '../kafka/kafka-driver.factory.js';
import type { TopicSpec } from '../kafka/kafka-port.interface.js';

/** A topic to create, with settings that override `kafka.topics` for it. */
export interface DualStreamTopicSpec {
  topic: string;
  /** @default kafka.topics.partitions */
  partitions?: number;
  /** @default kafka.topics.replicationFactor */
  replicationFactor?: number;
  /** @default kafka.topics.minInsyncReplicas */
  minInsyncReplicas?: number;
}

/** The Kafka spec of a topic: its own settings, else the module's `kafka.topics`. */
function topicSpecOf(options: ResolvedDualStreamOptions, given: string | DualStreamTopicSpec): TopicSpec {
  const spec = typeof given === 'string' ? { topic: given } : given;
  const problem = validateTopicName(spec.topic);
  if (problem) throw new Error(`ensureTopics: topic ${JSON.stringify(spec.topic)} ${problem}.`);
  const defaults = options.kafka.topics;
  const minIsr = spec.minInsyncReplicas ?? defaults.minInsyncReplicas;
  return {
    topic: spec.topic,
    partitions: spec.partitions ?? defaults.partitions,
    replicationFactor: spec.replicationFactor ?? defaults.replicationFactor,
    ...(minIsr > 0 && { configs: { 'min.insync.replicas': String(minIsr) } }),
  };
}

/**
 * Creates the topics that do not exist yet (existing ones are left as they are) and waits until each has
 * leaders; resolves with the names it created. Another process creating the same topic at the same moment is
 * fine. The library never relies on broker auto-creation: this is how topics come to exist.
 */
export async function ensureResolvedTopics(
  options: ResolvedDualStreamOptions,
  topics: readonly (string | DualStreamTopicSpec)[],
): Promise<string[]> {
  const specs = topics.map((t) => topicSpecOf(options, t));
  if (specs.length === 0) return [];
  const admin = kafkaDriverFor(options).admin('setup');
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Map(specs.filter((s) => !existing.has(s.topic)).map((s) => [s.topic, s])).values()];
    await admin.createTopics(missing, options.kafka.topics.timeoutMs);
    return missing.map((s) => s.topic);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
