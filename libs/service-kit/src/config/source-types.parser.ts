import { channelFor, parseChannel } from '@dual-stream/nestjs';
import { ConfigurationError } from '../errors/configuration.error.js';
import { listFromEnv } from './env-values.js';

/** What the demo services accept, project and subscribe to when `SOURCE_TYPES` is unset. */
export const DEFAULT_SOURCE_TYPES = 'order,user,sensor';

/**
 * `SOURCE_TYPES`, comma-separated: the one list of source types the ingester accepts (others get a 400 naming
 * these), the consumer projects (one topic each) and the demo publishes. Each entry must be a valid
 * `source.type` (docs/protocol.md "Event envelope"). `CONSUMER_SOURCE_TYPES`, its former consumer-only name,
 * is refused with a message rather than silently ignored.
 */
export function readSourceTypes(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.CONSUMER_SOURCE_TYPES !== undefined) {
    throw new ConfigurationError(
      'CONSUMER_SOURCE_TYPES',
      'CONSUMER_SOURCE_TYPES was renamed to SOURCE_TYPES, which the ingester, consumer and demo share: rename it.',
    );
  }
  const types = listFromEnv('SOURCE_TYPES', env, DEFAULT_SOURCE_TYPES);
  for (const type of types) {
    if (!isSourceType(type)) {
      throw new ConfigurationError(
        'SOURCE_TYPES',
        `SOURCE_TYPES entry "${type.slice(0, 80)}" is not a valid source.type (^[a-z0-9][a-z0-9_-]{0,63}$).`,
      );
    }
  }
  if (types.length === 0) {
    throw new ConfigurationError(
      'SOURCE_TYPES',
      `SOURCE_TYPES is empty: list the source types, e.g. ${DEFAULT_SOURCE_TYPES}.`,
    );
  }
  return [...new Set(types)];
}

/** The library's `source.type` rule, asked through its channel parser (the rule itself is not exported). */
export function isSourceType(type: string): boolean {
  try {
    return parseChannel(channelFor('', { type, id: 'x' })).type === type;
  } catch {
    return false;
  }
}
