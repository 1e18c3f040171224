import { resolveDualStreamOptions } from '../dual-stream-options.resolver.js';
import type { GapMarker, KafkaPosition } from '../interfaces/dual-stream-event.interface.js';
import type { NotificationShards } from './notification-shards.js';
import type { PendingEvent } from './pending-group.js';
import { PublisherMetrics } from './publisher-metrics.js';
import { RedisLane } from './redis-lane.js';
import { sleep } from '../transport/backoff.js';

/** Two masters: channels `a:*` live on A, `b:*` on B; a master in `down` refuses every publish and probe. */
class FakeCluster implements NotificationShards {
  readonly only = 'unowned';
  readonly status = 'ready';
  readonly down = new Set<string>();
  readonly sent: { shard: string; messages: string[] }[] = [];

  route(count: number, channelAt: (i: number) => string): Map<string, number[]> {
    const groups = new Map<string, number[]>();
    for (let i = 0; i < count; i++) {
      const shard = channelAt(i).startsWith('a:') ? 'A' : 'B';
      groups.set(shard, [...(groups.get(shard) ?? []), i]);
    }
    return groups;
  }

  async publish(shard: string, messages: string[]): Promise<void> {
    if (this.down.has(shard)) throw new Error(`${shard} is down`);
    this.sent.push({ shard, messages });
  }

  async probe(shard: string): Promise<void> {
    if (this.down.has(shard)) throw new Error(`${shard} is down`);
  }

  connect(): void {}
  async quit(): Promise<void> {}
  disconnect(): void {}

  /** What a master received, in order: gap markers as `gap:<channel>:<from>-<to>`, notifications as their channel. */
  received(shard: string): string[] {
    return this.sent
      .filter((s) => s.shard === shard)
      .flatMap((s) => {
        const out: string[] = [];
        for (let i = 0; i < s.messages.length; i += 2) {
          const payload = JSON.parse(s.messages[i + 1]) as Partial<GapMarker>;
          out.push(
            payload.kind === 'gap' ? `gap:${payload.channel}:${payload.fromOffset}-${payload.toOffset}` : s.messages[i],
          );
        }
        return out;
      });
  }
}

const event = (channel: string): PendingEvent =>
  ({ channel, notificationHead: '{"partition":', prepared: { event: {} } }) as unknown as PendingEvent;
let offset = 0;
const positions = (n: number): KafkaPosition[] =>
  Array.from({ length: n }, () => ({ topic: 't', partition: 0, offset: String(offset++) }));

function lane(breakerThreshold: number) {
  const shards = new FakeCluster();
  const options = resolveDualStreamOptions({
    kafka: { brokers: ['k:9092'] },
    redis: { url: 'redis://unused:1' },
    realtime: { breakerThreshold, breakerProbeMs: 20 },
    logger: false,
  });
  const metrics = new PublisherMetrics();
  return { shards, metrics, lane: new RedisLane(options, metrics, shards) };
}

describe('RedisLane over several shards (Redis Cluster masters)', () => {
  beforeEach(() => (offset = 0));

  it('keeps announcing on the other masters while one is down, with a breaker per master', async () => {
    const { shards, lane: l, metrics } = lane(1);
    shards.down.add('A');
    expect(await l.announce([event('a:1'), event('b:1')], positions(2))).toBe('failed');
    expect(l.breakerState).toBe('open');
    // A is skipped (its breaker is open), B still gets its notifications.
    expect(await l.announce([event('a:1'), event('b:1'), event('b:2')], positions(3))).toBe('skipped');
    expect(await l.announce([event('b:1')], positions(1))).toBe('published');
    expect(shards.received('B')).toEqual(['b:1', 'b:1', 'b:2', 'b:1']);
    expect(metrics).toMatchObject({ realtimeFailed: 1, realtimeSkipped: 1, realtimePublished: 4, breakerOpened: 1 });
    await l.close();
  });

  it('announces a master’s gaps once it answers again, one marker per channel range', async () => {
    const { shards, lane: l, metrics } = lane(1);
    shards.down.add('A');
    await l.announce([event('a:1'), event('b:1')], positions(2)); // a:1 @0 failed
    await l.announce([event('a:1'), event('a:2')], positions(2)); // @2, @3 skipped
    shards.down.delete('A');
    for (let i = 0; i < 50 && shards.received('A').length === 0; i++) await sleep(20);
    expect(shards.received('A').sort()).toEqual(['gap:a:1:0-2', 'gap:a:2:3-3']);
    expect(metrics.gapMarkersSent).toBe(2);
    expect(l.breakerState).toBe('closed');
    await l.close();
  });

  it('sends a channel’s gap marker in front of that master’s next notifications', async () => {
    const { shards, lane: l } = lane(3);
    shards.down.add('A');
    expect(await l.announce([event('a:1')], positions(1))).toBe('failed'); // breaker still closed
    shards.down.delete('A');
    expect(await l.announce([event('a:1'), event('b:1')], positions(2))).toBe('published');
    // The subscriber sees the marker (and recovers offset 0) before a:1's later event at offset 1.
    expect(shards.received('A')).toEqual(['gap:a:1:0-0', 'a:1']);
    expect(shards.received('B')).toEqual(['b:1']);
    await l.close();
  });

  it('retries gap markers on its own when no traffic follows a failure', async () => {
    const { shards, lane: l } = lane(3);
    shards.down.add('B');
    await l.announce([event('b:9')], positions(1));
    shards.down.delete('B');
    for (let i = 0; i < 50 && shards.received('B').length === 0; i++) await sleep(20);
    expect(shards.received('B')).toEqual(['gap:b:9:0-0']);
    await l.close();
  });
});
