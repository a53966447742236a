import { describe, expect, it } from 'vitest';
import { LOAD_DEFAULTS, quantile } from './load-probe.js';

describe('the load probe’s figures', () => {
  it('takes quantiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(values, 0.5)).toBe(50);
    expect(quantile(values, 0.99)).toBe(99);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([], 0.5)).toBe(0);
  });

  it('keeps laptop-sized defaults under a hard cap', () => {
    expect(LOAD_DEFAULTS.maxRequests).toBeLessThanOrEqual(LOAD_DEFAULTS.hardCap);
    expect(LOAD_DEFAULTS.connections * LOAD_DEFAULTS.seconds).toBeLessThanOrEqual(20);
  });
});
