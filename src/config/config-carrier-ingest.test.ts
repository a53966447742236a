import { describe, expect, it } from 'vitest';
import { parseConfigText } from './config-file.js';
import { summarizeConfig } from './config-summary.js';
import { ingestInForce, loadImportConfig, loadIngestConfig } from './ingest-config.js';

const ENV = { YTO_TOKEN: 'yto-current', JT_TOKEN: 'jt-token' };

const carrier = (over: Record<string, unknown> = {}) => ({
  id: 'YTO',
  name: '圆通速递',
  tokens: [{ env: 'YTO_TOKEN' }],
  waybillPattern: 'YT\\d{13}',
  ...over,
});

const load = (config: unknown) => parseConfigText(JSON.stringify(config), { env: ENV });

describe('per-carrier scan codes, retention and body limit in the configuration file', () => {
  it('reads each carrier its own, and leaves a carrier without any to the global values', () => {
    const r = load({
      carriers: [
        carrier({
          eventCodes: { codes: { SCAN_IN: { status: 2, label: '到件' }, 退回: null } },
          retentionDays: 180,
          bodyLimit: '2MiB',
        }),
        carrier({ id: 'JT', tokens: [{ env: 'JT_TOKEN' }], waybillPattern: 'JT\\d{13}', bodyLimit: 4096 }),
        carrier({ id: 'SF', tokens: ['sf-inline'], waybillPattern: 'SF\\d{12}' }),
      ],
    });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const [yto, jt, sf] = r.config.carriers;
    expect(yto!.ingest!.eventCodes!.get('SCAN_IN')).toEqual({ status: 2, label: '到件' });
    // Laid over the built-in table: its codes stay, except the one set to null.
    expect(yto!.ingest!.eventCodes!.get('揽收')).toEqual({ status: 1, label: '已揽件' });
    expect(yto!.ingest!.eventCodes!.has('退回')).toBe(false);
    expect(yto!.ingest).toMatchObject({ retentionDays: 180, bodyLimitBytes: 2 * 1024 * 1024 });
    expect(jt!.ingest).toEqual({ bodyLimitBytes: 4096 });
    expect(sf!.ingest).toBeUndefined();
    const summary = summarizeConfig('f', r.config);
    expect(summary).toContain(
      `own ingest    ${yto!.ingest!.eventCodes!.size} scan codes, kept 180 days, pushes up to 2097152 bytes (over the global settings)`,
    );
    expect(summary.match(/own ingest/g)).toHaveLength(2);

    const global = loadIngestConfig(
      { 'retention-days': '30', 'body-limit': '1MiB' },
      { WXTRACK_EVENT_CODES: '/codes.json' },
      () => JSON.stringify({ codes: { GLOBAL: { status: 3, label: '派送中' } } }),
    );
    if (!global.ok) throw new Error(global.errors.join());
    // The carrier's own entry wins; the flags and variables set it for carriers without one.
    const y = ingestInForce(yto, global.config);
    expect(y.retentionDays).toBe(180);
    expect(y.bodyLimitBytes).toBe(2 * 1024 * 1024);
    expect(y.eventCodes.has('SCAN_IN')).toBe(true);
    expect(y.eventCodes.has('GLOBAL')).toBe(false);
    const j = ingestInForce(jt, global.config);
    expect(j).toMatchObject({ retentionDays: 30, bodyLimitBytes: 4096 });
    expect(j.eventCodes.has('GLOBAL')).toBe(true);
    const s = ingestInForce(sf, global.config);
    expect(s).toMatchObject({ retentionDays: 30, bodyLimitBytes: 1024 * 1024 });
  });

  it('replaces the built-in table when the carrier says replaceDefaults', () => {
    const r = load({
      carriers: [
        carrier({ eventCodes: { codes: { IN: { status: 1, label: '收' } }, replaceDefaults: true } }),
      ],
    });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect([...r.config.carriers[0]!.ingest!.eventCodes!.keys()]).toEqual(['IN']);
  });

  it('reports every problem of every carrier at once, each by its path', () => {
    const r = load({
      carriers: [
        carrier({
          eventCodes: { codes: { ' X': { status: 2, label: 'x' }, Y: { status: 9, label: 'y' } } },
          retentionDays: 0,
          bodyLimit: '10 parsecs',
        }),
        carrier({ id: 'JT', tokens: [{ env: 'JT_TOKEN' }], waybillPattern: 'JT\\d{13}', bodyLimit: '2GiB' }),
        carrier({
          id: 'SF',
          tokens: ['sf-inline'],
          waybillPattern: 'SF\\d{12}',
          bodyLimit: '100',
          eventCodes: { codes: { ' Z': { status: 1, label: 'z' } } },
        }),
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = r.errors.join('\n');
    expect(text).toContain('carriers[0].eventCodes.codes.Y.status: 9 is not from 0 to 6');
    expect(text).toContain('carriers[0].retentionDays: 0 is not from 1 to 36500');
    expect(text).toContain('carriers[0].bodyLimit: "10 parsecs" must be a whole number of bytes, KiB or MiB');
    expect(text).toContain('carriers[1].bodyLimit: "2GiB" must be');
    // SF passed the schema: its meaning is checked too, in the same run.
    expect(text).toMatch(/carriers\[2\]\.bodyLimit: "100" must be from 1024 bytes/);
    expect(text).toMatch(/carriers\[2\]\.eventCodes\.codes\[" Z"\]: a code is 1 to 32 characters/);
  });

  it('gives import the carrier its --carrier picks, with that carrier own settings', () => {
    const text = JSON.stringify({
      carriers: [
        carrier({ eventCodes: { codes: { SCAN_IN: { status: 2, label: '到件' } } } }),
        carrier({ id: 'JT', tokens: [{ env: 'JT_TOKEN' }], waybillPattern: 'JT\\d{13}' }),
      ],
    });
    const read = () => text;
    const yto = loadImportConfig({ config: '/c.json', carrier: 'YTO' }, {}, read);
    if (!yto.ok) throw new Error(yto.errors.join());
    expect(yto.config.ingest?.eventCodes?.has('SCAN_IN')).toBe(true);
    const jt = loadImportConfig({ config: '/c.json', carrier: 'JT' }, {}, read);
    if (!jt.ok) throw new Error(jt.errors.join());
    expect(jt.config.ingest).toBeUndefined();
  });
});

describe('the example file', () => {
  it("shows YTO's own settings as the README quotes them, in both languages", async () => {
    const { readFileSync } = await import('node:fs');
    const r = parseConfigText(readFileSync('wxtrack.config.example.json', 'utf8'), {
      env: { ...ENV, YTO_TOKEN_PREVIOUS: 'yto-previous' },
    });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const row = /own ingest {4}(.*) \(over the global settings\)/.exec(summarizeConfig('f', r.config))![1]!;
    const readme = readFileSync('README.md', 'utf8').replace(/\n/g, ' ');
    expect(readme.split(`own ingest  ${row}`)).toHaveLength(3);
  });
});
