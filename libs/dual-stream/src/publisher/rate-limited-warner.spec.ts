import { RateLimitedWarner } from './rate-limited-warner.js';

describe('RateLimitedWarner', () => {
  it('logs once per interval and reports how many warnings it suppressed', () => {
    const lines: string[] = [];
    let now = 0;
    const warner = new RateLimitedWarner(
      { log: () => undefined, error: () => undefined, warn: (m: string) => lines.push(m) },
      1000,
      () => now,
    );
    expect(warner.warn('down')).toBe(true);
    now = 10;
    expect(warner.warn('down')).toBe(false);
    now = 20;
    warner.warn('down');
    now = 1500;
    warner.warn('still down');
    expect(lines).toEqual(['down', 'still down (2 similar warning(s) suppressed in the last 2 s)']);
  });
});
