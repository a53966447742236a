import { describe, expect, it } from 'vitest';
import { appendCellParams } from '../../cell-link/cell-link.js';
import { main } from '../main.js';

const run = async (args: string[]) => {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
};

describe('wxtrack cell-link verify', () => {
  const link = appendCellParams('pages/test/pay', {
    token: 'cli-token',
    timestamp: '1592811835',
    nonce: '1756708668',
    orderid: '6000069559003',
    openid: 'omJOjjvB9iYTYiEKp7GFfweffQPmdU',
  });

  it('prints the verified orderid and openid', async () => {
    const r = await run(['cell-link', 'verify', link, '--token', 'cli-token', '--at', '1592811900']);
    expect(r).toMatchObject({ code: 0 });
    expect(r.out).toContain('orderid=6000069559003');
    expect(r.out).toContain('openid=omJOjjvB9iYTYiEKp7GFfweffQPmdU');
  });

  it('names the reason and exits 1 when refused', async () => {
    const stale = await run(['cell-link', 'verify', link, '--token', 'cli-token']);
    expect(stale).toMatchObject({ code: 1, out: 'refused: expired\n' });
    const sorted = await run([
      'cell-link',
      'verify',
      link,
      '--token',
      'cli-token',
      '--sorted',
      '--at',
      '1592811900',
    ]);
    expect(sorted).toMatchObject({ code: 1, out: 'refused: bad-signature\n' });
  });

  it('exits 2 on usage errors', async () => {
    expect((await run(['cell-link', 'verify', link])).code).toBe(2);
    expect((await run(['cell-link', 'check', link, '--token', 'x'])).code).toBe(2);
    expect((await run(['cell-link', 'verify', link, '--token', 'x', '--window', 'soon'])).code).toBe(2);
  });
});
