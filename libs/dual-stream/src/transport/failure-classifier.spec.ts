import { BadRequestException, ServiceUnavailableException } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { NonRetriableError } from '../errors/non-retriable.error.js';
import { classifyFailure } from './failure-classifier.js';

describe('classifyFailure', () => {
  const filtered = { status: 'error', message: 'Internal server error' };

  it('does not retry NonRetriableError, also when only the name matches', () => {
    expect(classifyFailure(new NonRetriableError('bad data'), filtered, true)).toMatchObject({
      name: 'NonRetriableError',
      message: 'bad data',
      retriable: false,
    });
    const lookalike = Object.assign(new Error('x'), { name: 'NonRetriableError' });
    expect(classifyFailure(lookalike, filtered, true).retriable).toBe(false);
  });

  it('does not retry 4xx HttpExceptions (ValidationPipe) nor RpcExceptions, retries 5xx', () => {
    expect(classifyFailure(new BadRequestException(['data.total must be a number']), filtered, true)).toMatchObject({
      name: 'BadRequestException',
      retriable: false,
    });
    expect(classifyFailure(new RpcException({ problems: 1 }), filtered, true)).toMatchObject({
      message: '{"problems":1}',
      retriable: false,
    });
    expect(classifyFailure(new ServiceUnavailableException(), filtered, true).retriable).toBe(true);
  });

  it('retries ordinary errors and keeps their name, message and stack', () => {
    const error = new TypeError('db down');
    expect(classifyFailure(error, filtered, true)).toEqual({
      name: 'TypeError',
      message: 'db down',
      stack: error.stack,
      retriable: true,
    });
  });

  it('treats a guard denial (handler never reached) as final, other pre-handler errors as retriable', () => {
    expect(classifyFailure(undefined, { status: 'error', message: 'Forbidden resource' }, false)).toMatchObject({
      name: 'RpcException',
      retriable: false,
    });
    expect(classifyFailure(undefined, filtered, false).retriable).toBe(true);
  });
});
