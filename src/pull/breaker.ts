/**
 * @module
 * A circuit breaker with no timer of its own: its state is read from the clock. `failures`
 * failures in a row open it; after `openMs` it is half-open by itself and lets exactly one trial
 * call through; the trial's success closes it, its failure opens it again for `openMs`.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export class Breaker {
  private consecutive = 0;
  private openedAt: number | undefined;
  private trialRunning = false;
  private opens = 0;

  constructor(
    private readonly failures: number,
    private readonly openMs: number,
  ) {}

  state(now: number): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    return now - this.openedAt >= this.openMs ? 'half-open' : 'open';
  }

  /** Whether a call may start now; a half-open breaker admits one trial at a time. */
  allow(now: number): boolean {
    const s = this.state(now);
    if (s === 'closed') return true;
    if (s === 'open' || this.trialRunning) return false;
    this.trialRunning = true;
    return true;
  }

  success(): void {
    this.consecutive = 0;
    this.openedAt = undefined;
    this.trialRunning = false;
  }

  failure(now: number): void {
    this.consecutive++;
    if (this.trialRunning || this.consecutive >= this.failures) {
      if (this.openedAt === undefined || this.trialRunning) this.opens++;
      this.openedAt = now;
    }
    this.trialRunning = false;
  }

  /** How many times it opened, for metrics. */
  get timesOpened(): number {
    return this.opens;
  }
}
