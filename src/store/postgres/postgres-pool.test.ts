/**
 * @module
 * The pool's bounds, through a TCP proxy in front of the real PostgreSQL that the test freezes:
 * a server that stops answering without closing its sockets, which only timeouts reveal.
 */
import { afterEach, expect, it } from 'vitest';
import { TEST_POSTGRES_URL } from '../../testing/postgres-schema.js';
import { needs } from '../../testing/services.js';
import { startTcpProxy, type TcpProxy } from '../../testing/tcp-proxy.js';
import type { PgPool } from './postgres-driver.js';
import { createPostgresPool, POSTGRES_BOUNDS } from './postgres-pool.js';

const target = new URL(TEST_POSTGRES_URL);
const viaProxy = (port: number) => {
  const url = new URL(TEST_POSTGRES_URL);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
};

/** How long `work` took to settle, and how. */
async function timed(work: Promise<unknown>): Promise<{ ms: number; error: string | undefined }> {
  const t0 = performance.now();
  try {
    await work;
    return { ms: performance.now() - t0, error: undefined };
  } catch (err) {
    return { ms: performance.now() - t0, error: err instanceof Error ? err.message : String(err) };
  }
}

const postgres = await needs('postgres');

postgres.describe('createPostgresPool bounds every call', () => {
  let proxy: TcpProxy | undefined;
  let pool: PgPool | undefined;
  afterEach(async () => {
    proxy?.thaw();
    await pool?.end().catch(() => undefined);
    await proxy?.close();
    proxy = undefined;
    pool = undefined;
  });

  const open = async (bounds: {
    queryTimeoutMs?: number;
    connectTimeoutMs?: number;
    transactionTimeoutMs?: number;
  }) => {
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    pool = createPostgresPool({ url: viaProxy(proxy.port), max: 2, ...bounds });
    return { proxy, pool };
  };

  it('keeps the query path well inside WeChat’s 5 s by default', () => {
    expect(POSTGRES_BOUNDS.connectTimeoutMs + POSTGRES_BOUNDS.queryTimeoutMs).toBeLessThanOrEqual(2_500);
  });

  it('sets the server-side bounds and keepalive on every connection', async () => {
    const { pool } = await open({ transactionTimeoutMs: 12_000 });
    const show = async (name: string) =>
      ((await pool.query({ text: `SHOW ${name}` })).rows[0] as Record<string, string>)[name];
    expect(await show('statement_timeout')).toBe('12s');
    expect(await show('idle_in_transaction_session_timeout')).toBe('1min');
    expect(await show('application_name')).toBe('wxtrack');
  });

  it('fails a read on a frozen connection within its bound, and works again after the thaw', async () => {
    const { proxy, pool } = await open({ queryTimeoutMs: 400, connectTimeoutMs: 400 });
    await pool.query({ text: 'SELECT 1' }); // a connection is open and idle in the pool
    proxy.freeze();
    const frozen = await timed(pool.query({ text: 'SELECT 1' }));
    expect(frozen.error).toBe('Query read timeout');
    expect(frozen.ms).toBeGreaterThanOrEqual(350);
    expect(frozen.ms).toBeLessThan(1_500);
    // A second read: the timed-out connection was discarded; a new one cannot start meanwhile.
    const again = await timed(pool.query({ text: 'SELECT 2' }));
    expect(again.error).toBeDefined();
    expect(again.ms).toBeLessThan(1_500);
    proxy.thaw();
    expect((await pool.query({ text: 'SELECT 3 AS n' })).rows).toEqual([{ n: 3 }]);
  });

  it('fails a new connection to a frozen server within the connect bound', async () => {
    const { proxy, pool } = await open({ queryTimeoutMs: 400, connectTimeoutMs: 400 });
    proxy.freeze();
    const r = await timed(pool.query({ text: 'SELECT 1' }));
    expect(r.error).toMatch(/timeout/i);
    expect(r.ms).toBeLessThan(1_500);
  });

  it('bounds a statement inside a transaction, and its ROLLBACK does not wait as long again', async () => {
    const { proxy, pool } = await open({ transactionTimeoutMs: 500, connectTimeoutMs: 400 });
    const client = await pool.connect();
    await client.query({ text: 'BEGIN' });
    proxy.freeze();
    const statement = await timed(client.query({ text: 'SELECT 1' }));
    expect(statement.error).toBe('Query read timeout');
    expect(statement.ms).toBeLessThan(2_000);
    const rollback = await timed(client.query({ text: 'ROLLBACK' }));
    expect(rollback.error).toBe('Query read timeout');
    expect(rollback.ms).toBeLessThan(50);
    client.release(); // destroyed, not returned: it still waits for the frozen reply
    proxy.thaw();
    expect((await pool.query({ text: 'SELECT 4 AS n' })).rows).toEqual([{ n: 4 }]);
  });

  it('has the server end a statement that runs past the bound', async () => {
    const { pool } = await open({ transactionTimeoutMs: 300, queryTimeoutMs: 5_000 });
    const r = await timed(pool.query({ text: 'SELECT pg_sleep(3)' }));
    expect(r.error).toMatch(/statement timeout/);
    expect(r.ms).toBeLessThan(2_000);
  });
});
