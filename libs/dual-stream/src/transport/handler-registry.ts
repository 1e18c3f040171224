import type { MessageHandler } from '@nestjs/microservices';
import type { OnDurableOptions } from '../decorators/durable-handler-options.interface.js';
import { HandlerMetadataAccessor } from '../decorators/handler-metadata.accessor.js';
import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import { PATTERNS_NOT_SHARDED } from '../errors/pattern-not-sharded.error.js';
import { HandlerConfigurationError } from '../errors/handler-configuration.error.js';
import { CHANNEL_NAMESPACE } from '../constants.js';
import { parseChannel } from '../events/channel-parser.js';
import { validateTopicName } from '../events/topic-name.js';
import type { DualStreamRetryOptions } from '../interfaces/dual-stream-options.interface.js';

/** One `@OnDurable` handler with every default applied. */
export interface DurableRoute {
  pattern: string;
  topic: string;
  groupId: string;
  fromBeginning: boolean;
  concurrency: number;
  keyConcurrency: number;
  retry: Required<DualStreamRetryOptions>;
  deadLetterTopic: string;
  batch: boolean;
  maxBatchSize: number;
}

export interface RealtimeRoute {
  pattern: string;
  /** Without prefix. */
  channel: string;
  isPattern: boolean;
}

export interface HandlerRegistry {
  /** groupId -> its routes (one kafkajs consumer each). */
  groups: Map<string, DurableRoute[]>;
  realtime: RealtimeRoute[];
}

const PATTERN_FORBIDDEN = /[\s\p{Cc}\p{Cf}]/u;

/**
 * Turns the handlers Nest registered on the server into routes, applying defaults and refusing, at startup,
 * every declaration that could only fail or misbehave at runtime.
 */
export function buildHandlerRegistry(
  handlers: Map<string, MessageHandler>,
  options: ResolvedDualStreamOptions,
): HandlerRegistry {
  const groups = new Map<string, DurableRoute[]>();
  const realtime: RealtimeRoute[] = [];
  for (const [pattern, handler] of handlers) {
    const metadata = HandlerMetadataAccessor.fromExtras(handler.extras);
    if (!metadata) continue;
    if (metadata.kind === 'durable') {
      if (handler.next) {
        throw new HandlerConfigurationError(
          `Two @OnDurable handlers consume topic "${metadata.options.topic}" in the same consumer group: each record would ` +
            'be acknowledged when both succeeded, and a retry would rerun both. Merge them into one handler, or give one ' +
            'of them its own group: @OnDurable({ topic, groupId: "..." }).',
        );
      }
      const route = resolveDurableRoute(pattern, metadata.options, options);
      const routes = groups.get(route.groupId) ?? [];
      if (routes.some((r) => r.topic === route.topic)) {
        throw new HandlerConfigurationError(
          `Topic "${route.topic}" has two @OnDurable handlers in consumer group "${route.groupId}" (one with the default ` +
            'group id, one naming it explicitly). Give one of them a different groupId.',
        );
      }
      const first = routes[0];
      if (first && first.concurrency !== route.concurrency) {
        throw new HandlerConfigurationError(
          `@OnDurable handlers of group "${route.groupId}" ask for different concurrency (${first.concurrency} for ` +
            `"${first.topic}", ${route.concurrency} for "${route.topic}"); one consumer serves the whole group. Use the ` +
            'same value, or separate groups.',
        );
      }
      routes.push(route);
      groups.set(route.groupId, routes);
    } else {
      realtime.push(resolveRealtimeRoute(pattern, metadata.options.channel, metadata.options.isPattern, options));
    }
  }
  return { groups, realtime };
}

function resolveDurableRoute(
  pattern: string,
  given: OnDurableOptions,
  options: ResolvedDualStreamOptions,
): DurableRoute {
  const where = `@OnDurable(${JSON.stringify(given)})`;
  const fail = (problem: string) => new HandlerConfigurationError(`${where}: ${problem}`);
  const topicProblem = validateTopicName(given.topic);
  if (topicProblem) throw fail(`topic ${topicProblem}, e.g. @OnDurable("events.order").`);
  const topic = given.topic;
  const groupId = given.groupId ?? `${options.consumer.groupIdPrefix}.${topic}`;
  if (typeof groupId !== 'string' || groupId.trim() === '') throw fail('groupId must be a non-empty string.');
  const retry = { ...options.consumer.retry, ...given.retry };
  const positiveInt = (value: unknown, name: string) => {
    if (!Number.isInteger(value) || (value as number) < 1) {
      throw fail(`${name} must be an integer >= 1 (got ${String(value)}).`);
    }
    return value as number;
  };
  const nonNegative = (value: unknown, name: string) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw fail(`${name} must be a finite number >= 0 (got ${String(value)}).`);
    }
    return value;
  };
  positiveInt(retry.attempts, 'retry.attempts');
  nonNegative(retry.backoffMs, 'retry.backoffMs');
  nonNegative(retry.maxBackoffMs, 'retry.maxBackoffMs');
  if (retry.maxBackoffMs < retry.backoffMs) throw fail('retry.maxBackoffMs must be >= retry.backoffMs.');
  const deadLetterTopic = given.deadLetterTopic ?? `${topic}.dlq`;
  const deadLetterProblem = validateTopicName(deadLetterTopic);
  if (deadLetterProblem) throw fail(`deadLetterTopic ${deadLetterProblem}.`);
  if (deadLetterTopic === topic) {
    throw fail('deadLetterTopic must differ from topic, or failed records would loop forever.');
  }
  return {
    pattern,
    topic,
    groupId,
    fromBeginning: given.fromBeginning ?? options.consumer.fromBeginning,
    concurrency: positiveInt(given.concurrency ?? options.consumer.concurrency, 'concurrency'),
    keyConcurrency: positiveInt(given.keyConcurrency ?? options.consumer.keyConcurrency, 'keyConcurrency'),
    retry,
    deadLetterTopic,
    batch: given.batch === true,
    maxBatchSize: positiveInt(given.maxBatchSize ?? options.consumer.maxBatchSize, 'maxBatchSize'),
  };
}

function resolveRealtimeRoute(
  pattern: string,
  channel: string,
  isPattern: boolean,
  options: ResolvedDualStreamOptions,
): RealtimeRoute {
  if (options.redis === false) {
    throw new HandlerConfigurationError(
      `@OnRealtime(${JSON.stringify(channel)}) needs Redis, but the module has redis: false. Configure redis, or remove the handler.`,
    );
  }
  if (isPattern && options.redis.sharded) {
    throw new HandlerConfigurationError(
      `@OnRealtime pattern ${JSON.stringify(channel)}: ${PATTERNS_NOT_SHARDED}. Handle the exact channels, or ` +
        'use @OnDurable (Kafka) for a whole source type.',
    );
  }
  if (isPattern) {
    const head = `${CHANNEL_NAMESPACE}:`;
    if (
      typeof channel !== 'string' ||
      !channel.startsWith(head) ||
      channel.length > 400 ||
      PATTERN_FORBIDDEN.test(channel)
    ) {
      throw new HandlerConfigurationError(
        `@OnRealtime pattern ${JSON.stringify(channel)} is invalid: a pattern must start with "${head}", be at most 400 ` +
          'characters and contain no whitespace or control characters, e.g. @OnRealtime("events:order:*").',
      );
    }
  } else {
    try {
      parseChannel(channel);
    } catch (err) {
      throw new HandlerConfigurationError(
        `@OnRealtime(${JSON.stringify(channel)}): ${(err as Error).message} Give the channel without redis.channelPrefix.`,
      );
    }
  }
  return { pattern, channel, isPattern };
}
