import { describe, expect, it } from 'vitest';
import { secretFlagWarnings, type ReadText } from './settings.js';
import { loadGatewayConfig } from './gateway-config.js';

const KEY = 'an-owner-key-of-32-characters!!!';
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
const ENV = { YTO_TOKEN: 'yto-secret', WXTRACK_CONFIG: 'c.json' };

describe('the owner key (privacy tiers)', () => {
  it('is absent by default: nobody can be bound, everyone is a stranger', () => {
    const r = loadGatewayConfig({}, ENV, reader({ 'c.json': file({}) }));
    expect(r.ok && r.config.ownerKey).toBeUndefined();
  });

  it('comes from --owner-key, then WXTRACK_OWNER_KEY, then server.ownerKey (a secret reference)', () => {
    const read = reader({ 'c.json': file({ ownerKey: { env: 'OWNER' } }) });
    const key = (flags: Record<string, string>, env: Record<string, string>) => {
      const r = loadGatewayConfig(flags, { ...ENV, ...env }, read);
      return r.ok ? r.config.ownerKey : r.errors;
    };
    expect(key({}, { OWNER: KEY })).toBe(KEY);
    expect(key({}, { OWNER: KEY, WXTRACK_OWNER_KEY: KEY + 'v' })).toBe(KEY + 'v');
    expect(key({ 'owner-key': KEY + 'f' }, { OWNER: KEY })).toBe(KEY + 'f');
    expect(key({}, {})).toEqual([expect.stringMatching(/^server\.ownerKey: .*OWNER/)]);
  });

  it('refuses a short key, and warns when it is given as a flag', () => {
    const r = loadGatewayConfig({}, { ...ENV, WXTRACK_OWNER_KEY: 'short' }, reader({ 'c.json': file({}) }));
    expect(r.ok ? [] : r.errors).toEqual(['owner-key: must be 16 to 256 printable ASCII characters']);
    expect(secretFlagWarnings({ 'owner-key': KEY })).toEqual([
      expect.stringMatching(/^--owner-key puts a secret/),
    ]);
  });
});
