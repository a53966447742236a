import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demoEvents } from './demo-data.js';

const events = demoEvents(Date.UTC(2026, 6, 4));
const last = (waybill: string) => events.filter((e) => e.waybill === waybill).at(-1)!;

describe('demo parcels', () => {
  it('are one per order_status, YT9000000000000 to …06, and a longer trip still in transit', () => {
    const waybills = [...new Set(events.map((e) => e.waybill))];
    expect(waybills).toEqual(Array.from({ length: 8 }, (_, i) => `YT900000000000${i}`));
    expect(waybills.slice(0, 7).map((w) => last(w).status)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(last('YT9000000000007').status).toBe(2);
    expect(events.filter((e) => e.waybill === 'YT9000000000007').length).toBeGreaterThan(
      events.filter((e) => e.waybill === 'YT9000000000002').length,
    );
  });

  it('are counted as the README counts them, in both languages', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain('`demo` serves eight parcels: one for every `order_status` (0–6');
    expect(readme).toContain('`demo` 提供八个演示运单：每种 `order_status`（0–6');
  });

  it("send each cell's status as a URL parameter, never a page path", () => {
    const statuses = events.flatMap((e) => (e.cells ?? []).map((c) => c.status));
    expect(statuses.length).toBeGreaterThan(0);
    for (const s of statuses) expect(s).toMatch(/^[A-Za-z0-9_]+=[^/?&]*(&[A-Za-z0-9_]+=[^/?&]*)*$/);
  });
});
