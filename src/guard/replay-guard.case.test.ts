/**
 * @module
 * The contract every ReplayGuard backend passes. A backend's own test file calls
 * {@link replayGuardContract} with a factory.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import type { ReplayGuard } from './replay-guard.js';

export interface GuardHarness {
  readonly guard: ReplayGuard;
  /** Moves the backend's notion of time forward. */
  advance(ms: number): Promise<void>;
  dispose(): Promise<void>;
}

/** Registers the shared suite. `make` gets a clock starting at `start`. */
export function replayGuardContract(name: string, make: (clock: ManualClock) => Promise<GuardHarness>): void {
  const start = 1_750_000_000_000;
  const sig = (n: number) => n.toString(16).padStart(40, '0');

  describe(`ReplayGuard contract: ${name}`, () => {
    const withGuard = async (fn: (h: GuardHarness) => Promise<void>) => {
      const h = await make(new ManualClock(start));
      try {
        await fn(h);
      } finally {
        await h.dispose();
      }
    };

    it('binds a signature on first use and serves the same binding again', () =>
      withGuard(async ({ guard }) => {
        expect(await guard.check(sig(1), 'YT1\nopenA', start + 60_000)).toBe('first');
        expect(await guard.check(sig(1), 'YT1\nopenA', start + 60_000)).toBe('repeat');
      }));

    it('refuses the same signature with another orderid or openid', () =>
      withGuard(async ({ guard }) => {
        await guard.check(sig(2), 'YT1\nopenA', start + 60_000);
        expect(await guard.check(sig(2), 'YT2\nopenA', start + 60_000)).toBe('conflict');
        expect(await guard.check(sig(2), 'YT1\nopenB', start + 60_000)).toBe('conflict');
        // the original binding still stands after conflicts
        expect(await guard.check(sig(2), 'YT1\nopenA', start + 60_000)).toBe('repeat');
      }));

    it('keeps signatures apart', () =>
      withGuard(async ({ guard }) => {
        expect(await guard.check(sig(3), 'YT1\nopenA', start + 60_000)).toBe('first');
        expect(await guard.check(sig(4), 'YT2\nopenB', start + 60_000)).toBe('first');
      }));

    it('forgets an entry once it expires', () =>
      withGuard(async ({ guard, advance }) => {
        await guard.check(sig(5), 'YT1\nopenA', start + 10_000);
        await advance(10_001);
        expect(await guard.check(sig(5), 'YT2\nopenB', start + 70_000)).toBe('first');
      }));

    it('still remembers an entry just before it expires', () =>
      withGuard(async ({ guard, advance }) => {
        await guard.check(sig(6), 'YT1\nopenA', start + 10_000);
        await advance(9_000);
        expect(await guard.check(sig(6), 'YT2\nopenB', start + 70_000)).toBe('conflict');
      }));

    it('remembers an entry until the millisecond before expiresAt, and forgets it at expiresAt', () =>
      // Whole seconds, as the gateway computes them (timestamp + window + 1 s).
      withGuard(async ({ guard, advance }) => {
        await guard.check(sig(8), 'YT1\nopenA', start + 10_000);
        await guard.check(sig(9), 'YT1\nopenA', start + 10_000);
        await advance(9_999);
        expect(await guard.check(sig(8), 'YT2\nopenB', start + 70_000)).toBe('conflict');
        await advance(1);
        expect(await guard.check(sig(9), 'YT2\nopenB', start + 70_000)).toBe('first');
        // the expired signature is bound afresh, to its new binding
        expect(await guard.check(sig(9), 'YT1\nopenA', start + 70_000)).toBe('conflict');
      }));

    it('counts live entries in stats(): firsts only, until they expire', () =>
      withGuard(async ({ guard, advance }) => {
        await guard.check(sig(10), 'YT1\nopenA', start + 10_000);
        await guard.check(sig(11), 'YT1\nopenA', start + 20_000);
        await guard.check(sig(12), 'YT1\nopenA', start + 20_000);
        await guard.check(sig(11), 'YT1\nopenA', start + 20_000); // repeat
        await guard.check(sig(12), 'YT2\nopenA', start + 20_000); // conflict
        expect(guard.stats?.()).toMatchObject({ entries: 3, highWater: 3, refusals: 0 });
        await advance(10_000);
        await guard.check(sig(13), 'YT1\nopenA', start + 30_000);
        expect(guard.stats?.()).toMatchObject({ entries: 3, highWater: 3 });
        await advance(10_000);
        expect(guard.stats?.().entries).toBe(1);
        await advance(10_000);
        await guard.check(sig(14), 'YT1\nopenA', start + 40_000);
        expect(guard.stats?.()).toMatchObject({ entries: 1, highWater: 3, refusals: 0 });
      }));

    it('gives exactly one "first" when the same signature races', () =>
      withGuard(async ({ guard }) => {
        const verdicts = await Promise.all(
          Array.from({ length: 20 }, (_, i) => guard.check(sig(7), `YT${i % 2}\nopenA`, start + 60_000)),
        );
        expect(verdicts.filter((v) => v === 'first')).toHaveLength(1);
      }));
  });
}
