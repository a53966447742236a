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
import { startTcpProxy } from '../../testing/tcp-proxy.js';
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

  it('with another secret on another node: still refuses a replay, and refuses an honest retry too (docs/deployment.md)', async () => {
    const clock = new ManualClock(NOW);
    const keyPrefix = `${runPrefix}secrets:`;
    const a = new RedisReplayGuard({
      client: await openGuardRedis({ url: SHARED_URL }),
      clock,
      secret: SECRET,
      keyPrefix,
    });
    const b = new RedisReplayGuard({
      client: await openGuardRedis({ url: SHARED_URL }),
      clock,
      secret: 'another-secret-of-one-node-9876543210',
      keyPrefix,
    });
    try {
      const sig = 'e'.repeat(40);
      expect(await a.check(sig, 'YT1\nopenA\nyto', NOW + 60_000)).toBe('first');
      // The key is the signature: a replay for another parcel is still refused on node b ...
      expect(await b.check(sig, 'YT2\nopenA\nyto', NOW + 60_000)).toBe('conflict');
      // ... but so is the identical URL, which node a would have served again.
      expect(await b.check(sig, 'YT1\nopenA\nyto', NOW + 60_000)).toBe('conflict');
      expect(await a.check(sig, 'YT1\nopenA\nyto', NOW + 60_000)).toBe('repeat');
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
    gw = undefined;
    server = undefined;
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
    // A fresh Redis, without persistence: it forgot every binding, so a signature stamped before
    // the restart is refused (40003), not bound anew; one stamped after it is served.
    const verdict = await until(() => guard.check('f'.repeat(40), 'b', NOW + 60_000), 15_000);
    expect(verdict).toBe('conflict');
    expect(await code(gw.signed('YT1234567890123', { nonce: '2' }))).toBe(40003);
    gw.clock.advance(11_000);
    expect(await code(gw.signed('YT1234567890123', { nonce: '3' }))).toBe(0);
  });

  it('notices a Redis restart that lost every binding, and refuses replays of signatures stamped before it', async () => {
    server = await startRedisServer();
    const clock = new ManualClock(NOW);
    const losses: number[] = [];
    const node = (onMemoryLoss?: (since: number) => void) =>
      new RedisReplayGuard({
        client: createGuardRedis({ url: server!.url }),
        clock,
        secret: SECRET,
        keyPrefix: 'restart:',
        ...(onMemoryLoss ? { onMemoryLoss } : {}),
      });
    const a = node((since) => losses.push(since));
    const b = node();
    try {
      // 100 signatures, stamped over the last minute, bound on node A.
      const WINDOW = 300_000;
      const sig = (i: number) => i.toString(16).padStart(40, '0');
      const expiresAt = (i: number) => NOW - 60_000 + i * 600 + WINDOW + 1000;
      await until(() => a.check(sig(1000), 'warm-up', NOW + WINDOW), 10_000);
      await until(() => b.check(sig(1000), 'warm-up', NOW + WINDOW), 10_000);
      for (let i = 0; i < 100; i++)
        expect(await a.check(sig(i), `YT${i}\nvictim`, expiresAt(i))).toBe('first');

      const port = server.port;
      await server.stop();
      server = await startRedisServer(port); // --save '': nothing survives
      clock.advance(2_000);

      // Replayed on node B with another orderid and openid: none is served.
      let served = 0;
      for (let i = 0; i < 100; i++) {
        const v = await until(() => b.check(sig(i), `YT${i + 1000}\nattacker`, expiresAt(i)), 10_000);
        if (v !== 'conflict') served++;
      }
      expect(served).toBe(0);
      expect(b.lossRefusals).toBe(100);
      // Node A, which saw the old marker, learns of the loss at its next check and logs it once.
      expect(await until(() => a.check(sig(0), 'YT0\nvictim', expiresAt(0)), 10_000)).toBe('conflict');
      expect(losses).toHaveLength(1);
      expect(losses[0]).toBeGreaterThanOrEqual(NOW);

      // A signature stamped after the loss (and its margin) is judged as ever: bound, then guarded.
      clock.advance(11_000);
      const fresh = clock.now() + WINDOW + 1000;
      expect(await b.check(sig(500), 'YT500\nreader', fresh)).toBe('first');
      expect(await a.check(sig(500), 'YT500\nreader', fresh)).toBe('repeat');
      expect(await a.check(sig(500), 'YT501\nattacker', fresh)).toBe('conflict');

      // One window later every signature from before the loss has expired: nothing more refused.
      clock.advance(2 * WINDOW);
      const later = clock.now() + WINDOW + 1000;
      expect(await a.check(sig(600), 'YT600\nreader', later)).toBe('first');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a gateway that starts after the loss, before any running one notices it, cannot reopen the window', async () => {
    server = await startRedisServer();
    const clock = new ManualClock(NOW);
    const node = () =>
      new RedisReplayGuard({
        client: createGuardRedis({ url: server!.url }),
        clock,
        secret: SECRET,
        keyPrefix: 'late:',
      });
    const running = node();
    let starter: RedisReplayGuard | undefined;
    try {
      const exp = NOW + 300_000;
      await until(() => running.check('1'.repeat(40), 'YT1\nvictim', exp), 10_000);
      const port = server.port;
      await server.stop();
      server = await startRedisServer(port);
      clock.advance(1_000);
      // The new process finds no marker and, never having seen one, takes Redis as new...
      starter = node();
      expect(await until(() => starter!.check('2'.repeat(40), 'YT2\nvictim', exp), 10_000)).toBe('first');
      // ...until the running one, which knew the old marker, moves the start of memory to now.
      expect(await until(() => running.check('1'.repeat(40), 'YT9\nattacker', exp), 10_000)).toBe('conflict');
      expect(await starter.check('3'.repeat(40), 'YT3\nattacker', exp)).toBe('conflict');
      expect(await starter.check('2'.repeat(40), 'YT2\nvictim', exp)).toBe('repeat');
    } finally {
      await running.close();
      await starter?.close();
    }
  });

  it('fails a check within its bound while Redis hangs (a frozen connection), and recovers after', async () => {
    server = await startRedisServer();
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: server.port });
    const clock = new ManualClock(NOW);
    const guard = new RedisReplayGuard({
      client: createGuardRedis({ url: `redis://127.0.0.1:${proxy.port}` }),
      clock,
      secret: SECRET,
      keyPrefix: 'frozen:',
    });
    try {
      await until(() => guard.check('7'.repeat(40), 'b', NOW + 60_000), 10_000);
      proxy.freeze();
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await expect(guard.check('8'.repeat(40), 'b', NOW + 60_000)).rejects.toThrow(/timed out/i);
        expect(performance.now() - t0).toBeLessThan(1_000); // commandTimeout 500 ms
      }
      proxy.thaw();
      // The timed-out checks reached Redis after the thaw and bound the signature: the same URL is a
      // refresh, another binding still a replay. A late command never weakens the guard.
      expect(await until(() => guard.check('8'.repeat(40), 'b', NOW + 60_000), 10_000)).toBe('repeat');
      expect(await guard.check('8'.repeat(40), 'other', NOW + 60_000)).toBe('conflict');
    } finally {
      proxy.thaw();
      await guard.close();
      await proxy.close();
    }
  });
});
