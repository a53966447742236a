import { describe, expect, it } from 'vitest';
import { redactUrl, type ReadText } from './settings.js';
import { describeStore, loadStoreConfig, storeSpecOf } from './store-settings.js';
import { loadGatewayConfig } from './gateway-config.js';
import { loadImportConfig } from './ingest-config.js';

const SECRET = 'a-guard-secret-of-32-characters!';
const file = (server: object) =>
  JSON.stringify({
    server,
    carriers: [{ id: 'YTO', name: '圆通速递', tokens: [{ env: 'YTO_TOKEN' }], waybillPattern: 'YT\\d{13}' }],
  });
const reader =
  (files: Record<string, string>): ReadText =>
  (path) => {
    const text = files[path];
    if (text === undefined) throw new Error('ENOENT: no such file');
    return text;
  };

describe('the store a command opens', () => {
  it('is a SQLite file, or PostgreSQL for a postgres:// URL', () => {
    expect(storeSpecOf('./data/x.db')).toEqual({ kind: 'sqlite', path: './data/x.db' });
    expect(storeSpecOf('postgresql://u:p@db/wx')).toEqual({
      kind: 'postgres',
      url: 'postgresql://u:p@db/wx',
    });
    expect(storeSpecOf('POSTGRES://db/wx').kind).toBe('postgres');
  });

  it("comes from --db, then WXTRACK_DB, then the file's server.db, then the default", () => {
    const read = reader({ 'c.json': file({ db: '/srv/file.db' }) });
    const env = { YTO_TOKEN: 'yto-secret', WXTRACK_CONFIG: 'c.json' };
    const db = (flags: Record<string, string>, e: Record<string, string>) => {
      const r = loadStoreConfig(flags, e, read);
      return r.ok ? describeStore(r.config.store) : r.errors.join();
    };
    expect(db({ db: '/flag.db' }, { ...env, WXTRACK_DB: '/env.db' })).toBe('/flag.db');
    expect(db({}, { ...env, WXTRACK_DB: '/env.db' })).toBe('/env.db');
    expect(db({}, env)).toBe('/srv/file.db');
    expect(db({ config: 'c.json' }, { YTO_TOKEN: 'yto-secret' })).toBe('/srv/file.db');
    expect(db({}, {})).toBe('./data/wxtrack.db');
  });

  it('is resolved alike by serve, import and the store-only commands', () => {
    const read = reader({ 'c.json': file({ db: '/srv/file.db' }) });
    const env = { YTO_TOKEN: 'yto-secret', WXTRACK_CONFIG: 'c.json' };
    const serve = loadGatewayConfig({}, env, read);
    const imp = loadImportConfig({}, env, read);
    const store = loadStoreConfig({}, env, read);
    const specs = [serve, imp, store].map((r) => (r.ok ? r.config.store : r.errors));
    expect(specs).toEqual([1, 2, 3].map(() => ({ kind: 'sqlite', path: '/srv/file.db' })));
  });

  it('reads a URL holding a password from an environment variable named in the file', () => {
    const read = reader({ 'c.json': file({ db: { env: 'PG_URL' } }) });
    const r = loadStoreConfig(
      { config: 'c.json' },
      { YTO_TOKEN: 'yto-secret', PG_URL: 'postgres://wx:s3cret@db:5432/wx' },
      read,
    );
    expect(r.ok && r.config.store).toEqual({ kind: 'postgres', url: 'postgres://wx:s3cret@db:5432/wx' });
    expect(r.ok && describeStore(r.config.store)).toBe('postgres://wx:***@db:5432/wx');
  });

  it('warns about a password written in the file, and names an unset reference', () => {
    const inline = loadGatewayConfig(
      { config: 'c.json' },
      { YTO_TOKEN: 'yto-secret' },
      reader({ 'c.json': file({ db: 'postgres://wx:s3cret@db/wx' }) }),
    );
    expect(inline.ok && inline.config.warnings).toContain(
      'server.db: URL with a password written in the file; use {"env": "NAME"}',
    );
    const unset = loadStoreConfig(
      { config: 'c.json' },
      { YTO_TOKEN: 'yto-secret' },
      reader({ 'c.json': file({ db: { env: 'PG_URL' } }) }),
    );
    expect(unset.ok ? [] : unset.errors).toEqual(['server.db: environment variable PG_URL is not set']);
  });

  it('masks only the password of a URL', () => {
    expect(redactUrl('redis://:pw@127.0.0.1:6379/0')).toBe('redis://:***@127.0.0.1:6379/0');
    expect(redactUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
    expect(redactUrl('./data/x.db')).toBe('./data/x.db');
  });
});

describe('the replay guard and workers', () => {
  it('is the memory guard by default, and Redis with a URL and a shared secret', () => {
    const mem = loadGatewayConfig({ token: 'abc' }, {});
    expect(mem.ok && mem.config.guard).toEqual({ kind: 'memory', maxEntries: 3_005_000 });
    const redis = loadGatewayConfig(
      { token: 'abc', redis: 'redis://127.0.0.1:6379' },
      { WXTRACK_GUARD_SECRET: SECRET },
    );
    expect(redis.ok && redis.config.guard).toEqual({
      kind: 'redis',
      url: 'redis://127.0.0.1:6379',
      secret: SECRET,
    });
  });

  it('sizes the memory guard for its whole window at the configured rate, unless told its size', () => {
    const entries = (flags: Record<string, string>) => {
      const r = loadGatewayConfig({ token: 'abc', ...flags }, {});
      return r.ok && r.config.guard.kind === 'memory' ? r.config.guard.maxEntries : r;
    };
    // an entry lives up to 2 × window + 1 s (guard/guard-capacity.ts)
    expect(entries({ 'replay-max-rate': '30000' })).toBe(30_000 * 601);
    expect(entries({ 'replay-max-rate': '1000', 'window-seconds': '60' })).toBe(1000 * 121);
    expect(entries({ 'replay-max-rate': '1000', 'replay-max-entries': '5000' })).toBe(5000);
  });

  it('takes the Redis URL and secret from the file, by reference', () => {
    const r = loadGatewayConfig(
      { config: 'c.json' },
      { YTO_TOKEN: 'yto-secret', REDIS_URL: 'redis://:pw@r:6379', GUARD: SECRET },
      reader({ 'c.json': file({ redis: { env: 'REDIS_URL' }, guardSecret: { env: 'GUARD' }, workers: 2 }) }),
    );
    expect(r.ok && [r.config.guard, r.config.workers]).toEqual([
      { kind: 'redis', url: 'redis://:pw@r:6379', secret: SECRET },
      2,
    ]);
  });

  it('refuses Redis without a secret, a short secret, or a URL that is not redis://', () => {
    const errors = (flags: Record<string, string>, env: Record<string, string> = {}) => {
      const r = loadGatewayConfig({ token: 'abc', ...flags }, env);
      return r.ok ? [] : r.errors;
    };
    expect(errors({ redis: 'redis://h' })).toEqual([
      expect.stringMatching(/^guard-secret: required with --redis/),
    ]);
    expect(errors({ redis: 'redis://h', 'guard-secret': 'short' })).toEqual([
      'guard-secret: must be 16 to 256 printable ASCII characters',
    ]);
    expect(errors({ redis: 'http://:pw@h', 'guard-secret': SECRET })).toEqual([
      'redis: "http://:***@h" is not a redis:// or rediss:// URL',
    ]);
    expect(errors({ 'guard-secret': SECRET })).toEqual([
      expect.stringMatching(/^guard-secret: only used with --redis/),
    ]);
  });

  it('refuses several workers on the memory guard, which one process cannot share', () => {
    const r = loadGatewayConfig({ token: 'abc', workers: '2' }, {});
    expect(r.ok ? [] : r.errors).toEqual([
      'workers: 2 processes need a shared replay guard; set --redis (WXTRACK_REDIS_URL) or use --workers 1',
    ]);
    const ok = loadGatewayConfig(
      { token: 'abc', workers: '2', redis: 'redis://h' },
      { WXTRACK_GUARD_SECRET: SECRET },
    );
    expect(ok.ok && ok.config.workers).toBe(2);
  });
});
