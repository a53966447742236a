/**
 * @module
 * Where the query path gets its carriers from. A reload (SIGHUP) swaps the whole frozen list in
 * one assignment; a request reads the list once, when it starts, and keeps that snapshot to the
 * end, so a request in flight never sees half of an old configuration and half of a new one.
 */
import type { Carrier } from './carrier.js';

export interface CarrierSource {
  /** The carriers in force now: a frozen list, never modified in place. */
  current(): readonly Carrier[];
}

/** A source whose list a reload replaces. */
export class SwappableCarriers implements CarrierSource {
  #carriers: readonly Carrier[];

  constructor(initial: readonly Carrier[]) {
    this.#carriers = Object.freeze([...initial]);
  }

  current(): readonly Carrier[] {
    return this.#carriers;
  }

  /** Puts a new list in force for every request that starts from now on. */
  replace(next: readonly Carrier[]): void {
    this.#carriers = Object.freeze([...next]);
  }
}
