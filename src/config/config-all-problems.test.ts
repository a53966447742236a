/**
 * @module
 * `config check` and start-up list every problem of a file at once: a structural error in one
 * carrier does not hide a semantic one in another (the README's own example output).
 */
import { describe, expect, it } from 'vitest';
import { parseConfigText } from './config-file.js';

const carrier = (over: Record<string, unknown>) => ({
  id: 'YTO',
  name: '圆通速递',
  tokens: [{ env: 'YTO_TOKEN' }],
  waybillPattern: 'YT\\d{13}',
  ...over,
});

describe('every problem at once', () => {
  it('lists a cell-key error in one carrier and a missing token variable in another', () => {
    const text = JSON.stringify({
      carriers: [
        carrier({ tokens: [{ env: 'YTO_TOKEN' }, { env: 'YTO_TOKEN_PREVIOUS' }] }),
        carrier({
          id: 'JT',
          tokens: [{ env: 'JT_TOKEN' }],
          waybillPattern: 'JT\\d{13}',
          cells: [{ key: 'k'.repeat(23), name: 'n', link: 'pages/x' }],
        }),
      ],
    });
    const loaded = parseConfigText(text, { env: { YTO_TOKEN: 'yto-token-1', JT_TOKEN: 'jt-token-1' } });
    expect(loaded.ok).toBe(false);
    const errors = loaded.ok ? [] : loaded.errors;
    expect(errors.some((e) => e.startsWith('carriers[1].cells[0].key:'))).toBe(true);
    expect(errors).toContain('carriers[0].tokens[1]: environment variable YTO_TOKEN_PREVIOUS is not set');
    // The broken carrier's meaning is not checked: JT_TOKEN being set or not says nothing new.
    expect(errors.filter((e) => e.startsWith('carriers[1]'))).toHaveLength(1);
  });

  it('still lists structural errors alone when nothing else is wrong', () => {
    const text = JSON.stringify({ carriers: [carrier({ id: 'bad id!' })] });
    const loaded = parseConfigText(text, { env: { YTO_TOKEN: 'yto-token-1' } });
    expect(loaded.ok ? [] : loaded.errors).toEqual([expect.stringMatching(/^carriers\[0\]\.id: /)]);
  });
});
