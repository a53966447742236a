/**
 * @module
 * The budget shared by every worker and node through the Redis they already use for the replay
 * guard: one client address has one budget however nginx spreads its queries. One round trip per
 * query (one EVALSHA of incr-script.ts), on its own connection so a slow guard check and a count
 * never queue behind each other.
 *
 * Redis never holds a client address in clear: the key is an HMAC of it under the guard secret
 * (which every node shares, so every node names an address alike), truncated to 64 bits: a
 * collision merges two addresses' budgets, at 2^-64 per pair.
 *
 * The client is the slice of ioredis's API the store uses, as in guard/redis/redis-guard.ts.
 */
import { createHmac } from 'node:crypto';
import type { RedisGuardClient } from '../../guard/redis/redis-guard.js';
import type { BudgetStore } from '../budget-store.js';
import { INCR_SCRIPT, INCR_SCRIPT_SHA } from './incr-script.js';

export interface RedisBudgetOptions {
  /** Owned by the store from now on: `close()` quits it. */
  readonly client: RedisGuardClient;
  /** Key of the address HMAC, the same on every node (the guard secret). */
  readonly secret: string | Buffer;
  /** Prefix of every key. Default `wxtrack:budget:`. */
  readonly keyPrefix?: string;
  /** Added to each key's TTL, to cover clock differences between nodes. Default 10 s. */
  readonly ttlSlackMs?: number;
}

export const DEFAULT_BUDGET_KEY_PREFIX = 'wxtrack:budget:';

export class RedisBudgetStore implements BudgetStore {
  readonly #client: RedisGuardClient;
  readonly #secret: Buffer;
  readonly #prefix: string;
  readonly #slack: number;

  constructor(options: RedisBudgetOptions) {
    this.#client = options.client;
    this.#secret = Buffer.from(options.secret);
    this.#prefix = options.keyPrefix ?? DEFAULT_BUDGET_KEY_PREFIX;
    this.#slack = options.ttlSlackMs ?? 10_000;
  }

  async incr(key: string, windowStart: number, windowMs: number): Promise<number> {
    const hash = createHmac('sha256', this.#secret).update(key).digest('base64url').slice(0, 11);
    const redisKey = `${this.#prefix}${windowStart.toString(36)}:${hash}`;
    const ttl = String(windowMs + this.#slack);
    let reply: unknown;
    try {
      reply = await this.#client.evalsha(INCR_SCRIPT_SHA, 1, redisKey, ttl);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      reply = await this.#client.eval(INCR_SCRIPT, 1, redisKey, ttl);
    }
    if (typeof reply !== 'number') throw new Error('rate limit: unexpected reply from Redis');
    return reply;
  }

  async close(): Promise<void> {
    await this.#client.quit();
  }
}
