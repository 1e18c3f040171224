// The services benchmark's anchor: what Node's own HTTP server costs for the ingester's single-event request on
// this machine, with nothing behind it. It reads the body with the same size limit, parses it and answers 202
// with a receipt of the same shape in one write — no Kafka, no Redis, no validation — so the ingester's CPU per
// request minus this row is what publishing costs, and no ingester can go below it.
import { createServer } from 'node:http';

const LIMIT_BYTES = 1_048_576;
let offset = 0;

const server = createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(req.url === '/health/ready' ? 200 : 404).end();
    return;
  }
  const chunks: Buffer[] = [];
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes <= LIMIT_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    let body: { source?: { type?: string } };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
    } catch {
      res.writeHead(400).end();
      return;
    }
    const json = JSON.stringify({
      id: `floor-${offset}`,
      topic: `events.${body.source?.type ?? 'unknown'}`,
      partition: offset % 3,
      offset: String(offset++),
      realtime: 'skipped',
    });
    res.writeHead(202, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(json),
    });
    res.end(json);
  });
});

server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
