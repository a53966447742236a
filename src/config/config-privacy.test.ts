import { describe, expect, it } from 'vitest';
import { DEFAULT_PRIVACY } from '../privacy/privacy-rules.js';
import { parseConfigText } from './config-file.js';

const ENV = { YTO_TOKEN: 'yto-current' };
const carrier = (over: Record<string, unknown> = {}) => ({
  id: 'YTO',
  name: '圆通速递',
  tokens: [{ env: 'YTO_TOKEN' }],
  waybillPattern: 'YT\\d{13}',
  ...over,
});
const load = (c: unknown) => parseConfigText(JSON.stringify({ carriers: [c] }), { env: ENV });

describe('carriers[].privacy', () => {
  it('masks for strangers by default: a new configuration has no section and gets the built-in rules', () => {
    const r = load(carrier());
    expect(r.ok && r.config.carriers[0]!.privacy).toBe(DEFAULT_PRIVACY);
  });

  it("compiles a carrier's words, rules and examples", () => {
    const r = load(
      carrier({
        privacy: {
          courierWords: ['如有疑问请联系'],
          rules: [{ pattern: '工号([0-9]{4,8})', hide: 'code' }],
          examples: [
            {
              text: '工号20231234，如有疑问请联系13900001111',
              masked: '工号****，如有疑问请联系13900001111',
            },
          ],
        },
      }),
    );
    expect(r.ok ? r.config.warnings : r.errors).toEqual([]);
    const privacy = r.ok ? r.config.carriers[0]!.privacy : undefined;
    expect(privacy?.rules.map((x) => x.source)).toEqual(['工号([0-9]{4,8})']);
    expect(privacy?.courierWords).toContain('如有疑问请联系');
  });

  it('turns masking off only with a reason, and says so on every check', () => {
    const off = load(carrier({ privacy: { mask: false } }));
    expect(off.ok ? [] : off.errors).toEqual([
      expect.stringMatching(/^carriers\[0\]\.privacy\.reason: masking is off/),
    ]);
    const r = load(carrier({ privacy: { mask: false, reason: 'internal mail between our own depots' } }));
    expect(r.ok && r.config.warnings).toEqual([
      'carriers[0].privacy.mask: off, every scanner sees the full reply (reason: internal mail between our own depots)',
    ]);
    expect(r.ok && r.config.carriers[0]!.privacy!.mask).toBe(false);
  });

  it('refuses unsafe rules, unknown kinds and failing examples, with the other problems', () => {
    const r = load(
      carrier({
        timezone: 'Mars/Olympus',
        privacy: {
          rules: [
            { pattern: '(a+)+b', hide: 'code' },
            { pattern: '码([0-9]+)', hide: 'secret' },
          ],
        },
      }),
    );
    expect(r.ok ? [] : r.errors).toEqual([
      'carriers[0].privacy.rules[1].hide: "secret" is not one of name, phone, code, unit',
    ]);
    const semantic = load(
      carrier({
        timezone: 'Mars/Olympus',
        privacy: {
          rules: [{ pattern: '(a+)+b', hide: 'code' }],
          examples: [{ text: '签收人张三', masked: '签收人张三' }],
        },
      }),
    );
    expect(semantic.ok ? [] : semantic.errors).toEqual([
      'carriers[0].timezone: "Mars/Olympus" is not an IANA time zone',
      expect.stringMatching(/^carriers\[0\]\.privacy\.rules\[0\]\.pattern: can backtrack/),
    ]);
    const example = load(carrier({ privacy: { examples: [{ text: '签收人张三', masked: '签收人张三' }] } }));
    expect(example.ok ? [] : example.errors).toEqual([
      'carriers[0].privacy.examples[0]: masks to "签收人张*", expected "签收人张三"',
    ]);
  });
});
