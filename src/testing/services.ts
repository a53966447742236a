/**
 * @module
 * The gate for test suites that need a service outside Node: PostgreSQL, the machine's Redis,
 * redis-server (for tests that start and kill their own), nginx, Chromium. `npm test` must pass on
 * a machine with Node and npm alone, so a suite whose service is missing is skipped, with one line
 * naming what is missing and how to get it. CI must never pass by skipping, so `.ci/run` sets
 * `WXTRACK_REQUIRE_SERVICES=1`, under which a missing service fails the test file instead.
 *
 * Usage, at the top of a test file (top-level await; vitest collects the file after it):
 *
 *     const gate = await needs('postgres', 'nginx');
 *     gate.describe('…', () => { … });   // describe, or describe.skip when a service is missing
 *
 * Where each service is found (all optional):
 * - WXTRACK_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test, trust auth)
 * - WXTRACK_TEST_REDIS_URL (default redis://127.0.0.1:6379)
 * - WXTRACK_TEST_REDIS_SERVER, WXTRACK_TEST_NGINX, WXTRACK_TEST_CHROMIUM: executables (defaults:
 *   redis-server and nginx on PATH or in /usr/sbin, /usr/bin/chromium)
 *
 * Probes are cheap (a connect with a 5 s bound, a stat), run once per test file.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import pg from 'pg';
import { describe } from 'vitest';

export type Service = 'postgres' | 'redis' | 'redis-server' | 'nginx' | 'chromium';

/** Under this variable set to 1 (`.ci/run` sets it), a missing service fails the run. */
export const REQUIRE_SERVICES_VAR = 'WXTRACK_REQUIRE_SERVICES';

export const TEST_POSTGRES_URL =
  process.env.WXTRACK_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.WXTRACK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Generous: a loaded machine can take seconds to accept a connection; a closed port refuses at once. */
const PROBE_MS = 5000;

/** The test PostgreSQL's host and port (for a proxy in front of it). */
export function testPostgresAddress(): { host: string; port: number } {
  const u = new URL(TEST_POSTGRES_URL);
  return { host: u.hostname, port: Number(u.port || 5432) };
}

/** The test PostgreSQL URL with another database, or through another port (a proxy on 127.0.0.1). */
export function testPostgresUrl(change: { database?: string; port?: number }): string {
  const u = new URL(TEST_POSTGRES_URL);
  if (change.database !== undefined) u.pathname = '/' + change.database;
  if (change.port !== undefined) {
    u.hostname = '127.0.0.1';
    u.port = String(change.port);
  }
  return u.toString();
}

/** An executable: the variable's path, else the first of `names` on PATH or in the sbin folders. */
function findExecutable(variable: string, names: readonly string[]): string | undefined {
  const given = process.env[variable];
  const candidates = given
    ? [given]
    : names.flatMap((n) =>
        n.includes('/')
          ? [n]
          : [...(process.env.PATH ?? '').split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin']
              .filter(Boolean)
              .map((d) => join(d, n)),
      );
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  return undefined;
}

/** host:port of a URL, for messages (never its password). */
function where(url: string, defaultPort: number): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || defaultPort}`;
  } catch {
    return 'an unparsable URL';
  }
}

/** Why PostgreSQL at `url` cannot be used, or undefined when a query runs. */
export async function probePostgres(url = TEST_POSTGRES_URL): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: PROBE_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (e) {
    const reason = (e as Error).message || (e as { code?: string }).code || String(e);
    return (
      `PostgreSQL not reachable at ${where(url, 5432)} (${reason}): start it with a ` +
      `database "test" the user can use, or point WXTRACK_TEST_POSTGRES_URL at one`
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Why Redis at `url` cannot be used, or undefined when it answers PING. */
export function probeRedis(url = TEST_REDIS_URL): Promise<string | undefined> {
  let host = '127.0.0.1';
  let port = 6379;
  try {
    const u = new URL(url);
    host = u.hostname;
    port = Number(u.port || 6379);
  } catch {
    // keep the defaults; the probe then says where it looked
  }
  const missing = (reason: string) =>
    `Redis not reachable at ${host}:${port} (${reason}): start one (redis-server --save '') ` +
    `or point WXTRACK_TEST_REDIS_URL at one`;
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let reply = '';
    const done = (result: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(missing(`no answer within ${PROBE_MS} ms`)), PROBE_MS);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) {
        done(reply.startsWith('+PONG') ? undefined : missing(`PING answered ${reply.trim().slice(0, 60)}`));
      }
    });
    socket.once('error', (e: NodeJS.ErrnoException) => done(missing(e.code ?? e.message)));
  });
}

function probeExecutable(
  variable: string,
  names: readonly string[],
  what: string,
  install: string,
  versionArg?: string,
): string | undefined {
  const path = findExecutable(variable, names);
  const hint = `${install}, or set ${variable} to its path`;
  if (!path) return `${what} not installed: ${hint}`;
  if (versionArg) {
    const run = spawnSync(path, [versionArg], { timeout: 5000, stdio: 'ignore' });
    if (run.error || run.status !== 0) return `${what} at ${path} does not run: ${hint}`;
  }
  return undefined;
}

/** Where the executables are, for the tests that spawn them (undefined when missing). */
export const executables = {
  redisServer: (): string | undefined => findExecutable('WXTRACK_TEST_REDIS_SERVER', ['redis-server']),
  nginx: (): string | undefined => findExecutable('WXTRACK_TEST_NGINX', ['nginx']),
  chromium: (): string | undefined =>
    findExecutable('WXTRACK_TEST_CHROMIUM', ['/usr/bin/chromium', 'chromium', 'chromium-browser']),
};

/** Why a service is missing, or undefined when it is there. */
export function probe(service: Service): Promise<string | undefined> | string | undefined {
  switch (service) {
    case 'postgres':
      return probePostgres();
    case 'redis':
      return probeRedis();
    case 'redis-server':
      return probeExecutable(
        'WXTRACK_TEST_REDIS_SERVER',
        ['redis-server'],
        'redis-server',
        'apt-get install redis-server',
        '--version',
      );
    case 'nginx':
      return probeExecutable('WXTRACK_TEST_NGINX', ['nginx'], 'nginx', 'apt-get install nginx-light', '-v');
    case 'chromium':
      return probeExecutable(
        'WXTRACK_TEST_CHROMIUM',
        ['/usr/bin/chromium', 'chromium', 'chromium-browser'],
        'Chromium',
        'apt-get install chromium',
      );
  }
}

export interface ServiceGate {
  /** Empty when every service is there. */
  readonly missing: readonly string[];
  readonly available: boolean;
  /** vitest's `describe`, skipping its suite when a service is missing. */
  readonly describe: ReturnType<typeof describe.skipIf>;
}

/** Whether a missing service fails the run (CI) rather than skipping the suite. */
export function servicesRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env[REQUIRE_SERVICES_VAR];
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/**
 * Probes the services a test file needs. When one is missing: prints one line naming it and how
 * to get it, and returns a gate whose `describe` skips; under WXTRACK_REQUIRE_SERVICES=1 throws
 * instead, which fails the file.
 */
export async function needs(...services: Service[]): Promise<ServiceGate> {
  const reasons = await Promise.all(services.map((s) => probe(s)));
  const missing = reasons.filter((r): r is string => r !== undefined);
  if (missing.length > 0) {
    const line = missing.join('; ');
    if (servicesRequired()) {
      throw new Error(`${line} (${REQUIRE_SERVICES_VAR}=1: a missing service fails the run)`);
    }
    console.warn(`skipped, needs a service: ${line}`);
  }
  return {
    missing,
    available: missing.length === 0,
    describe: describe.skipIf(missing.length > 0),
  };
}
