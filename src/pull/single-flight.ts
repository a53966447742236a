/**
 * @module
 * Single flight: however many queries want the same waybill at once, one upstream call runs and
 * every one of them gets its outcome. The key is dropped when the call settles, so the next
 * query after it decides afresh (from the cache the call just filled).
 */

export class SingleFlight<T> {
  private readonly flights = new Map<string, Promise<T>>();

  /** `work` must not reject: outcomes are values (see PullOutcome). */
  run(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.flights.get(key);
    if (running) return running;
    const flight = work().finally(() => this.flights.delete(key));
    this.flights.set(key, flight);
    return flight;
  }

  get size(): number {
    return this.flights.size;
  }
}
