import { DashboardModel, WINDOW_SECONDS } from '../../public/dashboard/dashboard-model.js';

const CHANNEL = 'events:order:o-1';
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

function eventAt(offset: number, publishedMs: number, id = `e-${offset}`) {
  return {
    kind: 'event',
    target: CHANNEL,
    channel: CHANNEL,
    origin: 'gateway',
    event: {
      id,
      type: 'order.paid',
      source: { type: 'order', id: 'o-1' },
      time: new Date(publishedMs).toISOString(),
      topic: 'events.order',
      partition: 2,
      offset: String(offset),
    },
  };
}

describe('DashboardModel (the dashboard page, without the DOM)', () => {
  let now: number;
  let model: DashboardModel;
  beforeEach(() => {
    now = T0;
    model = new DashboardModel(() => now);
  });

  it('counts events per channel, their publish-to-screen latency and last position', () => {
    model.apply({ kind: 'subscribed', target: CHANNEL });
    now = T0 + 40;
    const shown = model.apply(eventAt(7, T0));
    expect(shown?.row).toMatchObject({ latency: 40, colour: 0 });
    now = T0 + 1000;
    model.apply(eventAt(8, T0 + 990));
    const stats = model.channels.get(CHANNEL)!;
    expect(stats.count).toBe(2);
    expect(stats.last).toEqual({ topic: 'events.order', partition: 2, offset: '8' });
    expect(stats.p(50)).toBe(40);
    expect(model.total).toBe(2);
    expect(model.duplicates).toBe(0);
  });

  it('events per second over the last minute, oldest first, whole seconds only', () => {
    for (const [at, n] of [
      [T0 + 100, 3],
      [T0 + 2500, 1],
    ] as const) {
      now = at;
      for (let i = 0; i < n; i++) model.apply(eventAt(Math.round(at) + i, at));
    }
    now = T0 + 3200;
    const rates = model.channels.get(CHANNEL)!.rates(now);
    expect(rates).toHaveLength(WINDOW_SECONDS);
    expect(rates.slice(-3)).toEqual([3, 0, 1]);
    now = T0 + 70_000;
    model.prune();
    expect(
      model.channels
        .get(CHANNEL)!
        .rates(now)
        .every((r: number) => r === 0),
    ).toBe(true);
    expect(model.channels.get(CHANNEL)!.points).toEqual([]);
  });

  it('makes a duplicate visible: the same event id shown twice on a channel is counted', () => {
    model.apply(eventAt(1, T0));
    model.apply(eventAt(1, T0));
    expect(model.duplicates).toBe(1);
    expect(model.channels.get(CHANNEL)!.duplicates).toBe(1);
  });

  it('counts gaps and resets per channel and says why in a notice', () => {
    const gap = model.apply({
      kind: 'gap',
      target: CHANNEL,
      channel: CHANNEL,
      reason: 'scan-limit',
      cause: 'gap-marker',
    });
    const reset = model.apply({
      kind: 'reset',
      target: CHANNEL,
      channel: CHANNEL,
      reason: 'resume-refused',
      gatewayReason: 'retention',
    });
    expect(gap?.notice).toEqual({ kind: 'gap', text: 'gap on order:o-1: scan-limit (gap-marker)' });
    expect(reset?.notice).toEqual({ kind: 'reset', text: 'reset of order:o-1: resume-refused (retention)' });
    expect(model.channels.get(CHANNEL)).toMatchObject({ gaps: 1, resets: 1 });
    expect(model.holes).toBe(2);
  });

  it('reports status changes once, and forgets an unsubscribed channel', () => {
    expect(model.apply({ kind: 'status', status: 'live' })?.notice).toEqual({
      kind: 'status-live',
      text: 'connection live',
    });
    expect(model.apply({ kind: 'status', status: 'live' })).toBeUndefined();
    model.apply({ kind: 'subscribed', target: CHANNEL });
    model.apply({ kind: 'unsubscribed', target: CHANNEL });
    expect(model.channels.size).toBe(0);
  });
});
