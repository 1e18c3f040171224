import net from 'node:net';

/** A TCP proxy in front of a local port that a test can cut (a network outage) and restore. */
export interface TcpProxy {
  port: number;
  /** `http://127.0.0.1:{port}`. */
  url: string;
  /** Resets every open connection and every new one until `restore()`: what a client sees when the network drops. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, host = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let up = true;
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A reset peer is what the outage is for: nothing to report.
    socket.on('error', () => socket.destroy());
  };
  const server = net.createServer((client) => {
    track(client);
    if (!up) {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(targetPort, host);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    url: `http://${host}:${port}`,
    cut() {
      up = false;
      for (const socket of sockets) socket.resetAndDestroy();
    },
    restore() {
      up = true;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A round-robin TCP load balancer in front of several local ports (gateway instances behind one address). */
export interface TcpBalancer {
  port: number;
  /** `http://127.0.0.1:{port}`. */
  url: string;
  /** Upstream port of every connection accepted so far, in order. */
  readonly assigned: number[];
  close(): Promise<void>;
}

/**
 * Each new connection goes to the next port in turn; a port that refuses the connection (its instance is dead)
 * is skipped, as a load balancer's failed health check would, so a client that reconnects lands on a live one.
 */
export async function startTcpBalancer(
  targetPorts: number[],
  listenPort = 0,
  host = '127.0.0.1',
): Promise<TcpBalancer> {
  const sockets = new Set<net.Socket>();
  const assigned: number[] = [];
  let next = 0;
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const connectUpstream = (client: net.Socket, tried: number) => {
    if (tried === targetPorts.length) {
      client.resetAndDestroy();
      return;
    }
    const port = targetPorts[next++ % targetPorts.length];
    const upstream = net.connect(port, host);
    upstream.once('error', () => {
      if (!upstream.readyState.includes('open')) connectUpstream(client, tried + 1);
    });
    upstream.once('connect', () => {
      assigned.push(port);
      track(upstream);
      client.pipe(upstream).pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
      client.resume();
    });
  };
  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    track(client);
    connectUpstream(client, 0);
  });
  await new Promise<void>((resolve) => server.listen(listenPort, host, resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    url: `http://${host}:${port}`,
    assigned,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
