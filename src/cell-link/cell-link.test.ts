import { createHash } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { PREVIEW_JS } from '../preview/preview-assets.js';
import { describe, expect, it } from 'vitest';
import {
  appendCellParams,
  cellLinkSignature,
  cellStatusLink,
  statusRepeatsLink,
  parseCellLink,
  verifyCellLink,
  type CellLinkReason,
} from './cell-link.js';

// The spec's example (§自定义cell跳转). Its token is not published: the shape is tested with it,
// the signature with our own token.
const SPEC_LINK =
  'pages/test/pay?timestamp=1592811835&nonce=1756708668&signature=05d22a5ef341200dec391208bc7bb6bf8e30780d&orderid=6000069559003&openid=omJOjjvB9iYTYiEKp7GFfweffQPmdU';
const SPEC_NOW = 1592811835 * 1000 + 20_000;
const TOKEN = 'cell-token-42';

const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
const ours = (over: Partial<Record<'timestamp' | 'nonce' | 'orderid' | 'openid', string>> = {}) =>
  appendCellParams('pages/test/pay', {
    token: TOKEN,
    timestamp: '1592811835',
    nonce: '1756708668',
    orderid: '6000069559003',
    openid: 'omJOjjvB9iYTYiEKp7GFfweffQPmdU',
    ...over,
  });

describe('cell links', () => {
  it("parses the spec's example link", () => {
    const parsed = parseCellLink(SPEC_LINK);
    expect(parsed).toEqual({
      ok: true,
      params: {
        orderid: '6000069559003',
        openid: 'omJOjjvB9iYTYiEKp7GFfweffQPmdU',
        signature: '05d22a5ef341200dec391208bc7bb6bf8e30780d',
        timestamp: '1592811835',
        nonce: '1756708668',
      },
    });
  });

  it("refuses the spec's example signature with a token that did not make it", () => {
    expect(verifyCellLink(SPEC_LINK, { token: TOKEN, now: SPEC_NOW })).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('signs as the spec writes it: sha1(token + timestamp + nonce), not sorted', () => {
    expect(cellLinkSignature(TOKEN, '1592811835', '1756708668')).toBe(
      sha1(TOKEN + '1592811835' + '1756708668'),
    );
    expect(cellLinkSignature(TOKEN, '1592811835', '1756708668', 'sorted')).toBe(
      sha1(['1592811835', '1756708668', TOKEN].sort().join('')),
    );
    // The two forms differ for this input, so choosing one is a real choice.
    expect(cellLinkSignature(TOKEN, '1592811835', '1756708668')).not.toBe(
      cellLinkSignature(TOKEN, '1592811835', '1756708668', 'sorted'),
    );
  });

  it('verifies a link of the spec shape signed with our token, and returns who and what', () => {
    const link = ours();
    expect(link.startsWith('pages/test/pay?timestamp=1592811835&nonce=1756708668&signature=')).toBe(true);
    expect(verifyCellLink(link, { token: TOKEN, now: SPEC_NOW })).toEqual({
      ok: true,
      orderid: '6000069559003',
      openid: 'omJOjjvB9iYTYiEKp7GFfweffQPmdU',
      timestamp: 1592811835,
    });
  });

  it('accepts the sorted form only when asked', () => {
    const sorted = appendCellParams('pages/test/pay', {
      token: TOKEN,
      timestamp: '1592811835',
      nonce: '1756708668',
      orderid: 'A1',
      openid: 'oX',
      signatureForm: 'sorted',
    });
    expect(verifyCellLink(sorted, { token: TOKEN, now: SPEC_NOW })).toMatchObject({
      ok: false,
      reason: 'bad-signature',
    });
    expect(verifyCellLink(sorted, { token: TOKEN, now: SPEC_NOW, signatureForm: 'sorted' })).toMatchObject({
      ok: true,
    });
  });

  it('tries every token of a rotation', () => {
    expect(verifyCellLink(ours(), { token: ['new-token', TOKEN], now: SPEC_NOW })).toMatchObject({
      ok: true,
    });
    expect(verifyCellLink(ours(), { token: ['new-token'], now: SPEC_NOW })).toMatchObject({ ok: false });
  });

  it('judges freshness against the injected time, both ways', () => {
    const link = ours();
    const at = (ms: number, windowSeconds?: number) =>
      verifyCellLink(link, { token: TOKEN, now: ms, ...(windowSeconds ? { windowSeconds } : {}) });
    expect(at(1592811835_000 + 300_000)).toMatchObject({ ok: true });
    expect(at(1592811835_000 + 301_000)).toEqual({ ok: false, reason: 'expired' });
    expect(at(1592811835_000 - 301_000)).toEqual({ ok: false, reason: 'from-future' });
    expect(at(1592811835_000 + 3_600_000, 7200)).toMatchObject({ ok: true });
  });

  it('names each kind of broken link', () => {
    const cases: [string, CellLinkReason][] = [
      ['pages/test/pay', 'malformed-link'],
      ['pages/test/pay?', 'malformed-link'],
      [ours().replace(/&openid=[^&]*/, ''), 'missing-parameter'],
      [ours().replace(/openid=[^&]*/, 'openid='), 'missing-parameter'],
      [ours() + '&orderid=other', 'repeated-parameter'],
      [ours().replace(/timestamp=\d+/, 'timestamp=15928x'), 'malformed-parameter'],
      [ours().replace(/signature=[0-9a-f]+/, 'signature=ABC'), 'malformed-parameter'],
      [ours().replace(/nonce=\d+/, 'nonce=%E0%A4%A'), 'malformed-link'],
      // A signature made for another value does not carry over.
      [
        ours({ orderid: '6000069559004' }).replace(/signature=[0-9a-f]+/, `signature=${'0'.repeat(40)}`),
        'bad-signature',
      ],
    ];
    for (const [link, reason] of cases) {
      expect(verifyCellLink(link, { token: TOKEN, now: SPEC_NOW }), link).toEqual({ ok: false, reason });
    }
  });

  it('ignores the cell’s own parameters and a fragment, and reads full URLs and bare queries', () => {
    const link =
      ours().replace('pages/test/pay?', 'https://pay.example.com/pay?status=pages%2Findex&') + '#top';
    expect(verifyCellLink(link, { token: TOKEN, now: SPEC_NOW })).toMatchObject({
      ok: true,
      orderid: '6000069559003',
    });
    const bare = ours().slice('pages/test/pay?'.length);
    expect(verifyCellLink(bare, { token: TOKEN, now: SPEC_NOW })).toMatchObject({ ok: true });
  });

  it('never returns the caller’s text in a refusal', () => {
    const r = verifyCellLink('x?orderid=<script>&openid=a', { token: TOKEN, now: SPEC_NOW });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain('script');
  });
});

describe("a cell's status: a URL parameter appended to the registered link", () => {
  it('builds the link a tap opens, WeChat parameters after the status', () => {
    const tapped = appendCellParams(cellStatusLink('pages/pay/index', 'state=unpaid'), {
      token: TOKEN,
      timestamp: '1592811835',
      nonce: '1756708668',
      orderid: 'YT1234567890123',
      openid: 'omJOjjvB9iYTYiEKp7GFfweffQPmdU',
    });
    expect(tapped).toBe(
      `pages/pay/index?state=unpaid&timestamp=1592811835&nonce=1756708668&signature=${sha1(TOKEN + '1592811835' + '1756708668')}&orderid=YT1234567890123&openid=omJOjjvB9iYTYiEKp7GFfweffQPmdU`,
    );
    // The parameters still verify, the status left alone.
    expect(verifyCellLink(tapped, { token: TOKEN, now: SPEC_NOW })).toMatchObject({ ok: true });
  });

  it('joins with & when the link has a query, drops a leading ? or &, and adds nothing for none', () => {
    expect(cellStatusLink('pages/pay/index?from=wx', 'state=unpaid')).toBe(
      'pages/pay/index?from=wx&state=unpaid',
    );
    expect(cellStatusLink('pages/pay/index', '?state=unpaid')).toBe('pages/pay/index?state=unpaid');
    expect(cellStatusLink('pages/pay/index', '&a=1&b=2')).toBe('pages/pay/index?a=1&b=2');
    expect(cellStatusLink('pages/pay/index', undefined)).toBe('pages/pay/index');
    expect(cellStatusLink('pages/pay/index', '  ')).toBe('pages/pay/index');
    expect(cellStatusLink('https://pay.example.com/p', 'bill=1')).toBe('https://pay.example.com/p?bill=1');
  });

  it('never glues a status to the link: no pages/pay/indexpages/pay/index', () => {
    const link = cellStatusLink('pages/pay/index', 'pages/pay/index');
    expect(link).toBe('pages/pay/index?pages/pay/index');
    expect(link).not.toContain('indexpages');
  });

  it('tells a status that repeats its link', () => {
    for (const s of [
      'pages/pay/index',
      '/pages/pay/index',
      ' pages/pay/index ',
      'pages/pay/index?x=1',
      '?pages/pay/index',
    ])
      expect(statusRepeatsLink(s, 'pages/pay/index'), s).toBe(true);
    expect(statusRepeatsLink('pages/pay/index', '/pages/pay/index?from=wx')).toBe(true);
    for (const s of ['state=unpaid', 'pages/pay/index2', 'pages/index/index', '', undefined])
      expect(statusRepeatsLink(s, 'pages/pay/index'), String(s)).toBe(false);
  });

  it('is the very function the preview page runs', () => {
    expect(PREVIEW_JS).toContain(cellStatusLink.toString());
    // The page's copy, run on its own (no outer names), gives the same links.
    const pageCopy = runInNewContext(`(${cellStatusLink.toString()})`) as typeof cellStatusLink;
    for (const [link, status] of [
      ['pages/pay/index', 'state=unpaid'],
      ['pages/pay/index?from=wx', '&a=1'],
      ['pages/pay/index', undefined],
      ['pages/pay/index', 7 as unknown as string],
    ] as const)
      expect(pageCopy(link, status)).toBe(cellStatusLink(link, status));
  });
});
