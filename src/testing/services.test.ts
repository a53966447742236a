import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probe, probePostgres, probeRedis, REQUIRE_SERVICES_VAR, servicesRequired } from './services.js';

describe('servicesRequired', () => {
  it('is on for 1 (what .ci/run sets) and any other value but empty, 0 and false', () => {
    expect(servicesRequired({ [REQUIRE_SERVICES_VAR]: '1' })).toBe(true);
    expect(servicesRequired({ [REQUIRE_SERVICES_VAR]: 'yes' })).toBe(true);
    expect(servicesRequired({})).toBe(false);
    expect(servicesRequired({ [REQUIRE_SERVICES_VAR]: '' })).toBe(false);
    expect(servicesRequired({ [REQUIRE_SERVICES_VAR]: '0' })).toBe(false);
    expect(servicesRequired({ [REQUIRE_SERVICES_VAR]: 'FALSE' })).toBe(false);
  });

  it('names an unreachable Redis and PostgreSQL by address, never by password', async () => {
    expect(await probeRedis('redis://:pw@127.0.0.1:1')).toMatch(
      /^Redis not reachable at 127\.0\.0\.1:1 \(ECONNREFUSED\): start one/,
    );
    const pgWhy = await probePostgres('postgres://u:s3cret@127.0.0.1:1/test');
    expect(pgWhy).toMatch(/^PostgreSQL not reachable at 127\.0\.0\.1:1 \(.*ECONNREFUSED/);
    expect(pgWhy).not.toContain('s3cret');
  });
});

describe('probe', () => {
  const saved = { ...process.env };
  let server: Server | undefined;
  afterEach(() => {
    server?.close();
    server = undefined;
    process.env = { ...saved };
  });

  it('names a missing executable and how to get it', () => {
    process.env.WXTRACK_TEST_NGINX = '/nonexistent/nginx';
    expect(probe('nginx')).toBe(
      'nginx not installed: apt-get install nginx-light, or set WXTRACK_TEST_NGINX to its path',
    );
    process.env.WXTRACK_TEST_CHROMIUM = '/nonexistent/chromium';
    expect(probe('chromium')).toMatch(/^Chromium not installed: apt-get install chromium/);
  });

  it('accepts an executable that runs', () => {
    process.env.WXTRACK_TEST_REDIS_SERVER = process.execPath; // `node --version` exits 0
    expect(probe('redis-server')).toBeUndefined();
  });

  it('names a Redis that does not answer PING with PONG', async () => {
    // A server that accepts and answers something else, as a wrong service on the port would.
    server = createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    expect(await probeRedis(`redis://127.0.0.1:${port}`)).toMatch(
      new RegExp(`^Redis not reachable at 127\\.0\\.0\\.1:${port} \\(PING answered HTTP/1\\.1 400`),
    );
  });

  it('names an unreachable Redis and PostgreSQL by address, never by password', async () => {
    expect(await probeRedis('redis://:pw@127.0.0.1:1')).toMatch(
      /^Redis not reachable at 127\.0\.0\.1:1 \(ECONNREFUSED\): start one/,
    );
    const pgWhy = await probePostgres('postgres://u:s3cret@127.0.0.1:1/test');
    expect(pgWhy).toMatch(/^PostgreSQL not reachable at 127\.0\.0\.1:1 \(.*ECONNREFUSED/);
    expect(pgWhy).not.toContain('s3cret');
  });
});
