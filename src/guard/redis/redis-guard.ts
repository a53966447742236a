/**
 * @module
 * Replay guard shared by every gateway process and node, in Redis: a signature bound on node 1
 * and replayed on node 2 with another orderid is refused (40003). One atomic Lua script per check
 * (check-script.ts), sent by EVALSHA, falling back to EVAL (which caches it) after a Redis
 * restart or failover forgot it.
 *
 * Redis never holds an orderid or openid in clear: the binding is stored as 128 bits of
 * HMAC-SHA256 under a secret that every node shares (configured; a per-process secret would make
 * every node's hash of the same binding differ). The key is the prefix and the signature, which
 * is public anyway (it travels in the URL) and binds nothing by itself.
 *
 * Fail closed: when Redis cannot answer, `check` rejects and the gateway answers 50001. It must
 * reject promptly, not queue: the client comes from redis-client.ts, which turns the offline
 * queue off and bounds every command; it keeps reconnecting, so the guard recovers on its own
 * once Redis is back.
 *
 * Memory loss: a Redis restarted without persistence (or flushed) forgets every binding. The
 * script keeps a marker that tells when Redis's memory starts (check-script.ts); for one window
 * after a loss, a signature stamped before it is refused (40003) instead of bound anew, since it
 * may have been bound before. Redis's own persistence (AOF) avoids the window: see
 * docs/deployment.md.
 *
 * The client is declared as the slice of its API the guard uses, so the guard does not depend
 * on one driver and a test may hand in anything that speaks it.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../../clock/clock.js';
import { ExpiryLedger } from '../expiry-ledger.js';
import type { GuardStats, ReplayGuard, ReplayVerdict } from '../replay-guard.js';
import { CHECK_SCRIPT, CHECK_SCRIPT_SHA } from './check-script.js';

/** What the guard needs of a Redis client (ioredis's `Redis` satisfies it). */
export interface RedisGuardClient {
  evalsha(sha1: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  quit(): Promise<unknown>;
}

export interface RedisGuardOptions {
  /** Owned by the guard from now on: `close()` quits it. */
  readonly client: RedisGuardClient;
  /** Source of "now": entries expire on the gateway's clock, not Redis's. */
  readonly clock: Clock;
  /** Key of the binding HMAC, the same on every node; at least 16 bytes. */
  readonly secret: string | Buffer;
  /** Prefix of every key, to share a Redis with other data. Default `wxtrack:guard:`. */
  readonly keyPrefix?: string;
  /** Added to each key's TTL, to cover clock differences between nodes. Default 10 s. */
  readonly ttlSlackMs?: number;
  /**
   * The gateway's timestamp window, ms (`expiresAt` is timestamp + window + 1 s): the guard reads
   * a signature's timestamp from it. Default 300,000, the gateway's default.
   */
  readonly windowMs?: number;
  /**
   * After a memory loss, signatures stamped less than this before it, or after it, are refused
   * too: a margin for a WeChat clock ahead of ours and for clocks between nodes. Default 10 s.
   */
  readonly lossMarginMs?: number;
  /** Told once per loss this guard finds (for the log), with the moment memory restarts. */
  readonly onMemoryLoss?: (since: number) => void;
}

/** The marker key's name after the prefix (no signature is this: signatures are hex). */
export const MEMORY_MARKER = 'memory';

export const DEFAULT_GUARD_KEY_PREFIX = 'wxtrack:guard:';
/** Reply 3, "may have been bound before a loss", is answered as a replay. */
const VERDICTS: readonly ReplayVerdict[] = ['first', 'repeat', 'conflict', 'conflict'];

export class RedisReplayGuard implements ReplayGuard {
  readonly #client: RedisGuardClient;
  readonly #clock: Clock;
  readonly #secret: Buffer;
  readonly #prefix: string;
  readonly #slack: string;
  /** Entries this process bound: the best count it has without a round trip. */
  readonly #ledger: ExpiryLedger;
  readonly #windowMs: number;
  readonly #marginMs: number;
  readonly #onMemoryLoss: ((since: number) => void) | undefined;
  /** The marker epoch last seen; '' before the first check. */
  #epoch = '';
  #refusals = 0;
  #lossRefusals = 0;

  constructor(options: RedisGuardOptions) {
    const secret = Buffer.from(options.secret);
    if (secret.length < 16) throw new RangeError('the replay guard secret must be at least 16 bytes');
    const slack = options.ttlSlackMs ?? 10_000;
    if (!Number.isInteger(slack) || slack < 0)
      throw new RangeError('ttlSlackMs must be a non-negative integer');
    this.#client = options.client;
    this.#clock = options.clock;
    this.#secret = secret;
    this.#prefix = options.keyPrefix ?? DEFAULT_GUARD_KEY_PREFIX;
    this.#slack = String(slack);
    this.#ledger = new ExpiryLedger(this.#clock.now());
    this.#windowMs = options.windowMs ?? 300_000;
    this.#marginMs = options.lossMarginMs ?? 10_000;
    this.#onMemoryLoss = options.onMemoryLoss;
  }

  /** Checks refused because they may have been bound before Redis lost its memory. */
  get lossRefusals(): number {
    return this.#lossRefusals;
  }

  async check(signature: string, binding: string, expiresAt: number): Promise<ReplayVerdict> {
    const now = this.#clock.now();
    const hash = createHmac('sha256', this.#secret).update(binding).digest('hex').slice(0, 32);
    const stampedAt = expiresAt - this.#windowMs - 1000;
    const args = [
      this.#prefix + signature,
      this.#prefix + MEMORY_MARKER,
      hash,
      String(now),
      String(Math.ceil(expiresAt)),
      this.#slack,
      String(Math.floor(stampedAt - this.#marginMs)),
      this.#epoch,
      randomBytes(8).toString('hex'),
    ];
    let reply: unknown;
    try {
      reply = await this.#run(args);
    } catch (error) {
      this.#refusals++;
      throw error;
    }
    const [code, epoch, since, lost] = Array.isArray(reply) ? (reply as unknown[]) : [];
    const verdict = typeof code === 'number' ? VERDICTS[code] : undefined;
    if (verdict === undefined || typeof epoch !== 'string') {
      this.#refusals++;
      throw new Error('replay guard: unexpected reply from Redis');
    }
    this.#epoch = epoch;
    if (lost === 1) this.#onMemoryLoss?.(Number(since));
    if (code === 3) {
      this.#refusals++;
      this.#lossRefusals++;
    }
    if (verdict === 'first') {
      this.#ledger.advance(now);
      const expSec = Math.ceil(expiresAt / 1000);
      if (this.#ledger.accepts(expSec)) this.#ledger.add(expSec);
    }
    return verdict;
  }

  stats(): GuardStats {
    this.#ledger.advance(this.#clock.now());
    return {
      entries: this.#ledger.live,
      capacity: undefined,
      highWater: this.#ledger.highWater,
      refusals: this.#refusals,
      expiredEvictions: 0,
    };
  }

  async close(): Promise<void> {
    await this.#client.quit();
  }

  async #run(args: string[]): Promise<unknown> {
    try {
      return await this.#client.evalsha(CHECK_SCRIPT_SHA, 2, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return await this.#client.eval(CHECK_SCRIPT, 2, ...args);
    }
  }
}
