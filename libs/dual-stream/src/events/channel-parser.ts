import { CHANNEL_NAMESPACE } from '../constants.js';
import { InvalidChannelError } from '../errors/invalid-channel.error.js';
import type { EventSource } from '../interfaces/dual-stream-event.interface.js';
import { sourceProblem } from './event-rules.js';

/**
 * Parses a channel name *without* the prefix (`events:{type}:{id}`) into its source. Throws
 * `InvalidChannelError` for anything that could not have been produced by `channelFor`.
 */
export function parseChannel(channel: unknown): EventSource {
  if (typeof channel !== 'string') throw InvalidChannelError.notAString(channel, 'channel');
  if (channel.length > CHANNEL_NAMESPACE.length + 2 + 64 + 256) throw new InvalidChannelError(channel, 'too long');
  const head = `${CHANNEL_NAMESPACE}:`;
  if (!channel.startsWith(head)) throw new InvalidChannelError(channel, `must start with "${head}"`);
  const rest = channel.slice(head.length);
  const colon = rest.indexOf(':');
  if (colon < 0) throw new InvalidChannelError(channel, 'must be events:{source.type}:{source.id}');
  const source = { type: rest.slice(0, colon), id: rest.slice(colon + 1) };
  const problem = sourceProblem(source);
  if (problem) throw new InvalidChannelError(channel, problem);
  return source;
}
