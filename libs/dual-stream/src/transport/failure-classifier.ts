import { KafkaPortError } from '../kafka/kafka-port.error.js';
import { HttpException } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { NonRetriableError } from '../errors/non-retriable.error.js';

/** Why a delivery failed, in the shape the dead-letter headers carry. */
export interface HandlerFailure {
  name: string;
  message: string;
  stack: string;
  retriable: boolean;
}

/** What Nest's `BaseRpcExceptionFilter` throws after a guard returned false. */
const FORBIDDEN_MESSAGE = 'Forbidden resource';

/**
 * Classifies what a handler pipeline threw for the dead-letter headers; whether to retry is `isRetriable`.
 *
 * `original` is what the handler pipeline threw (seen by the capture interceptor), `outcome` what the whole
 * pipeline, exception filters included, finally errored with.
 */
export function classifyFailure(original: unknown, outcome: unknown, handlerReached: boolean): HandlerFailure {
  const cause = original ?? outcome;
  const described = describe(cause);
  return { ...described, retriable: isRetriable(cause, handlerReached) };
}

/**
 * The one rule deciding whether trying again can help, for what a handler threw and for what Kafka answered
 * the publisher. Not retriable:
 * - `NonRetriableError` (also by name, for copies of the class from another package instance);
 * - an `HttpException` with a 4xx status: what `ValidationPipe` (`BadRequestException`), the `Parse*Pipe`s and
 *   authorization code throw, so the same record would fail again;
 * - an `RpcException`: Nest's deliberate rejection (guards that return false, `ValidationPipe` with an RPC
 *   `exceptionFactory`), also when it arrives already turned into `{ status: 'error', message }` by the
 *   default exception filter before the handler was reached (`handlerReached` false);
 * - a `KafkaPortError` of kind `refused`, or a Kafka error code the protocol marks non-retriable (a kafkajs protocol error: `type` such as
 *   `MESSAGE_TOO_LARGE`, `TOPIC_AUTHORIZATION_FAILED`, `INVALID_TOPIC_EXCEPTION`, with `retriable: false`),
 *   found anywhere on the `cause` / `originalError` chain. kafkajs' own `retriable: false` without a `type`
 *   only means "kafkajs stopped retrying" (retries exhausted, connection lost), which a later attempt may fix.
 * Everything else is retriable.
 */
export function isRetriable(error: unknown, handlerReached = true): boolean {
  if (error instanceof NonRetriableError) return false;
  if (error instanceof Error && error.name === 'NonRetriableError') return false;
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return !(status >= 400 && status < 500);
  }
  if (error instanceof RpcException) return false;
  if (!handlerReached && isFilteredRpcError(error) && error.message === FORBIDDEN_MESSAGE) return false;
  return !refusedByKafka(error);
}

/** How deep the cause chain is followed: kafkajs nests a few levels; a cycle must not loop forever. */
const MAX_CAUSE_DEPTH = 10;

function isRefusedPortError(error: unknown): boolean {
  return error instanceof KafkaPortError && error.kind === 'refused';
}

function refusedByKafka(error: unknown): boolean {
  let e = error as { retriable?: unknown; type?: unknown; cause?: unknown; originalError?: unknown } | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < MAX_CAUSE_DEPTH; depth++) {
    if (isRefusedPortError(e)) return true;
    if (typeof e.type === 'string' && e.retriable === false) return true;
    e = (e.cause ?? e.originalError) as typeof e;
  }
  return false;
}

function isFilteredRpcError(error: unknown): error is { status: string; message: unknown } {
  return (
    typeof error === 'object' &&
    error !== null &&
    !(error instanceof Error) &&
    (error as { status?: unknown }).status === 'error'
  );
}

function describe(error: unknown): Omit<HandlerFailure, 'retriable'> {
  if (error instanceof Error) {
    const message = error instanceof RpcException ? stringify(error.getError()) : error.message;
    return { name: error.name || error.constructor.name, message, stack: error.stack ?? '' };
  }
  if (isFilteredRpcError(error)) return { name: 'RpcException', message: stringify(error.message), stack: '' };
  return { name: typeof error, message: stringify(error), stack: '' };
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
