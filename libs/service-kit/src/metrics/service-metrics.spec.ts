import { ServiceMetrics } from './service-metrics.js';

describe('ServiceMetrics snapshot series', () => {
  it('leave out a series whose read throws, and count the failure instead of swallowing it', async () => {
    const metrics = new ServiceMetrics('unit');
    let healthy = false;
    metrics.fromSnapshotGauge('unit_queue', 'queue size', ['queue'], () => {
      if (!healthy) throw new Error('not started');
      return [{ labels: { queue: 'a' }, value: 3 }];
    });
    metrics.fromSnapshotCounter('unit_sent_total', 'sent', [], () => {
      throw new Error('gone');
    });
    metrics.fromSnapshotGauge('unit_async', 'async', [], async () => Promise.reject(new Error('broker down')));

    expect(await metrics.render()).not.toMatch(/^unit_queue\{queue=/m);
    // Counted during that scrape (so it shows from the next one on).
    const first = await metrics.registry.getSingleMetricAsString('dual_stream_metrics_read_failures_total');
    expect(first).toMatch(/^dual_stream_metrics_read_failures_total\{metric="unit_queue",service="unit"\} 1$/m);
    expect(first).toMatch(/^dual_stream_metrics_read_failures_total\{metric="unit_sent_total",service="unit"\} 1$/m);
    expect(first).toMatch(/^dual_stream_metrics_read_failures_total\{metric="unit_async",service="unit"\} 1$/m);

    healthy = true;
    const second = await metrics.render();
    expect(second).toMatch(/^unit_queue\{queue="a",service="unit"\} 3$/m);
    expect(second).toMatch(/^dual_stream_metrics_read_failures_total\{metric="unit_queue",service="unit"\} 1$/m);
  });
});
