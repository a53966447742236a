import { describe, expect, it } from 'vitest';
import { INGEST_DEFAULTS } from './settings.js';
import { loadIngestConfig, parseByteSize } from './ingest-config.js';
import { main } from '../cli/main.js';

const files = (map: Record<string, string>) => (path: string) => {
  const text = map[path];
  if (text === undefined) throw new Error(`ENOENT: ${path}`);
  return text;
};

describe('loadIngestConfig', () => {
  it('defaults to a 10 MiB body limit, the default codes, no retention and no CSV map', () => {
    const r = loadIngestConfig({}, {});
    if (!r.ok) throw new Error(r.errors.join());
    expect(r.config.bodyLimitBytes).toBe(10 * 1024 * 1024);
    expect(INGEST_DEFAULTS.bodyLimitBytes).toBe(10 * 1024 * 1024);
    expect(r.config.eventCodes.get('签收')).toEqual({ status: 4, label: '已签收' });
    expect(r.config.retentionDays).toBeUndefined();
    expect(r.config.csvMap).toEqual({});
  });

  it('reads flags before variables', () => {
    const r = loadIngestConfig(
      { 'body-limit': '2MiB', 'retention-days': '30' },
      { WXTRACK_BODY_LIMIT: '5MiB', WXTRACK_RETENTION_DAYS: '90', WXTRACK_CSV_MAP: 'waybill=运单号' },
    );
    expect(r).toMatchObject({
      ok: true,
      config: { bodyLimitBytes: 2 * 1024 * 1024, retentionDays: 30, csvMap: { waybill: '运单号' } },
    });
    const v = loadIngestConfig({}, { WXTRACK_BODY_LIMIT: '512KiB', WXTRACK_RETENTION_DAYS: '90' });
    expect(v).toMatchObject({ ok: true, config: { bodyLimitBytes: 512 * 1024, retentionDays: 90 } });
  });

  it('loads a custom code mapping file named by flag or variable', () => {
    const read = files({
      '/codes.json': JSON.stringify({ codes: { SCAN_IN: { status: 2, label: '到件' } } }),
    });
    for (const [flags, env] of [
      [{ 'event-codes': '/codes.json' }, {}],
      [{}, { WXTRACK_EVENT_CODES: '/codes.json' }],
    ] as const) {
      const r = loadIngestConfig(flags, env, read);
      if (!r.ok) throw new Error(r.errors.join());
      expect(r.config.eventCodes.get('SCAN_IN')).toEqual({ status: 2, label: '到件' });
      expect(r.config.eventCodes.get('揽收')).toBeDefined();
    }
  });

  it('reports every problem, each naming its setting', () => {
    const read = files({
      '/bad.json': JSON.stringify({ codes: { X: { status: 7, label: 'x' } } }),
      '/broken.json': '{',
    });
    const r = loadIngestConfig(
      // parseArgs hands a repeatable flag over as an array, outside the Flags type.
      {
        'body-limit': '10 parsecs',
        'retention-days': '0',
        'event-codes': '/bad.json',
        map: ['waybill'] as never,
      },
      {},
      read,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(4);
    expect(r.errors.join('\n')).toMatch(
      /body-limit.*\n.*event-codes \/bad.json: codes\["X"\].status.*\n.*retention-days.*\n.*map/,
    );
    const missing = loadIngestConfig({ 'event-codes': '/none.json' }, {}, read);
    expect(missing).toMatchObject({ ok: false, errors: [expect.stringContaining('cannot read /none.json')] });
    const broken = loadIngestConfig({ 'event-codes': '/broken.json' }, {}, read);
    expect(broken.ok).toBe(false);
  });

  it('parses byte sizes in powers of 1024', () => {
    expect(parseByteSize('1048576')).toBe(1048576);
    expect(parseByteSize('10MiB')).toBe(10 * 1024 * 1024);
    expect(parseByteSize('64k')).toBe(64 * 1024);
    expect(parseByteSize('1.5MiB')).toBeUndefined();
  });
});

describe('wxtrack serve with bad ingest settings', () => {
  it('refuses to start, naming the setting', async () => {
    let err = '';
    const code = await main(
      ['serve', '--token', 'tok123456', '--event-codes', '/nonexistent/codes.json', '--body-limit', 'x'],
      {
        out: () => {},
        err: (t) => void (err += t),
      },
    );
    expect(code).toBe(2);
    expect(err).toContain('event-codes: cannot read /nonexistent/codes.json');
    expect(err).toContain('body-limit');
  });
});
