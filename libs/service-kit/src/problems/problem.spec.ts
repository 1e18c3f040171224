import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BadRequestException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { toProblem } from './problem-exception.filter.js';
import { problem, ProblemException } from './problem.js';
import { PROBLEM_TYPES, problemTypeUri, type ProblemCode } from './problem-types.js';

describe('problem bodies', () => {
  it('are RFC 9457 with the protocol-v1 members', () => {
    expect(problem('forbidden', 'no')).toEqual({
      type: 'urn:dual-stream:problem:forbidden',
      title: 'Forbidden',
      status: 403,
      detail: 'no',
      error: 'forbidden',
      statusCode: 403,
      message: 'no',
      problems: [{ path: '', message: 'no' }],
    });
    const body = problem('unknown_source_type', 'x', [{ path: 'source.type', message: 'm' }], {
      allowed: ['a'],
      status: 1,
    });
    expect(body).toMatchObject({ status: 400, allowed: ['a'], problems: [{ path: 'source.type', message: 'm' }] });
  });

  it('map thrown errors without leaking server-side text', () => {
    const own = problem('kafka_unavailable', 'later');
    expect(toProblem(new ProblemException(own, { 'Retry-After': '2' }))).toEqual({
      body: own,
      headers: { 'Retry-After': '2' },
      serverSide: true,
    });
    expect(toProblem(new NotFoundException('Cannot GET /nope')).body).toMatchObject({
      status: 404,
      error: 'not_found',
      detail: 'Cannot GET /nope',
    });
    expect(toProblem(new BadRequestException(['a', 'b'])).body).toMatchObject({ error: 'bad_request', detail: 'a; b' });
    const unavailable = toProblem(new ServiceUnavailableException('connect ECONNREFUSED 10.0.0.7:9092'));
    expect(JSON.stringify(unavailable.body)).not.toContain('10.0.0.7');
    const crash = toProblem(new Error('password=hunter2 at 10.0.0.7'));
    expect(crash.body).toMatchObject({ status: 500, error: 'internal_error' });
    expect(JSON.stringify(crash.body)).not.toMatch(/hunter2|10\.0\.0\.7/);
  });

  it('every type is listed in docs/operations.md', () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../../../docs/operations.md'), 'utf8');
    const missing = (Object.keys(PROBLEM_TYPES) as ProblemCode[]).filter(
      (code) => !doc.includes(`\`${problemTypeUri(code)}\``),
    );
    expect(missing).toEqual([]);
  });
});
