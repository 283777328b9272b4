import { describe, expect, it } from 'vitest';
import { createMetricRegistry } from './prometheus';

describe('createMetricRegistry', () => {
  it('renders counters by label set, with HELP and TYPE', () => {
    const registry = createMetricRegistry();
    const requests = registry.counter('http_requests_total', 'requests');
    requests.inc({ route: '/predict', status: '200' });
    requests.inc({ status: '200', route: '/predict' }, 2);
    requests.inc({ route: '/x"y', status: '404' });
    expect(registry.render()).toBe(
      ['# HELP http_requests_total requests', '# TYPE http_requests_total counter', 'http_requests_total{route="/predict",status="200"} 3', 'http_requests_total{route="/x\\"y",status="404"} 1', ''].join('\n'),
    );
  });

  it('renders histograms with cumulative buckets, +Inf, sum and count', () => {
    const registry = createMetricRegistry();
    const latency = registry.histogram('latency_seconds', 'latency', [0.1, 0.01]);
    for (const v of [0.005, 0.05, 0.05, 3]) latency.observe(v, { route: '/p' });
    const text = registry.render();
    expect(text).toContain('latency_seconds_bucket{route="/p",le="0.01"} 1');
    expect(text).toContain('latency_seconds_bucket{route="/p",le="0.1"} 3');
    expect(text).toContain('latency_seconds_bucket{route="/p",le="+Inf"} 4');
    expect(text).toContain('latency_seconds_sum{route="/p"} 3.105');
    expect(text).toContain('latency_seconds_count{route="/p"} 4');
  });

  it('refuses a metric name registered twice', () => {
    const registry = createMetricRegistry();
    registry.counter('a', 'a');
    expect(() => registry.counter('a', 'again')).toThrow(/twice/);
  });
});
