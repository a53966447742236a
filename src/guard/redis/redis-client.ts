/**
 * @module
 * The Redis connection behind the shared replay guard, configured to fail fast and heal itself.
 *
 * By default a Redis client queues commands while disconnected and resends them after
 * reconnecting, so a query could hang for as long as Redis is down. A guard must answer now or
 * refuse (the gateway then answers 50001), so:
 *
 * - no offline queue: a command sent while disconnected fails at once;
 * - a command cut off by a disconnect fails, and is not resent;
 * - every command and connection attempt is bounded (`commandTimeoutMs`, `connectTimeoutMs`), so a
 *   Redis that hangs (rather than closes) costs a query at most that long (500 ms: it then gets
 *   50001);
 * - TCP keepalive from 10 s of silence, so a connection whose peer vanished is found even idle;
 * - reconnection never gives up (every ≤ 1 s), so the guard recovers without a restart.
 *
 * The URL may carry a password; it is never put into an error message or log line here.
 */
import { Redis } from 'ioredis';

export interface GuardRedisOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` for TLS. */
  readonly url: string;
  /** Longest a command may take before it fails. Default 500 ms. */
  readonly commandTimeoutMs?: number;
  /** Longest a connection attempt may take. Default 1,000 ms. */
  readonly connectTimeoutMs?: number;
  /** Told of connection errors (for the log); the client keeps retrying regardless. */
  readonly onError?: (error: Error) => void;
}

/** A client for the guard, configured as above; connects in the background. */
export function createGuardRedis(options: GuardRedisOptions): Redis {
  const client = new Redis(options.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: options.commandTimeoutMs ?? 500,
    connectTimeout: options.connectTimeoutMs ?? 1_000,
    keepAlive: 10_000,
    retryStrategy: (times) => Math.min(50 * times, 1_000),
    lazyConnect: true,
  });
  client.on('error', (error: Error) => options.onError?.(error));
  client.connect().catch(() => undefined); // failures reach onError; retries continue
  return client;
}

/**
 * A client for the guard, once it answers: for start-up, where an unreachable Redis should stop
 * the gateway loudly rather than serve 50001 to everyone. Rejects (and closes the client) if
 * Redis does not answer within `connectTimeoutMs`.
 */
export async function openGuardRedis(options: GuardRedisOptions): Promise<Redis> {
  const client = createGuardRedis(options);
  const wait = options.connectTimeoutMs ?? 1_000;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Redis did not answer within ${wait} ms`)), wait);
      client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return client;
  } catch (error) {
    client.disconnect();
    throw error;
  }
}
