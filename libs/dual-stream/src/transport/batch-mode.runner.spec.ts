import { jest } from '@jest/globals';
import type { BatchControls, FetchedBatch, KafkaRecord } from '../kafka/kafka-port.interface.js';
import { BatchModeRunner } from './batch-mode.runner.js';
import type { DeadLetterSource } from './dead-letter.js';
import { DeadLetterWriter } from './dead-letter.writer.js';
import type { InvokeHandler } from './delivery.interface.js';
import { DurableBatchContext } from './durable.context.js';
import { HandlerAttempts } from './handler-attempts.js';
import type { DurableRoute } from './handler-registry.js';

const route = {
  pattern: 'durable:events.user',
  groupId: 'audit',
  deadLetterTopic: 'events.user.dlq',
  retry: { attempts: 2, backoffMs: 100, maxBackoffMs: 100 },
  batch: true,
  maxBatchSize: 2,
} as DurableRoute;

/** Records from offset 10 on; `'bad'` makes a value that is no envelope. */
const fetched = (...ns: (number | 'bad')[]): KafkaRecord[] =>
  ns.map((n, i) => {
    const value =
      n === 'bad'
        ? '{'
        : JSON.stringify({ id: `e${n}`, type: 'user.seen', source: { type: 'user', id: 'u' }, time: 't', data: n });
    return {
      offset: String(10 + i),
      key: null,
      value: Buffer.from(value),
      timestamp: '0',
    } satisfies KafkaRecord;
  });

/** One fetch as the consumer port hands it over; `staleAfter` resolved offsets it reports the batch stale. */
function fetch(records: KafkaRecord[], staleAfter = Infinity) {
  const resolved: string[] = [];
  const batch: FetchedBatch = { topic: 'events.user', partition: 1, fetchedOffset: '10', records };
  const controls: BatchControls = {
    resolveOffset: (offset: string) => void resolved.push(offset),
    isStale: () => resolved.length >= staleAfter,
  };
  return { payload: [batch, controls] as const, resolved };
}

function runnerWith(invoke: InvokeHandler) {
  const stop = new AbortController();
  const logger = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const commits: string[] = [];
  const deadLetters: DeadLetterSource[] = [];
  const writer = new DeadLetterWriter(
    { send: async (_topic, source) => void deadLetters.push(source) },
    () => undefined,
    stop.signal,
    logger,
  );
  const runner = new BatchModeRunner(
    new HandlerAttempts(invoke, stop.signal, logger),
    writer,
    async () => undefined,
    async (_topic, _partition, offset) => void commits.push(offset),
    stop.signal,
    logger,
  );
  return { runner, stop, commits, deadLetters };
}

/** The handler at the Nest boundary: records each call's payload and context, answers with `answer`. */
function batchHandler(answer: (call: number) => ReturnType<InvokeHandler> = async () => undefined) {
  const calls: { events: { data: unknown }[]; ctx: DurableBatchContext }[] = [];
  const invoke: InvokeHandler = (_pattern, payload, ctx) => {
    calls.push({ events: payload as { data: unknown }[], ctx: ctx as DurableBatchContext });
    return answer(calls.length);
  };
  return { invoke, calls };
}

describe('BatchModeRunner', () => {
  it('hands the fetch to the handler in chunks of maxBatchSize and commits each chunk when done', async () => {
    const handler = batchHandler();
    const { runner, commits } = runnerWith(handler.invoke);
    const { payload, resolved } = fetch(fetched(1, 2, 3, 4, 5));
    await runner.run(route, ...payload);
    expect(handler.calls.map((c) => c.events.map((e) => e.data))).toEqual([[1, 2], [3, 4], [5]]);
    const [first] = handler.calls;
    expect(first.ctx).toBeInstanceOf(DurableBatchContext);
    expect([first.ctx.getFirstOffset(), first.ctx.getLastOffset(), first.ctx.getAttempt()]).toEqual(['10', '11', 1]);
    expect(first.ctx.getRecords().map((r) => [r.offset, r.groupId])).toEqual([
      ['10', 'audit'],
      ['11', 'audit'],
    ]);
    expect(resolved).toEqual(['11', '13', '14']);
    expect(commits).toEqual(['12', '14', '15']);
    expect(runner.busy).toBe(false);
  });

  it('dead-letters unparseable records alone and a chunk that failed for good record by record', async () => {
    const handler = batchHandler(async () => ({ name: 'Error', message: 'no', stack: '', retriable: false }));
    const { runner, commits, deadLetters } = runnerWith(handler.invoke);
    await runner.run(route, ...fetch(fetched(1, 'bad', 3)).payload);
    expect(handler.calls.map((c) => c.events.map((e) => e.data))).toEqual([[1], [3]]);
    expect(deadLetters.map((d) => [d.message.offset, d.attempts, d.failure.name])).toEqual([
      ['11', 0, 'UnparseableRecordError'],
      ['10', 1, 'Error'],
      ['12', 1, 'Error'],
    ]);
    expect(commits).toEqual(['12', '13']);
  });

  it('dead-letters alone the records a successful handler rejected, before committing the chunk', async () => {
    const handler = batchHandler(async (call) => {
      const { ctx } = handler.calls[call - 1];
      ctx.reject(1, new TypeError('unusable'));
      // A rejection on an attempt that then fails is forgotten: the retry decides anew.
      return call === 1 ? { name: 'Error', message: 'disk', stack: '', retriable: true } : undefined;
    });
    const { runner, commits, deadLetters } = runnerWith(handler.invoke);
    await runner.run(
      { ...route, retry: { attempts: 3, backoffMs: 1, maxBackoffMs: 1 } },
      ...fetch(fetched(1, 2)).payload,
    );
    expect(handler.calls).toHaveLength(2);
    expect(deadLetters.map((d) => [d.message.offset, d.attempts, d.failure.name, d.failure.message])).toEqual([
      ['11', 2, 'TypeError', 'unusable'],
    ]);
    expect(commits).toEqual(['12']);
    expect(() => handler.calls[1].ctx.reject(2, new Error('x'))).toThrow(/records 0 to 1/);
  });

  it('stops at the next chunk once a rebalance made the fetch stale', async () => {
    const handler = batchHandler();
    const { runner, commits } = runnerWith(handler.invoke);
    await runner.run(route, ...fetch(fetched(1, 2, 3, 4), 1).payload);
    expect(handler.calls).toHaveLength(1);
    expect(commits).toEqual(['12']);
  });

  it('commits nothing of a chunk whose retry shutdown interrupted', async () => {
    let shutdown: () => void = () => undefined;
    const handler = batchHandler(async () => {
      shutdown();
      return { name: 'Error', message: 'later', stack: '', retriable: true };
    });
    const { runner, stop, commits, deadLetters } = runnerWith(handler.invoke);
    shutdown = () => stop.abort();
    await runner.run(route, ...fetch(fetched(1, 2, 3)).payload);
    expect(handler.calls).toHaveLength(1);
    expect(commits).toEqual([]);
    expect(deadLetters).toEqual([]);
  });
});
