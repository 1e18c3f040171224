import { readFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import WebSocket from 'ws';
import { OutgoingPacket, eventPacket } from './socket-packet.js';

/**
 * `hub-connection.ts` and `socket-packet.ts` reach below socket.io's public API: they read engine.io's
 * `conn.writeBuffer`, `conn.transport.name` and `conn.transport.socket.terminate()`, listen to `conn`'s
 * `drain`, hand `conn.write()` a `wsPreEncodedFrame`, and build that frame with `ws`' `Sender.frame`. It pays
 * (one encoding and one framing per message for every subscriber, see docs/benchmarks.md), but only as long
 * as those internals keep their shape: this spec fails with a message naming what changed.
 */
const PINNED = ['socket.io', 'engine.io', 'ws'] as const;
const MOVED = 'socket.io/engine.io internals changed shape; hub-connection.ts and socket-packet.ts rely on';

function versions(): Record<string, { pinned: string; installed: string }> {
  const root = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
  return Object.fromEntries(
    PINNED.map((name) => {
      const installed = (JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')) as { version: string })
        .version;
      return [name, { pinned: root.dependencies[name], installed }];
    }),
  );
}

describe('socket.io internals the hub writes through', () => {
  let http: HttpServer;
  let io: Server;
  let client: WebSocket;
  let socket: Socket;
  const received: string[] = [];

  beforeAll(async () => {
    http = createServer();
    io = new Server(http);
    const connected = new Promise<Socket>((resolve) => io.of('/events').on('connection', resolve));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    client = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
    client.on('message', (data) => {
      const text = String(data);
      if (text === '2') client.send('3');
      received.push(text);
    });
    await new Promise((resolve) => client.once('message', resolve));
    client.send('40/events,');
    socket = await connected;
  });

  afterAll(async () => {
    client?.terminate();
    await io?.close();
  });

  it('runs the exact socket.io / engine.io / ws versions pinned in package.json', () => {
    for (const [name, { pinned, installed }] of Object.entries(versions())) {
      if (pinned !== installed) {
        throw new Error(
          `${name} is ${installed} but package.json pins ${pinned} (exact): ${MOVED} them. Check this spec's ` +
            'shape checks against the new version, then pin it exactly.',
        );
      }
    }
  });

  it('exposes writeBuffer, transport name, drain, terminate and ws Sender.frame', async () => {
    const conn = socket.conn as unknown as {
      writeBuffer?: unknown;
      transport?: { name?: string; socket?: { terminate?: unknown } };
    };
    const problems = [
      Array.isArray(conn.writeBuffer) ? '' : 'conn.writeBuffer is not an array',
      conn.transport?.name === 'websocket' ? '' : `conn.transport.name is ${conn.transport?.name}, not "websocket"`,
      typeof conn.transport?.socket?.terminate === 'function' ? '' : 'conn.transport.socket.terminate() is missing',
      typeof (WebSocket as unknown as { Sender?: { frame?: unknown } }).Sender?.frame === 'function'
        ? ''
        : "ws' Sender.frame() is missing",
    ].filter(Boolean);
    if (problems.length > 0) throw new Error(`${MOVED} ${problems.join('; ')}`);
    const drained = new Promise<void>((resolve) => socket.conn.once('drain', () => resolve()));
    socket.conn.write(eventPacket('/events', 'probe', '1'));
    await drained;
  });

  it('writes a pre-encoded frame as is (the frame, not the packet, reaches the client)', async () => {
    const packet = new OutgoingPacket(eventPacket('/events', 'event', '"from-the-frame"'));
    const wsPreEncodedFrame = packet.wsFrame();
    // A different packet text: if engine.io encoded `packet` itself instead of writing the frame, the client
    // would see "from-the-packet".
    const options = { wsPreEncodedFrame } as unknown as { compress?: boolean };
    socket.conn.write(eventPacket('/events', 'event', '"from-the-packet"'), options);
    for (let i = 0; i < 200 && !received.some((m) => m.includes('from-the')); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const got = received.filter((m) => m.includes('from-the'));
    if (got.length !== 1 || !got[0].includes('from-the-frame')) {
      throw new Error(
        `${MOVED} conn.write(packet, { wsPreEncodedFrame }) sending the frame as is; the client got ${JSON.stringify(got)}`,
      );
    }
    expect(got).toEqual([`4${packet.packet}`]);
  });
});
