import { afterEach, describe, expect, it, vi } from 'vitest';
import { computeSignature } from '../../protocol/signature.js';
import { main } from '../main.js';

describe('wxtrack sign', () => {
  it('prints a URL whose signature verifies with the token', async () => {
    let out = '';
    const code = await main(
      ['sign', '--token', 'tok123', '--orderid', 'YT1', '--url', 'https://x.example/track'],
      {
        out: (t) => void (out += t),
        err: () => undefined,
      },
    );
    expect(code).toBe(0);
    const url = new URL(out.trim());
    expect(url.origin + url.pathname).toBe('https://x.example/track');
    const p = url.searchParams;
    expect(p.get('orderid')).toBe('YT1');
    expect(p.get('callback')).toBe('WxOrderCb');
    expect(Math.abs(Number(p.get('timestamp')) - Date.now() / 1000)).toBeLessThan(60);
    expect(p.get('signature')).toBe(computeSignature('tok123', p.get('timestamp')!, p.get('nonce')!));
  });

  afterEach(() => vi.unstubAllEnvs());

  it('requires the token and the orderid', async () => {
    vi.stubEnv('WXTRACK_TOKEN', '');
    vi.stubEnv('WXTRACK_CONFIG', '');
    let err = '';
    expect(
      await main(['sign', '--orderid', 'YT1'], { out: () => undefined, err: (t) => void (err += t) }),
    ).toBe(2);
    expect(err).toBe(
      'wxtrack sign: --token, a configuration file (--config FILE or WXTRACK_CONFIG) or WXTRACK_TOKEN is required\n',
    );
  });
});
