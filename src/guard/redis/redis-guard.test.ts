import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, expect, it } from 'vitest';
import { ManualClock } from '../../clock/clock.js';
import { parseJsonpBody } from '../../protocol/jsonp.js';
import { gatewayFixture, NOW, scan, type GatewayFixture } from '../../testing/gateway-fixture.js';
import { needs, TEST_REDIS_URL } from '../../testing/services.js';
import { replayGuardContract } from '../replay-guard.case.test.js';
import { createGuardRedis, openGuardRedis } from './redis-client.js';
import { RedisReplayGuard } from './redis-guard.js';
import { startRedisServer, type RedisServer } from './testing/redis-server.js';

/** The machine's Redis; every run writes under its own prefix and deletes it afterwards. */
const SHARED_URL = TEST_REDIS_URL;
const shared = await needs('redis');
/** The outage tests start and kill a redis-server of their own. */
const own = await needs('redis-server');
const runPrefix = `wxtrack-test:guard:${randomBytes(6).toString('hex')}:`;
const SECRET = 'shared-secret-of-all-nodes-0123456789';

async function deletePrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', prefix + '*', 'COUNT', 1000);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

afterAll(async () => {
  if (!shared.available) return;
  const client = await openGuardRedis({ url: SHARED_URL });
  await deletePrefix(client, runPrefix);
  await client.quit();
});

let harnesses = 0;
shared.describe('Redis', () =>
  replayGuardContract('redis', async (clock) => {
    const client = await openGuardRedis({ url: SHARED_URL });
    const keyPrefix = `${runPrefix}${harnesses++}:`;
    const guard = new RedisReplayGuard({ client, clock, secret: SECRET, keyPrefix });
    return { guard, advance: async (ms) => clock.advance(ms), dispose: () => guard.close() };
  }),
);

shared.describe('RedisReplayGuard', () => {
  it('shares one truth between nodes: a signature bound on one is refused with another binding on the other', async () => {
    const clock = new ManualClock(NOW);
    const keyPrefix = `${runPrefix}nodes:`;
    const node1 = new RedisReplayGuard({
      client: await openGuardRedis({ url: SHARED_URL }),
      clock,
      secret: SECRET,
      keyPrefix,
    });
    const node2 = new RedisReplayGuard({
      client: await openGuardRedis({ url: SHARED_URL }),
      clock,
      secret: SECRET,
      keyPrefix,
    });
    try {
      const sig = 'a'.repeat(40);
      expect(await node1.check(sig, 'YT1\nopenA\nyto', NOW + 60_000)).toBe('first');
      expect(await node2.check(sig, 'YT2\nopenA\nyto', NOW + 60_000)).toBe('conflict');
      expect(await node2.check(sig, 'YT1\nopenA\nyto', NOW + 60_000)).toBe('repeat');
    } finally {
      await node1.close();
      await node2.close();
    }
  });

  it('keeps neither orderid nor openid in clear, and gives each key a real TTL', async () => {
    const clock = new ManualClock(NOW);
    const keyPrefix = `${runPrefix}clear:`;
    const client = await openGuardRedis({ url: SHARED_URL });
    const guard = new RedisReplayGuard({
      client: await openGuardRedis({ url: SHARED_URL }),
      clock,
      secret: SECRET,
      keyPrefix,
    });
    try {
      await guard.check('b'.repeat(40), 'YT7777777\noSecretOpenid\nyto', NOW + 60_000);
      const key = keyPrefix + 'b'.repeat(40);
      const value = (await client.get(key)) ?? '';
      expect(value).toMatch(/^\d+ [0-9a-f]{32}$/);
      expect(value).not.toContain('7777777');
      expect(value).not.toContain('oSecretOpenid');
      const ttl = await client.pttl(key);
      expect(ttl).toBeGreaterThan(60_000); // the entry's life plus the slack for node clocks
      expect(ttl).toBeLessThanOrEqual(70_000);
    } finally {
      await guard.close();
      await client.quit();
    }
  });

  it('hashes bindings with the configured secret: another secret does not recognise them', async () => {
    const clock = new ManualClock(NOW);
    const keyPrefix = `${runPrefix}secret:`;
    const a = new RedisReplayGuard({
      client: await openGuardRedis({ url: SHARED_URL }),
      clock,
      secret: SECRET,
      keyPrefix,
    });
    const b = new RedisReplayGuard({
      client: await openGuardRedis({ url: SHARED_URL }),
      clock,
      secret: 'a-different-secret-0123456789abcd',
      keyPrefix,
    });
    try {
      await a.check('c'.repeat(40), 'YT1\nopenA\nyto', NOW + 60_000);
      expect(await b.check('c'.repeat(40), 'YT1\nopenA\nyto', NOW + 60_000)).toBe('conflict');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('reloads its script after Redis forgot it (restart, failover)', async () => {
    const clock = new ManualClock(NOW);
    const client = await openGuardRedis({ url: SHARED_URL });
    const guard = new RedisReplayGuard({ client, clock, secret: SECRET, keyPrefix: `${runPrefix}noscript:` });
    try {
      // Not SCRIPT FLUSH: other tests share this Redis. A client whose EVALSHA fails as after a
      // flush stands in for it.
      const forgetful = Object.assign(Object.create(client) as Redis, {
        evalsha: () => Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.')),
      });
      const g2 = new RedisReplayGuard({
        client: forgetful,
        clock,
        secret: SECRET,
        keyPrefix: `${runPrefix}noscript:`,
      });
      expect(await g2.check('d'.repeat(40), 'YT1\nopenA\nyto', NOW + 60_000)).toBe('first');
      // ... through EVAL, which the ordinary client sees by EVALSHA
      expect(await guard.check('d'.repeat(40), 'YT1\nopenA\nyto', NOW + 60_000)).toBe('repeat');
    } finally {
      await guard.close();
    }
  });

  it('rejects a short secret', () => {
    const client = {
      evalsha: () => Promise.resolve(0),
      eval: () => Promise.resolve(0),
      quit: () => Promise.resolve(),
    };
    expect(() => new RedisReplayGuard({ client, clock: new ManualClock(0), secret: 'short' })).toThrow(
      RangeError,
    );
  });
});

own.describe('RedisReplayGuard when Redis goes away', () => {
  let server: RedisServer | undefined;
  let gw: GatewayFixture | undefined;
  afterEach(async () => {
    await gw?.close();
    await server?.stop();
  });

  /** Polls `attempt` until it resolves, up to a deadline. */
  async function until<T>(attempt: () => Promise<T>, deadlineMs: number): Promise<T> {
    const end = Date.now() + deadlineMs;
    for (;;) {
      try {
        return await attempt();
      } catch (error) {
        if (Date.now() > end) throw error;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  it('fails closed (check rejects, the gateway answers 50001) and recovers without a restart', async () => {
    server = await startRedisServer();
    const clock = new ManualClock(NOW);
    const client = createGuardRedis({ url: server.url });
    const guard = new RedisReplayGuard({ client, clock, secret: SECRET, keyPrefix: 'outage:' });
    gw = await gatewayFixture({ guard, events: [scan({ eventId: 'e1' })] });
    const code = async (url: string) =>
      (parseJsonpBody((await gw!.app.inject({ method: 'GET', url })).payload) as { err_code: number })
        .err_code;

    await until(() => guard.check('e'.repeat(40), 'b', NOW + 60_000), 10_000); // connected
    expect(await code(gw.signed('YT1234567890123', { nonce: '1' }))).toBe(0);

    const port = server.port;
    await server.stop();
    await expect(guard.check('f'.repeat(40), 'b', NOW + 60_000)).rejects.toThrow();
    // Every query now fails closed; none hangs (no offline queue, bounded commands).
    for (let i = 0; i < 5; i++)
      expect(await code(gw.signed('YT1234567890123', { nonce: `x${i}` }))).toBe(50001);
    expect(guard.stats().refusals).toBeGreaterThanOrEqual(6);

    server = await startRedisServer(port);
    const verdict = await until(() => guard.check('f'.repeat(40), 'b', NOW + 60_000), 15_000);
    expect(verdict).toBe('first'); // a fresh Redis, without persistence
    expect(await code(gw.signed('YT1234567890123', { nonce: '2' }))).toBe(0);
  });
});
