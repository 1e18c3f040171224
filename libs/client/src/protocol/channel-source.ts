import { InvalidChannelError } from '../errors/invalid-channel.error.js';
import type { EventSource } from './channel-event.js';

// `events:{source.type}:{source.id}`: the type never holds a colon, so everything after the second one is the id.
const CHANNEL = /^events:([a-z0-9][a-z0-9_-]{0,63}):(.{1,256})$/su;

/** The source a channel names; throws `InvalidChannelError` for anything else (patterns included). */
export function sourceOfChannel(channel: string): EventSource {
  const match = typeof channel === 'string' ? CHANNEL.exec(channel) : null;
  if (!match || match[2]!.includes('*')) throw new InvalidChannelError(String(channel));
  return { type: match[1]!, id: match[2]! };
}
