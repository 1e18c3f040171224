import { Inject, Injectable } from '@nestjs/common';
import { DUAL_STREAM_RESOLVED_OPTIONS } from '../constants.js';
import { resolveDualStreamOptions, type ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import type { DualStreamModuleOptions } from '../interfaces/dual-stream-options.interface.js';
import { ensureResolvedTopics, type DualStreamTopicSpec } from './ensure-topics.js';

/**
 * The explicit topic-creation step of a Nest app (topic auto-creation is off in the library): call `ensure`
 * before the app publishes to or consumes a topic, e.g. in `main.ts` before `app.listen()`.
 *
 * @example await app.get(DualStreamTopics).ensure(['events.order', 'events.order.dlq']);
 */
@Injectable()
export class DualStreamTopics {
  constructor(@Inject(DUAL_STREAM_RESOLVED_OPTIONS) private readonly options: ResolvedDualStreamOptions) {}

  /**
   * Creates the topics that do not exist yet with `kafka.topics` (a spec may override them per topic), waits for
   * their leaders and resolves with the names it created. Existing topics are never altered.
   * @param topics topic names or specs. @default no default (required)
   */
  ensure(topics: readonly (string | DualStreamTopicSpec)[]): Promise<string[]> {
    return ensureResolvedTopics(this.options, topics);
  }
}

/**
 * `DualStreamTopics.ensure` without a Nest container: for `main.ts` before the app is created, scripts and tests.
 * Takes the same options as `DualStreamModule.forRoot` (only `kafka` is used).
 *
 * @example await ensureTopics({ kafka: { brokers: ['127.0.0.1:9092'] } }, ['events.order']);
 */
export function ensureTopics(
  options: Pick<DualStreamModuleOptions, 'kafka' | 'logger'>,
  topics: readonly (string | DualStreamTopicSpec)[],
): Promise<string[]> {
  return ensureResolvedTopics(resolveDualStreamOptions({ logger: false, ...options }), topics);
}
