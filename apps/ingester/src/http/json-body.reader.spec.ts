import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { isPlainJsonBody, readJsonBody, type BodyReadError } from './json-body.reader.js';
import { ingestRouteOf } from './ingest-http.js';

const request = (body: string, headers: Record<string, string> = {}) =>
  Object.assign(Readable.from([Buffer.from(body)]), {
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
  }) as unknown as IncomingMessage;

const read = (body: string) =>
  new Promise<{ err?: BodyReadError; body?: unknown }>((resolve) =>
    readJsonBody(request(body), (err, parsed) => resolve({ err, body: parsed })),
  );

describe('readJsonBody (body-parser json, strict)', () => {
  it('parses objects and arrays, skips a BOM, reads an empty body as {}', async () => {
    expect((await read('{"a":1}')).body).toEqual({ a: 1 });
    expect((await read(' \n[1,2]')).body).toEqual([1, 2]);
    expect((await read('\ufeff{"b":"é"}')).body).toEqual({ b: 'é' });
    expect((await read('')).body).toEqual({});
  });

  it.each(['null', '42', '"text"', '   ', '{"a":', '[{]'])('refuses %j as invalid JSON', async (body) => {
    const { err } = await read(body);
    expect(err).toMatchObject({ type: 'entity.parse.failed', status: 400, message: expect.any(String) });
  });
});

describe('isPlainJsonBody: what body-parser is left to read', () => {
  const plain = (headers: Record<string, string>, limit = 100) => isPlainJsonBody(request('{}', headers), limit);

  it('takes UTF-8 (or no charset) with a Content-Length within the limit', () => {
    expect(plain({})).toBe(true);
    expect(plain({ 'content-type': 'application/json; charset=UTF-8' })).toBe(true);
    expect(plain({ 'content-type': 'application/json;charset="utf8"' })).toBe(true);
    expect(plain({ 'content-encoding': 'identity' })).toBe(true);
  });

  it('leaves compressed, chunked, other charsets and bodies over the limit to body-parser', () => {
    expect(plain({ 'content-encoding': 'gzip' })).toBe(false);
    expect(plain({ 'content-length': '' })).toBe(false);
    expect(plain({ 'content-length': '101' })).toBe(false);
    expect(plain({ 'content-length': '1e2' })).toBe(false);
    expect(plain({ 'content-type': 'application/json; charset=latin1' })).toBe(false);
    expect(plain({ 'content-type': 'application/json; charset=utf-16le' })).toBe(false);
  });
});

describe('ingestRouteOf: the spellings a controller route would match', () => {
  it.each([
    ['/events', '/events'],
    ['/EVENTS', '/events'],
    ['/Events/', '/events'],
    ['/events?x=1', '/events'],
    ['/events/batch', '/events/batch'],
    ['/Events/Batch/', '/events/batch'],
    ['http://host:3000/events/batch?y', '/events/batch'],
  ])('POST %s is %s', (url, route) => {
    expect(ingestRouteOf({ method: 'POST', url })).toBe(route);
  });

  it.each(['/events//', '/event', '/events/batch/x', '/%65vents', '/', 'not a url', '/events-x'])(
    'POST %s is none (the adapter answers it)',
    (url) => {
      expect(ingestRouteOf({ method: 'POST', url })).toBeUndefined();
    },
  );

  it('only POST', () => {
    expect(ingestRouteOf({ method: 'GET', url: '/events' })).toBeUndefined();
    expect(ingestRouteOf({ method: 'PUT', url: '/events/batch' })).toBeUndefined();
  });
});
