import { KafkaPortError, type KafkaErrorKind } from '../kafka-port.error.js';

interface KafkajsErrorShape {
  name?: unknown;
  message?: unknown;
  type?: unknown;
  retriable?: unknown;
  cause?: unknown;
  originalError?: unknown;
}

/** How deep the cause chain is followed: kafkajs nests a few levels; a cycle must not loop forever. */
const MAX_DEPTH = 10;

/** The first kafkajs protocol error (one with a `type`, the Kafka error name) on the cause chain. */
function protocolErrorOf(error: unknown): KafkajsErrorShape | undefined {
  let e = error as KafkajsErrorShape | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < MAX_DEPTH; depth++) {
    if (typeof e.type === 'string') return e;
    e = (e.cause ?? e.originalError) as KafkajsErrorShape | undefined;
  }
  return undefined;
}

function chainHas(error: unknown, names: readonly string[]): boolean {
  let e = error as KafkajsErrorShape | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < MAX_DEPTH; depth++) {
    if (typeof e.name === 'string' && names.includes(e.name)) return true;
    e = (e.cause ?? e.originalError) as KafkajsErrorShape | undefined;
  }
  return false;
}

const UNKNOWN_TOPIC = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

/** kafkajs' errors in the port's terms; the kafkajs error stays the `cause` and its message is kept. */
export function toPortError(error: unknown): KafkaPortError {
  if (error instanceof KafkaPortError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const protocol = protocolErrorOf(error);
  const code = protocol ? (protocol.type as string) : undefined;
  let kind: KafkaErrorKind;
  let retriable: boolean;
  if (code && UNKNOWN_TOPIC.has(code)) [kind, retriable] = ['unknown-topic', true];
  else if (code === 'REQUEST_TIMED_OUT') [kind, retriable] = ['timeout', true];
  else if (protocol && protocol.retriable === false) [kind, retriable] = ['refused', false];
  else if (chainHas(error, ['KafkaJSRequestTimeoutError'])) [kind, retriable] = ['timeout', true];
  else if (chainHas(error, ['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSBrokerNotFound'])) {
    [kind, retriable] = ['connection', true];
  } else if (chainHas(error, ['KafkaJSNonRetriableError']) && /closed|disconnect/i.test(message)) {
    [kind, retriable] = ['closed', false];
  } else [kind, retriable] = ['other', true];
  return new KafkaPortError(message, kind, retriable, { cause: error, code });
}

/** `promise`, rejecting with `toPortError` of whatever it rejects with. */
export function mapped<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((err: unknown) => {
    throw toPortError(err);
  });
}
