/**
 * @module
 * The replay guard. WeChat signs a query with (token, timestamp, nonce) only: orderid and openid
 * are outside the signature. So a captured signature could be replayed, within the timestamp
 * window, to ask about someone else's parcel. The guard binds each signature, on first use, to the
 * (orderid, openid) it came with:
 *
 * - the same URL fetched again (a page refresh) is served;
 * - the same signature with another orderid or openid is refused (40003).
 *
 * One interface, one folder per backend (`memory/`, later `redis/`), and one contract suite
 * (`replay-guard.case.test.ts`).
 */

export type ReplayVerdict =
  /** Never seen: now bound. */
  | 'first'
  /** Seen with the same binding: a refresh. */
  | 'repeat'
  /** Seen with another binding: a replay. */
  | 'conflict';

export interface ReplayGuard {
  /**
   * Checks a signature's binding and records it on first use, atomically.
   * @param signature the query's signature (the key)
   * @param binding what the signature is bound to, e.g. `orderid + '\n' + openid`
   * @param expiresAt epoch ms after which the signature's timestamp is out of the window anyway,
   *   so the entry may be forgotten
   */
  check(signature: string, binding: string, expiresAt: number): Promise<ReplayVerdict>;

  /** Releases the backend. */
  close(): Promise<void>;
}
