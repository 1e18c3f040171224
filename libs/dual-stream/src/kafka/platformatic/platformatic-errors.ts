import { KafkaPortError, type KafkaErrorKind } from '../kafka-port.error.js';

interface PlatformaticErrorShape {
  code?: unknown;
  apiId?: unknown;
  canRetry?: unknown;
  message?: unknown;
  errors?: unknown;
  cause?: unknown;
}

/** How deep nested errors are followed (MultipleErrors of retries hold one error per attempt). */
const MAX_DEPTH = 10;

/** Every error of the tree: the error, its `errors` (an AggregateError's) and `cause`s, depth first. */
function* errorTree(error: unknown, depth = 0): Generator<PlatformaticErrorShape> {
  if (!error || typeof error !== 'object' || depth > MAX_DEPTH) return;
  const e = error as PlatformaticErrorShape;
  yield e;
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* errorTree(inner, depth + 1);
  if (e.cause) yield* errorTree(e.cause, depth + 1);
}

/** The last Kafka protocol error (one with an `apiId`, the Kafka error name) of the tree: the latest attempt's. */
function protocolErrorOf(error: unknown): PlatformaticErrorShape | undefined {
  let found: PlatformaticErrorShape | undefined;
  for (const e of errorTree(error)) if (typeof e.apiId === 'string') found = e;
  return found;
}

function treeHasCode(error: unknown, codes: readonly string[]): boolean {
  for (const e of errorTree(error)) if (typeof e.code === 'string' && codes.includes(e.code)) return true;
  return false;
}

const UNKNOWN_TOPIC = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_ID']);

/**
 * `@platformatic/kafka`'s errors in the port's terms (the same kinds and retriable flags as the kafkajs
 * driver's mapping); the client's error stays the `cause` and its message is kept. Its errors carry a `code`
 * (`PLT_KFK_*`), protocol errors an `apiId` (the Kafka error name) and `canRetry`; retries wrap the attempts'
 * errors in a `MultipleErrors`.
 */
export function toPortError(error: unknown): KafkaPortError {
  if (error instanceof KafkaPortError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const protocol = protocolErrorOf(error);
  // The client's metadata look-up answers a missing topic with a UserError of its own (no protocol error kept).
  const unknownTopic = !protocol && treeHasCode(error, ['PLT_KFK_USER']) && /^Unknown topic /.test(message);
  const code = protocol ? (protocol.apiId as string) : unknownTopic ? 'UNKNOWN_TOPIC_OR_PARTITION' : undefined;
  let kind: KafkaErrorKind;
  let retriable: boolean;
  if (code && UNKNOWN_TOPIC.has(code)) [kind, retriable] = ['unknown-topic', true];
  else if (code === 'REQUEST_TIMED_OUT') [kind, retriable] = ['timeout', true];
  else if (protocol && protocol.canRetry === false) [kind, retriable] = ['refused', false];
  else if (treeHasCode(error, ['PLT_KFK_TIMEOUT'])) [kind, retriable] = ['timeout', true];
  else if (treeHasCode(error, ['PLT_KFK_NETWORK'])) [kind, retriable] = ['connection', true];
  else if (/closed/i.test(message) && treeHasCode(error, ['PLT_KFK_USER'])) [kind, retriable] = ['closed', false];
  else [kind, retriable] = ['other', true];
  return new KafkaPortError(message, kind, retriable, { cause: error, code });
}

/** `promise`, rejecting with `toPortError` of whatever it rejects with. */
export function mapped<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((err: unknown) => {
    throw toPortError(err);
  });
}
