import { BadRequestException, ServiceUnavailableException } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { NonRetriableError } from '../errors/non-retriable.error.js';
import { classifyFailure, isRetriable } from './failure-classifier.js';

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

  it('treats a Kafka error code marked non-retriable as final, anywhere on the cause chain', () => {
    // The shapes of kafkajs' KafkaJSProtocolError and KafkaJSNumberOfRetriesExceeded (no kafkajs import needed).
    const tooLarge = Object.assign(new Error('message too large'), { type: 'MESSAGE_TOO_LARGE', retriable: false });
    const wrapped = Object.assign(new Error('gave up'), { retriable: false, originalError: tooLarge });
    expect(isRetriable(tooLarge)).toBe(false);
    expect(isRetriable(wrapped)).toBe(false);
    expect(isRetriable(new Error('publish failed', { cause: wrapped }))).toBe(false);
    expect(classifyFailure(wrapped, filtered, true).retriable).toBe(false);
  });

  it('retries what Kafka may accept later: retriable codes, exhausted retries, lost connections', () => {
    const notLeader = Object.assign(new Error('not leader'), { type: 'NOT_LEADER_FOR_PARTITION', retriable: true });
    const exhausted = Object.assign(new Error('retries exhausted'), { retriable: false, originalError: notLeader });
    const closed = Object.assign(new Error('Connection error: connect ECONNREFUSED'), { retriable: true });
    for (const error of [notLeader, exhausted, closed, new Error('timeout')]) expect(isRetriable(error)).toBe(true);
    const cyclic: { cause?: unknown } & Error = new Error('cycle');
    cyclic.cause = cyclic;
    expect(isRetriable(cyclic)).toBe(true);
  });
});
