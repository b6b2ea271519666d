import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from './metrics.ts';

describe('MetricsRegistry', () => {
  it('renders counters and labelled gauges in the Prometheus text format, read at scrape time', () => {
    const m = new MetricsRegistry();
    let events = 3;
    m.register('emp_events_total', 'counter', 'Events processed', () => events);
    m.register('emp_queue_depth', 'gauge', 'Queue depth', () => [
      [{ queue: 'fusion' }, 2],
      [{ queue: 'we"ird' }, 0],
    ]);
    events = 5;
    expect(m.render()).toBe(
      [
        '# HELP emp_events_total Events processed',
        '# TYPE emp_events_total counter',
        'emp_events_total 5',
        '# HELP emp_queue_depth Queue depth',
        '# TYPE emp_queue_depth gauge',
        'emp_queue_depth{queue="fusion"} 2',
        'emp_queue_depth{queue="we\\"ird"} 0',
        '',
      ].join('\n'),
    );
  });
});
