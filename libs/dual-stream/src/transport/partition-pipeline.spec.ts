import { jest } from '@jest/globals';
import type { LoggerService } from '@nestjs/common';
import type { KafkaRecord } from '../kafka/kafka-port.interface.js';
import type { Outcome } from './delivery.interface.js';
import { PartitionPipeline } from './partition-pipeline.js';
import { PartitionSlots } from './partition-slots.js';

/** A fetched record; offset and key are all the pipeline reads. */
const fetched = (keys: (string | null)[], from = 0): KafkaRecord[] =>
  keys.map(
    (key, i) =>
      ({
        offset: String(from + i),
        key: key === null ? null : Buffer.from(key),
        value: null,
        timestamp: '0',
        attributes: 0,
        headers: {},
      }) as KafkaRecord,
  );

/** Lets the pipeline's promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The record processor at the pipeline's boundary: every started record runs until the test finishes it. */
class FakeProcessor {
  readonly started: string[] = [];
  /** The most records that ran at once, and whether two of one key ever did. */
  maxRunning = 0;
  sameKeyOverlap = false;
  private readonly running = new Map<string, { key: string | null; finish: (outcome: Outcome) => void }>();

  readonly process = (message: KafkaRecord): Promise<Outcome> => {
    const key = message.key === null ? null : message.key.toString();
    if (key !== null && [...this.running.values()].some((r) => r.key === key)) this.sameKeyOverlap = true;
    this.started.push(message.offset);
    return new Promise<Outcome>((resolve) => {
      this.running.set(message.offset, { key, finish: resolve });
      this.maxRunning = Math.max(this.maxRunning, this.running.size);
    });
  };

  get runningOffsets(): string[] {
    return [...this.running.keys()];
  }

  async finish(offset: number | string, outcome: Outcome = 'done'): Promise<void> {
    const run = this.running.get(String(offset));
    if (!run) throw new Error(`record ${offset} is not running (running: ${this.runningOffsets.join(', ')})`);
    this.running.delete(String(offset));
    run.finish(outcome);
    await settle();
  }
}

const silentLogger = (): LoggerService & { error: jest.Mock } => ({
  log: jest.fn(),
  warn: jest.fn(),
  error: jest.fn(),
});

interface PipelineOptions {
  keyConcurrency?: number;
  maxBuffered?: number;
  commitIntervalMs?: number;
  slots?: PartitionSlots<PartitionPipeline>;
  process?: (message: KafkaRecord) => Promise<Outcome>;
}

function pipelineWith(options: PipelineOptions) {
  const processor = new FakeProcessor();
  const commits: string[] = [];
  const logger = silentLogger();
  const pipeline = new PartitionPipeline('events.order', 0, options.keyConcurrency ?? 1, options.maxBuffered ?? 1000, {
    process: options.process ?? processor.process,
    commit: async (offset) => void commits.push(offset),
    slots: options.slots ?? new PartitionSlots(1),
    commitIntervalMs: options.commitIntervalMs ?? 0,
    logger,
  });
  return { pipeline, processor, commits, logger };
}

/** Fake timers for the commit interval and the shutdown deadline; `settle()` keeps the real setImmediate. */
const fakeClock = () => jest.useFakeTimers({ doNotFake: ['setImmediate'] });

describe('PartitionPipeline', () => {
  const pipelines: PartitionPipeline[] = [];
  const make = (options: PipelineOptions = {}) => {
    const made = pipelineWith(options);
    pipelines.push(made.pipeline);
    return made;
  };
  afterEach(() => {
    // Revoking clears pending commit timers.
    for (const pipeline of pipelines.splice(0)) pipeline.revoke();
    jest.useRealTimers();
  });

  it('with keyConcurrency 1 runs one record at a time, in offset order', async () => {
    const { pipeline, processor } = make();
    pipeline.append(fetched(['a', 'b', 'c']));
    expect(processor.started).toEqual(['0']);
    await processor.finish(0);
    await processor.finish(1);
    await processor.finish(2);
    expect(processor.started).toEqual(['0', '1', '2']);
    expect(processor.maxRunning).toBe(1);
  });

  it('runs up to keyConcurrency records at once, never two of one key, each key in offset order', async () => {
    const { pipeline, processor, commits } = make({ keyConcurrency: 4 });
    const keys = Array.from({ length: 200 }, (_, i) => (i % 11 === 0 ? null : `k${(i * 7) % 9}`));
    pipeline.append(fetched(keys));
    // Finish in a scrambled but reproducible order.
    let seed = 42;
    while (processor.runningOffsets.length > 0) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const running = processor.runningOffsets;
      await processor.finish(running[seed % running.length]);
    }
    expect(processor.maxRunning).toBe(4);
    expect(processor.sameKeyOverlap).toBe(false);
    expect([...processor.started].sort((a, b) => Number(a) - Number(b))).toEqual(keys.map((_, i) => String(i)));
    for (const key of new Set(keys.filter((k) => k !== null))) {
      const ofKey = processor.started.filter((offset) => keys[Number(offset)] === key).map(Number);
      expect(ofKey).toEqual([...ofKey].sort((a, b) => a - b));
    }
    await pipeline.flush();
    expect(commits.at(-1)).toBe('200');
  });

  it('does not let records without a key wait for each other', () => {
    const { pipeline, processor } = make({ keyConcurrency: 3 });
    pipeline.append(fetched([null, null, null, null]));
    expect(processor.started).toEqual(['0', '1', '2']);
  });

  it('commits only the contiguous finished prefix, as the next offset to read', async () => {
    const { pipeline, processor, commits } = make({ keyConcurrency: 3 });
    pipeline.append(fetched(['a', 'b', 'c']));
    await processor.finish(2);
    await processor.finish(1);
    await pipeline.flush();
    expect(commits).toEqual([]);
    await processor.finish(0);
    await pipeline.flush();
    expect(commits).toEqual(['3']);
  });

  it('never commits past an abandoned record (shutdown came first: it is delivered again)', async () => {
    const { pipeline, processor, commits } = make({ keyConcurrency: 3 });
    pipeline.append(fetched(['a', 'b', 'c']));
    await processor.finish(0);
    await processor.finish(1, 'abandoned');
    await processor.finish(2);
    await pipeline.flush();
    expect(commits).toEqual(['1']);
  });

  it('keeps a record uncommitted when processing rejects, and says so', async () => {
    const { pipeline, commits, logger } = make({
      keyConcurrency: 2,
      process: async (message) => {
        if (message.offset === '0') throw new Error('boom');
        return 'done';
      },
    });
    pipeline.append(fetched(['a', 'b']));
    await settle();
    await pipeline.flush();
    expect(commits).toEqual([]);
    expect(pipeline.outstanding).toBe(1);
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('events.order[0]@0 crashed the pipeline: Error: boom'),
    );
  });

  it('commits at most once per commitIntervalMs', async () => {
    fakeClock();
    const { pipeline, processor, commits } = make({ keyConcurrency: 3, commitIntervalMs: 1000 });
    pipeline.append(fetched(['a', 'b', 'c']));
    await processor.finish(0);
    expect(commits).toEqual(['1']);
    await processor.finish(1);
    await processor.finish(2);
    await jest.advanceTimersByTimeAsync(990);
    expect(commits).toEqual(['1']);
    await jest.advanceTimersByTimeAsync(20);
    expect(commits).toEqual(['1', '3']);
  });

  it('skips records it has seen when a rebalance makes kafkajs fetch them again', async () => {
    const { pipeline, processor } = make({ keyConcurrency: 10 });
    pipeline.append(fetched(['a', 'b', 'c', 'd', 'e']));
    await processor.finish(0);
    pipeline.append(fetched(['c', 'd', 'e', 'f', 'g'], 2));
    expect(processor.started).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(pipeline.outstanding).toBe(6);
  });

  it('after its partition was revoked starts and commits nothing more, and frees its slot', async () => {
    const slots = new PartitionSlots<PartitionPipeline>(1);
    const lost = make({ slots });
    const kept = make({ slots });
    lost.pipeline.append(fetched(['a', 'a']));
    kept.pipeline.append(fetched(['x']));
    expect(kept.processor.started).toEqual([]);
    lost.pipeline.revoke();
    expect(kept.processor.started).toEqual(['0']);
    await lost.processor.finish(0);
    lost.pipeline.append(fetched(['b'], 2));
    expect(lost.processor.started).toEqual(['0']);
    expect(lost.commits).toEqual([]);
  });

  it('hands the group slot on when it has nothing in flight', async () => {
    const slots = new PartitionSlots<PartitionPipeline>(1);
    const first = make({ slots });
    const second = make({ slots });
    first.pipeline.append(fetched(['a']));
    second.pipeline.append(fetched(['b']));
    expect(second.processor.started).toEqual([]);
    await first.processor.finish(0);
    expect(second.processor.started).toEqual(['0']);
  });

  it('makes the fetch wait while the buffer is full', async () => {
    const { pipeline, processor } = make({ maxBuffered: 2 });
    pipeline.append(fetched(['a', 'a', 'a']));
    let room = false;
    void pipeline.waitForRoom().then(() => (room = true));
    await processor.finish(0);
    expect(room).toBe(false);
    await processor.finish(1);
    expect(room).toBe(true);
  });

  it('on shutdown starts nothing new, waits for running records, then commits what finished', async () => {
    const { pipeline, processor, commits } = make();
    pipeline.append(fetched(['a', 'a']));
    const drained = pipeline.drain(Date.now() + 60_000);
    await processor.finish(0);
    await expect(drained).resolves.toBe(0);
    expect(processor.started).toEqual(['0']);
    expect(commits).toEqual(['1']);
  });

  it('on shutdown gives up on records still running at the deadline and reports them', async () => {
    fakeClock();
    const { pipeline, processor, commits } = make();
    pipeline.append(fetched(['a']));
    const drained = pipeline.drain(Date.now() + 5_000);
    await jest.advanceTimersByTimeAsync(5_000);
    await expect(drained).resolves.toBe(1);
    expect(processor.runningOffsets).toEqual(['0']);
    expect(commits).toEqual([]);
  });
});
