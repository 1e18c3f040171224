import autocannon from 'autocannon';

export interface LoadResult {
  /** Requests answered 2xx (accepted: durable in Kafka). */
  accepted: number;
  rejected: number;
  errors: number;
  durationS: number;
  p50Ms: number;
  p99Ms: number;
}

export interface LoadOptions {
  url: string;
  path: '/events' | '/events/batch';
  connections: number;
  durationS: number;
  /** Request bodies, sent round-robin (different sources, so every partition gets records). */
  bodies: string[];
  apiKey: string;
}

/** One autocannon run (programmatic API), what a user's load tool does: POSTs as fast as the ingester answers. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let next = 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationS,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: options.path,
        headers: { 'content-type': 'application/json', 'x-api-key': options.apiKey },
        setupRequest: (request) => ({ ...request, body: options.bodies[next++ % options.bodies.length] }),
      },
    ],
  });
  return {
    accepted: result['2xx'],
    rejected: result.non2xx,
    errors: result.errors + result.timeouts,
    durationS: result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

/** The source types the load publishes (the stack under test accepts these). */
export const SOURCE_TYPES = ['order', 'user', 'sensor'];

/** An event as the demo's load generator posts it, from one of 3,000 sources over the default source types. */
function eventJson(n: number): string {
  const type = SOURCE_TYPES[n % SOURCE_TYPES.length];
  return JSON.stringify({
    type: `${type}.updated`,
    source: { type, id: `${type}-${Math.floor(n / SOURCE_TYPES.length) % 1000}` },
    data: { n, amount: (n * 7) % 100, note: 'services benchmark' },
  });
}

/** Single-event bodies for `POST /events`. */
export function singleBodies(count = 3_000): string[] {
  return Array.from({ length: count }, (_, n) => eventJson(n));
}

/** Array bodies of `size` events for `POST /events/batch`. */
export function batchBodies(size: number, count = 60): string[] {
  return Array.from(
    { length: count },
    (_, b) => `[${Array.from({ length: size }, (_, i) => eventJson(b * size + i)).join(',')}]`,
  );
}
