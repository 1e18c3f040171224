import type { RealtimeNotification } from '../../interfaces/dual-stream-event.interface.js';
import { LiveMessage } from '../socket-packet.js';
import { encodeSseCursor, parseSseCursor } from './sse-cursor.js';
import { SseCursorState } from './sse-cursor-state.js';
import { sseMessage } from './sse-frame.js';

const NOW = 1_800_000_000_000;
const notification = {
  id: 'e-1',
  type: 'order.created',
  source: { type: 'order', id: 'o-1' },
  time: '2026-11-30T12:00:00.000Z',
  topic: 'events.order',
  partition: 2,
  offset: '41',
} as unknown as RealtimeNotification;

describe('SseEventFrames', () => {
  const channel = 'events:order:o-1';
  const live = () => new LiveMessage(notification, JSON.stringify(notification));

  it("one-channel frame: the bytes a stream of that channel would have written itself, id = the stream's cursor", () => {
    const frames = live().sseFrames(channel);
    const cursor = encodeSseCursor([{ channel, partition: 2, offset: '41' }]);
    const expected = `id: ${cursor}\n${sseMessage('event', JSON.stringify({ channel, event: notification }))}`;
    expect(frames.singleChannelFrame.toString('utf8')).toBe(expected);
    expect(parseSseCursor(cursor, NOW)).toEqual([{ channel, partition: 2, offset: '41' }]);
  });

  it('is built once per message and channel and shared by every stream', () => {
    const message = live();
    const first = message.sseFrames(channel);
    expect(message.sseFrames(channel)).toBe(first);
    expect(first.singleChannelFrame).toBe(first.singleChannelFrame);
    expect(message.sseFrames('events:order:o-2')).not.toBe(first);
  });

  it("a several-channel stream's cursor takes the event's segment for its channel and keeps the others", () => {
    const other = { channel: 'events:user:u-1', since: NOW - 1000 };
    const state = new SseCursorState([{ channel, since: NOW - 1000 }, other]);
    expect(state.single).toBe(false);
    state.advance(channel, live().sseFrames(channel).cursorSegment);
    expect(parseSseCursor(state.toString(), NOW)).toEqual([{ channel, partition: 2, offset: '41' }, other]);
  });
});
