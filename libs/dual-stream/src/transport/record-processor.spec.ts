import { jest } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import type { KafkaRecord } from '../kafka/kafka-port.interface.js';
import type { DeadLetterSource } from './dead-letter.js';
import { DeadLetterWriter, type DeadLetterInfo } from './dead-letter.writer.js';
import type { InvokeHandler, Outcome } from './delivery.interface.js';
import { DurableContext } from './durable.context.js';
import type { HandlerFailure } from './failure-classifier.js';
import { HandlerAttempts } from './handler-attempts.js';
import type { DurableRoute } from './handler-registry.js';
import { RecordProcessor } from './record-processor.js';

const route = {
  pattern: 'durable:events.order',
  topic: 'events.order',
  groupId: 'billing',
  deadLetterTopic: 'events.order.dlq',
  retry: { attempts: 3, backoffMs: 1000, maxBackoffMs: 1500 },
} as DurableRoute;
const at = { topic: 'events.order', partition: 2 };
const envelope = { id: 'e-1', type: 'order.created', source: { type: 'order', id: 'o-1' }, time: 't', data: { n: 1 } };

const record = (value: Buffer | null = Buffer.from(JSON.stringify(envelope))): KafkaRecord =>
  ({
    offset: '41',
    key: Buffer.from('order:o-1'),
    value,
    timestamp: '1700000000000',
    attributes: 0,
    headers: { ce_id: Buffer.from('e-1'), traceparent: [Buffer.from('t-old'), Buffer.from('t-1')] },
  }) as KafkaRecord;

const failure = (retriable: boolean): HandlerFailure => ({ name: 'Error', message: 'nope', stack: 'at x', retriable });

/** The Nest handler at the boundary: answers each attempt from `script` (undefined = success). */
function handlerScript(...script: (HandlerFailure | undefined)[]) {
  const calls: { payload: unknown; ctx: DurableContext }[] = [];
  const invoke: InvokeHandler = async (pattern, payload, ctx) => {
    expect(pattern).toBe(route.pattern);
    calls.push({ payload, ctx: ctx as DurableContext });
    return script.length > 1 ? script.shift() : script[0];
  };
  return { invoke, calls };
}

function processorWith(invoke: InvokeHandler, send: (topic: string, source: DeadLetterSource) => Promise<void>) {
  const stop = new AbortController();
  const logger: LoggerService & { warn: jest.Mock } = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const deadLettered: DeadLetterInfo[] = [];
  const writer = new DeadLetterWriter({ send }, (info) => deadLettered.push(info), stop.signal, logger);
  const processor = new RecordProcessor(
    new HandlerAttempts(invoke, stop.signal, logger),
    writer,
    async () => undefined,
  );
  const process = (message = record()): Promise<Outcome> => processor.process(route, at, message);
  return { process, stop, logger, deadLettered };
}

/** Kafka's side of the dead-letter producer: what was sent where. */
function deadLetterTopic() {
  const sent: { topic: string; source: DeadLetterSource }[] = [];
  const send = async (topic: string, source: DeadLetterSource) => void sent.push({ topic, source });
  return { sent, send };
}

describe('RecordProcessor', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    // Full jitter picks the middle of each backoff window.
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('hands the parsed envelope and the record position to the handler', async () => {
    const handler = handlerScript(undefined);
    const kafka = deadLetterTopic();
    await expect(processorWith(handler.invoke, kafka.send).process()).resolves.toBe('done');
    expect(handler.calls).toHaveLength(1);
    const [{ payload, ctx }] = handler.calls;
    expect(payload).toEqual({ ...envelope, headers: {} });
    expect(ctx).toBeInstanceOf(DurableContext);
    expect([ctx.getTopic(), ctx.getPartition(), ctx.getOffset(), ctx.getKey()]).toEqual([
      'events.order',
      2,
      '41',
      'order:o-1',
    ]);
    expect([ctx.getGroupId(), ctx.getAttempt(), ctx.getTimestamp()]).toEqual(['billing', 1, '1700000000000']);
    // Multi-valued headers keep the last value.
    expect(ctx.getHeaders()).toEqual({ ce_id: 'e-1', traceparent: 't-1' });
    expect(kafka.sent).toEqual([]);
  });

  it('retries a retriable failure after an exponential backoff with full jitter', async () => {
    const handler = handlerScript(failure(true), failure(true), undefined);
    const { process, logger } = processorWith(handler.invoke, deadLetterTopic().send);
    const outcome = process();
    await jest.advanceTimersByTimeAsync(0);
    expect(handler.calls).toHaveLength(1);
    // Attempt 1 failed: random(0, min(1500, 1000 * 2^0)) = 500 ms.
    await jest.advanceTimersByTimeAsync(499);
    expect(handler.calls).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(handler.calls).toHaveLength(2);
    // Attempt 2 failed: random(0, min(1500, 1000 * 2^1)) = 750 ms.
    await jest.advanceTimersByTimeAsync(749);
    expect(handler.calls).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    await expect(outcome).resolves.toBe('done');
    expect(handler.calls.map((c) => c.ctx.getAttempt())).toEqual([1, 2, 3]);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('attempt 1/3 failed (Error: nope); retrying in 500 ms'),
    );
  });

  it('dead-letters after the last attempt, then reports the record done', async () => {
    const handler = handlerScript(failure(true));
    const kafka = deadLetterTopic();
    const { process, deadLettered } = processorWith(handler.invoke, kafka.send);
    const outcome = process();
    await jest.advanceTimersByTimeAsync(10_000);
    await expect(outcome).resolves.toBe('done');
    expect(handler.calls).toHaveLength(3);
    expect(kafka.sent).toEqual([
      {
        topic: 'events.order.dlq',
        source: expect.objectContaining({
          topic: 'events.order',
          partition: 2,
          groupId: 'billing',
          attempts: 3,
          failure: failure(true),
        }),
      },
    ]);
    expect(deadLettered).toEqual([
      {
        groupId: 'billing',
        topic: 'events.order',
        partition: 2,
        offset: '41',
        deadLetterTopic: 'events.order.dlq',
        attempts: 3,
        error: 'Error: nope',
      },
    ]);
  });

  it('dead-letters a non-retriable failure at once', async () => {
    const handler = handlerScript(failure(false));
    const kafka = deadLetterTopic();
    await expect(processorWith(handler.invoke, kafka.send).process()).resolves.toBe('done');
    expect(handler.calls).toHaveLength(1);
    expect(kafka.sent.map((s) => s.source.attempts)).toEqual([1]);
  });

  it.each([
    ['not JSON', Buffer.from('{oops')],
    ['not an envelope', Buffer.from('{"id":"e-1"}')],
    ['a tombstone', null],
  ])('dead-letters a record whose value is %s without calling the handler', async (_label, value) => {
    const handler = handlerScript(undefined);
    const kafka = deadLetterTopic();
    await expect(processorWith(handler.invoke, kafka.send).process(record(value))).resolves.toBe('done');
    expect(handler.calls).toEqual([]);
    expect(kafka.sent).toHaveLength(1);
    expect(kafka.sent[0].source).toMatchObject({ attempts: 0, failure: { name: 'UnparseableRecordError' } });
  });

  it('keeps offering the dead letter until Kafka takes it', async () => {
    const handler = handlerScript(failure(false));
    const kafka = deadLetterTopic();
    let refusals = 2;
    const send = async (topic: string, source: DeadLetterSource) => {
      if (refusals-- > 0) throw new Error('broker down');
      await kafka.send(topic, source);
    };
    const outcome = processorWith(handler.invoke, send).process();
    await jest.advanceTimersByTimeAsync(30_000);
    await expect(outcome).resolves.toBe('done');
    expect(kafka.sent).toHaveLength(1);
  });

  it('abandons the record when shutdown interrupts a backoff or a dead-letter retry', async () => {
    const retrying = processorWith(handlerScript(failure(true)).invoke, deadLetterTopic().send);
    const backingOff = retrying.process();
    await jest.advanceTimersByTimeAsync(0);
    retrying.stop.abort();
    await expect(backingOff).resolves.toBe('abandoned');

    const refused = processorWith(handlerScript(failure(false)).invoke, () => Promise.reject(new Error('down')));
    const resending = refused.process();
    await jest.advanceTimersByTimeAsync(0);
    refused.stop.abort();
    await expect(resending).resolves.toBe('abandoned');
    expect(refused.deadLettered).toEqual([]);
  });
});
