import { testNotification } from '../../../../test/support/fake-realtime.js';
import { LiveMessage, OutgoingPacket, eventMessageJson, eventPacket } from './socket-packet.js';

const note = testNotification(41);

describe('socket packets', () => {
  it('encodes a socket.io v5 EVENT packet around JSON without re-serializing it', () => {
    const json = eventMessageJson('events:o:1', JSON.stringify(note));
    expect(eventPacket('/events', 'event', json)).toBe(`2/events,["event",${json}]`);
    expect(eventPacket('/', 'event', '1')).toBe('2["event",1]');
    expect(JSON.parse(json)).toEqual({ channel: 'events:o:1', event: note });
  });

  it('frames the engine.io message once as one unmasked text frame (short and 16-bit lengths)', () => {
    for (const size of [10, 300]) {
      const packet = new OutgoingPacket(`2["event","${'x'.repeat(size)}"]`);
      const [frame, ...rest] = packet.wsFrame();
      expect(rest).toHaveLength(0);
      const payload = Buffer.from(`4${packet.packet}`);
      expect(frame[0]).toBe(0x81); // FIN + text
      const header = payload.length > 125 ? 4 : 2;
      if (header === 2) expect(frame[1]).toBe(payload.length);
      else expect([frame[1], frame.readUInt16BE(2)]).toEqual([126, payload.length]);
      expect(frame.subarray(header)).toEqual(payload);
      expect(packet.wsFrame()[0]).toBe(frame); // built once, shared by every socket
    }
  });

  it('shares one packet between subscribers of the same target and re-encodes for another', () => {
    const message = new LiveMessage(note, JSON.stringify(note));
    const a = message.eventPacket('/events', 'events:o:1');
    expect(message.eventPacket('/events', 'events:o:1')).toBe(a);
    const withPattern = message.eventPacket('/events', 'events:o:1', 'events:o:*');
    expect(withPattern).not.toBe(a);
    expect(JSON.parse(withPattern.packet.slice(withPattern.packet.indexOf('[')))[1]).toEqual({
      channel: 'events:o:1',
      pattern: 'events:o:*',
      event: note,
    });
    expect(message.offset).toBe(41n);
    expect(new LiveMessage({ ...note, offset: 'x' }, '{}').offset).toBeUndefined();
  });
});
