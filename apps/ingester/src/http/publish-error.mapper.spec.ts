import { BadRequestException } from '@nestjs/common';
import { BackpressureError, DurablePublishError, InvalidEventError, PublisherClosedError } from '@dual-stream/nestjs';
import { bodyParserProblem, isJsonContentType } from './ingest-http.js';
import { problem, ProblemException } from '@app/service-kit';
import { mapPublishError } from './publish-error.mapper.js';

describe('mapPublishError', () => {
  it('maps an invalid event to 400 with every problem', () => {
    const problems = [
      { index: 2, path: 'source.id', message: 'bad' },
      { path: 'type', message: 'bad too' },
    ];
    const mapped = mapPublishError(new InvalidEventError(problems), 2);
    expect(mapped.body).toMatchObject({
      type: 'urn:dual-stream:problem:invalid-event',
      status: 400,
      statusCode: 400,
      error: 'invalid_event',
      problems,
    });
    expect(mapped.headers).toEqual({});
    expect(mapped.serverSide).toBe(false);
  });

  it.each([
    [new BackpressureError(1000, 10, 100), 'backpressure'],
    [new DurablePublishError('Connection error: connect ECONNREFUSED 10.1.2.3:9092', true), 'kafka_unavailable'],
    [new PublisherClosedError(), 'shutting_down'],
  ])('maps %p to 503 + Retry-After', (err, code) => {
    const mapped = mapPublishError(err, 7);
    expect(mapped.body).toMatchObject({
      status: 503,
      error: code,
      type: `urn:dual-stream:problem:${code.replace('_', '-')}`,
    });
    expect(mapped.body.problems[0]!.message).toEqual(expect.any(String));
    // The error's own text (broker addresses) stays in the log.
    expect(JSON.stringify(mapped.body)).not.toMatch(/ECONNREFUSED|10\.1\.2\.3|9092/);
    expect(mapped.headers).toEqual({ 'Retry-After': '7' });
    expect(mapped.serverSide).toBe(true);
  });

  it('maps a non-retriable DurablePublishError to 500 kafka_refused without Retry-After', () => {
    const cause = Object.assign(new Error('The request included a message larger than the max message size'), {
      type: 'MESSAGE_TOO_LARGE',
      retriable: false,
    });
    for (const err of [
      new DurablePublishError('Kafka refused 1 event(s) at 10.1.2.3:9092', false, { cause }),
      // Another copy of the library: recognised by name, its own retriable flag still decides.
      Object.assign(new Error('Kafka refused it at 10.1.2.3:9092'), { name: 'DurablePublishError', retriable: false }),
    ]) {
      const mapped = mapPublishError(err, 7);
      expect(mapped.body).toMatchObject({
        status: 500,
        error: 'kafka_refused',
        type: 'urn:dual-stream:problem:kafka-refused',
      });
      expect(mapped.headers).toEqual({});
      expect(mapped.serverSide).toBe(true);
      expect(JSON.stringify(mapped.body)).not.toMatch(/MESSAGE_TOO_LARGE|10\.1\.2\.3|9092/);
    }
  });

  it('keeps problem bodies of HttpExceptions and turns other ones into problems', () => {
    const own = problem('invalid_batch', 'the batch is empty');
    expect(mapPublishError(new ProblemException(own), 2).body).toEqual(own);
    expect(mapPublishError(new BadRequestException(own), 2).body).toEqual(own);
    expect(mapPublishError(new BadRequestException('nope'), 2).body).toMatchObject({
      status: 400,
      error: 'bad_request',
      detail: 'nope',
      problems: [{ path: '', message: 'nope' }],
    });
  });

  it('never leaks an unexpected error message', () => {
    const mapped = mapPublishError(new Error('password=hunter2'), 2);
    expect(mapped.body).toMatchObject({ status: 500, error: 'internal_error' });
    expect(JSON.stringify(mapped.body)).not.toContain('hunter2');
  });
});

describe('ingest HTTP helpers', () => {
  it('accepts JSON content types only', () => {
    for (const ok of [
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON',
      'application/cloudevents+json',
    ]) {
      expect(isJsonContentType(ok)).toBe(true);
    }
    for (const bad of [
      undefined,
      '',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/jsonp',
      'multipart/form-data',
    ]) {
      expect(isJsonContentType(bad)).toBe(false);
    }
  });

  it('translates body-parser errors', () => {
    expect(bodyParserProblem({ type: 'entity.too.large', status: 413, limit: 10, length: 20 })).toMatchObject({
      status: 413,
      error: 'payload_too_large',
    });
    expect(bodyParserProblem({ type: 'entity.parse.failed', status: 400, message: 'Unexpected token' })).toMatchObject({
      status: 400,
      error: 'invalid_json',
    });
    expect(
      bodyParserProblem({ type: 'charset.unsupported', status: 415, message: 'unsupported charset "LATIN1"' }),
    ).toMatchObject({ status: 415 });
  });
});
