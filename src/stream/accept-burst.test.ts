import { describe, expect, it } from 'vitest';
import { AcceptBurst } from './accept-burst.ts';

describe('AcceptBurst', () => {
  it('is active from an accepted connection until its window has passed', async () => {
    const burst = new AcceptBurst(30);
    expect(burst.active()).toBe(false);
    burst.note();
    expect(burst.active()).toBe(true);
    await new Promise((r) => setTimeout(r, 60));
    expect(burst.active()).toBe(false);
    burst.note();
    expect(burst.active()).toBe(true);
  });
});
