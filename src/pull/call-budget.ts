/**
 * @module
 * The per-waybill call budget: at most `perWaybill` calls in any `windowMs` (default 48 in 24 h,
 * Kuaidi100's lock threshold). Each waybill keeps the times of its calls in the window, at most
 * `perWaybill` numbers, in a table bounded by `maxWaybills` that forgets the least recently
 * called waybill first (a forgotten waybill starts over: documented, and the table is sized well
 * above the waybills one node refreshes in a day).
 */

export class CallBudget {
  private readonly calls = new Map<string, number[]>();

  constructor(
    private readonly perWaybill: number,
    private readonly windowMs: number,
    private readonly maxWaybills: number,
  ) {}

  /** Takes one call for `key` at `now`, or returns false when its budget is spent. */
  take(key: string, now: number): boolean {
    let times = this.calls.get(key);
    if (times) {
      const from = now - this.windowMs;
      let drop = 0;
      while (drop < times.length && times[drop]! <= from) drop++;
      if (drop > 0) times.splice(0, drop);
      if (times.length >= this.perWaybill) return false;
      this.calls.delete(key);
    } else {
      times = [];
      if (this.calls.size >= this.maxWaybills) {
        const oldest = this.calls.keys().next();
        if (!oldest.done) this.calls.delete(oldest.value);
      }
    }
    times.push(now);
    this.calls.set(key, times);
    return true;
  }

  /** Calls left for `key` at `now`. */
  left(key: string, now: number): number {
    const times = this.calls.get(key) ?? [];
    return this.perWaybill - times.filter((t) => t > now - this.windowMs).length;
  }
}
