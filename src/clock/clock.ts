/**
 * @module
 * Time as a dependency. Everything that asks "what time is it" takes a Clock, so tests move time
 * by hand instead of sleeping.
 */

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = Object.freeze({ now: () => Date.now() });

/** A clock that only moves when told to; for tests and replays. */
export class ManualClock implements Clock {
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  /** Moves time forward (or back, with a negative step). */
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}
