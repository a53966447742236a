/**
 * @module
 * The replay guard. WeChat signs a query with (token, timestamp, nonce) only: orderid and openid
 * are outside the signature. So a captured signature could be replayed, within the timestamp
 * window, to ask about someone else's parcel. The guard binds each signature, on first use, to the
 * (orderid, openid) it came with:
 *
 * - the same URL fetched again (a page refresh) is served;
 * - the same signature with another orderid or openid is refused (40003);
 * - a guard that cannot record a new signature without forgetting one still inside its window
 *   says so (`full`), and the gateway refuses (50001) rather than weaken: fail closed.
 *
 * One interface, one folder per backend (`memory/`, `redis/`), and one contract suite
 * (`replay-guard.case.test.ts`).
 */

export type ReplayVerdict =
  /** Never seen: now bound. */
  | 'first'
  /** Seen with the same binding: a refresh. */
  | 'repeat'
  /** Seen with another binding: a replay. */
  | 'conflict'
  /** Not seen, and no room to bind it without forgetting a live entry: refuse the query. */
  | 'full';

/** What an operator watches: counters since start, read synchronously (for metrics). */
export interface GuardStats {
  /** Entries still inside their window: exact for the memory guard; for a shared backend, the
   *  ones this process recorded (the best it knows without a round trip). */
  readonly entries: number;
  /** Most live entries the guard can hold, or undefined when the backend sets no fixed bound. */
  readonly capacity: number | undefined;
  /** Most live entries seen at once since start (same basis as `entries`). */
  readonly highWater: number;
  /** Checks refused because the guard could not vouch: `full`, or the backend unreachable. */
  readonly refusals: number;
  /** Expired entries whose room was reclaimed by the guard itself (0 where the backend's own
   *  expiry does it). */
  readonly expiredEvictions: number;
}

export interface ReplayGuard {
  /**
   * Checks a signature's binding and records it on first use, atomically.
   * @param signature the query's signature (the key), a verified SHA-1 in lowercase hex
   * @param binding what the signature is bound to, e.g. `orderid + '\n' + openid`
   * @param expiresAt epoch ms from which the signature's timestamp is out of the window anyway,
   *   so the entry may be forgotten (it is still remembered at `expiresAt - 1`)
   */
  check(signature: string, binding: string, expiresAt: number): Promise<ReplayVerdict>;

  /**
   * The same as {@link ReplayGuard.check}, answered at once, offered by a guard that holds its
   * entries in this process (memory/): the query path then makes no promise per request. A guard
   * behind a network (redis/) leaves it out.
   */
  checkSync?(signature: string, binding: string, expiresAt: number): ReplayVerdict;

  /** Counters for metrics and logs. Optional so a test double may leave it out; every backend
   *  implements it. */
  stats?(): GuardStats;

  /** Releases the backend. */
  close(): Promise<void>;
}
