/**
 * @module
 * The shared budget on the machine's Redis (127.0.0.1:6379), under a prefix of its own that is
 * deleted afterwards: the store contract, no address in clear, a TTL on every key, and a Redis
 * restart that forgot the script.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { openGuardRedis } from '../../guard/redis/redis-client.js';
import { needs, TEST_REDIS_URL } from '../../testing/services.js';
import { budgetStoreContract } from '../budget-store.case.test.js';
import { RedisBudgetStore } from './redis-budget-store.js';

const SHARED_URL = TEST_REDIS_URL;
const shared = await needs('redis');
const runPrefix = `wxtrack-test:budget:${randomBytes(6).toString('hex')}:`;
const SECRET = 'shared-secret-of-all-nodes-0123456789';

async function keysUnder(client: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', prefix + '*', 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

afterAll(async () => {
  if (!shared.available) return;
  const client = await openGuardRedis({ url: SHARED_URL });
  const keys = await keysUnder(client, runPrefix);
  if (keys.length > 0) await client.del(...keys);
  await client.quit();
});

let harnesses = 0;
shared.describe('Redis', () =>
  budgetStoreContract('redis', async () => {
    const keyPrefix = `${runPrefix}${harnesses++}:`;
    const a = new RedisBudgetStore({
      client: await openGuardRedis({ url: SHARED_URL }),
      secret: SECRET,
      keyPrefix,
    });
    const b = new RedisBudgetStore({
      client: await openGuardRedis({ url: SHARED_URL }),
      secret: SECRET,
      keyPrefix,
    });
    return { stores: [a, b], dispose: async () => void (await Promise.all([a.close(), b.close()])) };
  }),
);

shared.describe('RedisBudgetStore', () => {
  it('keeps no address in clear, and gives every key a TTL of about a window', async () => {
    const keyPrefix = `${runPrefix}ttl:`;
    const store = new RedisBudgetStore({
      client: await openGuardRedis({ url: SHARED_URL }),
      secret: SECRET,
      keyPrefix,
    });
    const admin = await openGuardRedis({ url: SHARED_URL });
    try {
      await store.incr('203.0.113.9', 1_800_000_000_000, 60_000);
      const keys = await keysUnder(admin, keyPrefix);
      expect(keys).toHaveLength(1);
      expect(keys[0]).not.toContain('203.0.113.9');
      const ttl = await admin.pttl(keys[0]!);
      expect(ttl).toBeGreaterThan(60_000);
      expect(ttl).toBeLessThanOrEqual(70_000);
    } finally {
      await store.close();
      await admin.quit();
    }
  });

  it('loads its script again after Redis forgot it (restart, failover)', async () => {
    const keyPrefix = `${runPrefix}noscript:`;
    const client = await openGuardRedis({ url: SHARED_URL });
    const forgetful = Object.assign(Object.create(client) as Redis, {
      evalsha: () => Promise.reject(new Error('NOSCRIPT No matching script. Please use EVAL.')),
    });
    const store = new RedisBudgetStore({ client: forgetful, secret: SECRET, keyPrefix });
    try {
      expect(await store.incr('a', 1_800_000_000_000, 60_000)).toBe(1);
      expect(await store.incr('a', 1_800_000_000_000, 60_000)).toBe(2);
    } finally {
      await client.quit();
    }
  });
});
