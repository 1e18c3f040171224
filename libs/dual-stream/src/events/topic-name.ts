/** Anything outside Kafka's legal topic characters `[a-zA-Z0-9._-]` (`org.apache.kafka.common.internals.Topic`). */
const ILLEGAL_TOPIC_CHARACTER = /[^a-zA-Z0-9._-]/u;
/** Kafka's limit: the topic name becomes a directory name `{topic}-{partition}` of at most 255 bytes. */
export const TOPIC_NAME_MAX_LENGTH = 249;

/**
 * Why Kafka would refuse `name` as a topic name, or undefined when it is a legal one: 1–249 characters of
 * `[a-zA-Z0-9._-]`, and not `.` or `..`. The one topic-name rule of the library (publisher and handlers).
 *
 * @example validateTopicName('events.order') // undefined
 * @example validateTopicName('events order') // 'must contain only [a-zA-Z0-9._-] (found " " at 6)'
 */
export function validateTopicName(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'must be a string';
  if (name.length === 0) return 'must not be empty';
  if (name.length > TOPIC_NAME_MAX_LENGTH) {
    return `must be at most ${TOPIC_NAME_MAX_LENGTH} characters (got ${name.length})`;
  }
  if (name === '.' || name === '..') return 'must not be "." or ".."';
  const illegal = ILLEGAL_TOPIC_CHARACTER.exec(name);
  if (illegal) return `must contain only [a-zA-Z0-9._-] (found ${JSON.stringify(illegal[0])} at ${illegal.index})`;
  return undefined;
}
