import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText, schemaErrors } from './config-file.js';
import { CONFIG_SCHEMA } from './config-schema.js';

const ENV = { YTO_TOKEN: 'yto-current', YTO_TOKEN_PREVIOUS: 'yto-previous', JT_TOKEN: 'jt-token' };

const carrier = (over: Record<string, unknown> = {}) => ({
  id: 'YTO',
  name: '圆通速递',
  tokens: [{ env: 'YTO_TOKEN' }],
  waybillPattern: 'YT\\d{13}',
  ...over,
});

const load = (config: unknown, env: Record<string, string> = ENV) =>
  parseConfigText(JSON.stringify(config), { env });
const errorsOf = (config: unknown, env?: Record<string, string>) => {
  const r = load(config, env);
  return r.ok ? [] : r.errors;
};

describe('parseConfigText: a good file', () => {
  it('loads the published example, resolving tokens from the environment', () => {
    const r = parseConfigText(readFileSync('wxtrack.config.example.json', 'utf8'), { env: ENV });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [yto, jt] = r.config.carriers;
    expect(yto).toMatchObject({
      id: 'YTO',
      tokens: ['yto-current', 'yto-previous'],
      timezone: 'Asia/Shanghai',
    });
    expect(yto!.cells!.map((c) => c.key)).toEqual(['wxpay', 'service']);
    expect(jt).toMatchObject({ id: 'JT', environment: 'test', phone: '956025' });
    expect([...jt!.testWaybills!]).toEqual(['JT0000000000001', 'JT0000000000002']);
    expect(r.config.tokenSources).toEqual([['env YTO_TOKEN', 'env YTO_TOKEN_PREVIOUS'], ['env JT_TOKEN']]);
    expect(r.config.server.port).toBe(8787);
    expect(r.config.warnings).toEqual([]);
  });

  it('fills defaults and freezes what it returns', () => {
    const r = load({ carriers: [carrier()] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const c = r.config.carriers[0]!;
    expect(c).toMatchObject({ environment: 'production', timezone: 'Asia/Shanghai' });
    expect(c.trace).toEqual({ order: 'oldest-first', address: 'label-description' });
    expect(c.waybillMatcher.test('YT1234567890123')).toBe(true);
    expect(Object.isFrozen(r.config)).toBe(true);
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.tokens)).toBe(true);
  });

  it('warns about inline tokens, an empty test whitelist and overlapping patterns', () => {
    const r = load({
      carriers: [
        carrier({ tokens: ['inline-token'], environment: 'test' }),
        carrier({ id: 'ZTO', tokens: [{ env: 'JT_TOKEN' }], waybillPattern: '[A-Z]{2}\\d{13}' }),
      ],
    });
    expect(r.ok && r.config.warnings).toEqual([
      'carriers[0].tokens[0]: token written in the file; use {"env": "NAME"} so the file can sit in git',
      'carriers[0].testWaybills: empty, so in test mode every query gets 40401',
      'carriers[1].waybillPattern: overlaps carriers[0] (e.g. YT0000000000000); such numbers need company_id, else 40005',
    ]);
  });
});

describe('parseConfigText: every error names its path and reason', () => {
  it('measures cell keys in code points', () => {
    const cells = [{ key: 'k'.repeat(23), name: 'n', link: 'l' }];
    expect(errorsOf({ carriers: [carrier(), carrier({ id: 'SF', cells })] })).toEqual([
      'carriers[1].cells[0].key: 23 characters, at most 20',
    ]);
    // Keys are printable ASCII, so code points matter for names: 32 CJK characters fit, 33 emoji
    // (66 UTF-16 units) are 33 characters, not 66.
    expect(
      errorsOf({ carriers: [carrier({ cells: [{ key: 'k'.repeat(21), name: 'n', link: 'l' }] })] }),
    ).toEqual(['carriers[0].cells[0].key: 21 characters, at most 20']);
    expect(
      errorsOf({
        carriers: [carrier({ cells: [{ key: 'k'.repeat(20), name: '名'.repeat(32), link: 'l' }] })],
      }),
    ).toEqual([]);
    expect(
      errorsOf({ carriers: [carrier({ cells: [{ key: 'k', name: '😀'.repeat(33), link: 'l' }] })] }),
    ).toEqual(['carriers[0].cells[0].name: 33 characters, at most 32']);
  });

  it('reports structural problems, all of them at once', () => {
    expect(
      errorsOf({
        server: { port: 70000, logLevel: 'loud', colour: 'red' },
        carriers: [
          { id: 'bad id!', tokens: [], waybillPattern: '' },
          carrier({
            environment: 'staging',
            testWaybills: ['A', 'A'],
            phone: 'call me',
            trace: { order: 'random' },
          }),
        ],
        extra: true,
      }),
    ).toEqual([
      'extra: unknown setting',
      'server.colour: unknown setting',
      'server.port: 70000 is not from 0 to 65535',
      'server.logLevel: "loud" is not one of fatal, error, warn, info, debug, trace, silent',
      'carriers[0].name: required',
      'carriers[0].id: "bad id!" must be 1 to 32 of A-Z a-z 0-9 _ -',
      'carriers[0].tokens: 0 items, at least 1',
      'carriers[0].waybillPattern: must not be empty',
      'carriers[1].trace.order: "random" is not one of oldest-first, newest-first',
      'carriers[1].phone: "call me" must be 3 to 32 of 0-9 + ( ) - and spaces',
      'carriers[1].environment: "staging" is not one of test, production',
      'carriers[1].testWaybills: items 1 and 0 are the same',
    ]);
  });

  it('checks each token as a string, {"env": NAME} or {"file": PATH}', () => {
    expect(
      errorsOf({
        carriers: [
          carrier({ tokens: ['ab', { env: 'A B' }, { name: 'X' }, 42, {}, { env: 'A', file: 'b' }] }),
        ],
      }),
    ).toEqual([
      'carriers[0].tokens: 6 items, at most 5',
      'carriers[0].tokens[0]: "ab" must be 3 to 128 printable ASCII characters without spaces',
      'carriers[0].tokens[1].env: "A B" must be an environment variable name (letters, digits, _)',
      'carriers[0].tokens[2].name: unknown setting',
      'carriers[0].tokens[3]: must be an object',
      'carriers[0].tokens[4]: must have exactly one of env, file',
      'carriers[0].tokens[5]: must have exactly one of env, file',
    ]);
  });

  it('reads secret files through the injected reader, trimming the newline', () => {
    const files: Record<string, string> = { '/run/secrets/yto': 'from-a-file\n' };
    const readFile = (path: string) => {
      const text = files[path];
      if (text === undefined) throw new Error('ENOENT');
      return text;
    };
    const config = (path: string) => JSON.stringify({ carriers: [carrier({ tokens: [{ file: path }] })] });
    const good = parseConfigText(config('/run/secrets/yto'), { env: {}, readFile });
    expect(good.ok && good.config.carriers[0]!.tokens).toEqual(['from-a-file']);
    expect(good.ok && good.config.tokenSources).toEqual([['file /run/secrets/yto']]);
    const bad = parseConfigText(config('/run/secrets/none'), { env: {}, readFile });
    expect(bad.ok ? [] : bad.errors).toEqual([
      'carriers[0].tokens[0]: cannot read secret file /run/secrets/none: ENOENT',
    ]);
  });

  it('refuses missing or bad environment variables, and a token shared by two carriers', () => {
    expect(
      errorsOf(
        {
          carriers: [
            carrier({ tokens: [{ env: 'YTO_TOKEN' }, { env: 'NOT_SET' }, { env: 'SHORT' }] }),
            carrier({ id: 'SF', waybillPattern: 'SF\\d{12}', tokens: [{ env: 'COPY' }] }),
          ],
        },
        { YTO_TOKEN: 'same-token', COPY: 'same-token', SHORT: 'ab' },
      ),
    ).toEqual([
      'carriers[0].tokens[1]: environment variable NOT_SET is not set',
      'carriers[0].tokens[2]: environment variable SHORT must hold 3 to 128 printable ASCII characters',
      'carriers[1].tokens[0]: same token as carriers[0].tokens[0]; every carrier needs its own',
    ]);
  });

  it('refuses duplicate ids and cell keys, unsafe patterns, bad zones and foreign test waybills', () => {
    const cells = [
      { key: 'wxpay', name: '支付', link: 'pages/pay' },
      { key: 'wxpay', name: '再付', link: 'pages/pay2' },
    ];
    expect(
      errorsOf({
        carriers: [
          carrier({ cells, timezone: 'Mars/Olympus', environment: 'test', testWaybills: ['SF123456789012'] }),
          carrier({ tokens: [{ env: 'JT_TOKEN' }], waybillPattern: '(a+)+' }),
        ],
      }),
    ).toEqual([
      'carriers[0].timezone: "Mars/Olympus" is not an IANA time zone',
      'carriers[0].cells[1].key: "wxpay" is already registered by cells[0]',
      'carriers[0].testWaybills[0]: "SF123456789012" does not match waybillPattern, so WeChat could never query it',
      'carriers[1].id: "YTO" is already used by carriers[0]',
      expect.stringMatching(/^carriers\[1\]\.waybillPattern: can backtrack catastrophically/),
    ]);
  });

  it('refuses a waybill pattern over 200 characters', () => {
    expect(errorsOf({ carriers: [carrier({ waybillPattern: 'x'.repeat(200) + '\\d' })] })).toEqual([
      'carriers[0].waybillPattern: 202 characters, at most 200',
    ]);
  });

  it('suggests the setting a misspelt name meant', () => {
    expect(errorsOf({ carriers: [{ ...carrier(), waybillpattern: 'x' }] })).toEqual([
      'carriers[0].waybillpattern: unknown setting; did you mean "waybillPattern"?',
    ]);
    expect(errorsOf({ carriers: [carrier({ timezon: 'UTC' })] })).toEqual([
      'carriers[0].timezon: unknown setting; did you mean "timezone"?',
    ]);
    expect(errorsOf({ carriers: [carrier({ colour: 'red' })] })).toEqual([
      'carriers[0].colour: unknown setting',
    ]);
  });

  it('points at the line and column of a JSON syntax error', () => {
    const r = parseConfigText('{\n  "carriers": [\n    {"id": "A",}\n  ]\n}', { env: ENV });
    expect(r.ok ? [] : r.errors).toEqual([
      expect.stringMatching(/^\(file\) line 3, column \d+: not valid JSON: /),
    ]);
  });

  it('refuses text that is not JSON, and a file without carriers', () => {
    const r = parseConfigText('{"carriers": [', { env: ENV });
    expect(r.ok ? [] : r.errors).toEqual([expect.stringMatching(/^\(file\): not valid JSON: /)]);
    expect(errorsOf({})).toEqual(['carriers: required']);
    expect(errorsOf({ carriers: [] })).toEqual(['carriers: 0 items, at least 1']);
    expect(errorsOf([])).toEqual(['(root): must be an object']);
  });
});

describe('the published schema', () => {
  it('is exactly the schema the validator runs (regenerate with npm run schema)', () => {
    const published: unknown = JSON.parse(readFileSync('schema/wxtrack.config.schema.json', 'utf8'));
    expect(published).toEqual(JSON.parse(JSON.stringify(CONFIG_SCHEMA)));
  });

  it('is a valid draft-07 schema that a stock validator (as editors use) agrees with', () => {
    const published: object = JSON.parse(readFileSync('schema/wxtrack.config.schema.json', 'utf8'));
    // A plain Ajv, as an editor would have: unknown keywords ignored, nothing of ours registered.
    const stock = new Ajv({ strict: false }).compile(published);
    const samples: unknown[] = [
      JSON.parse(readFileSync('wxtrack.config.example.json', 'utf8')),
      { carriers: [carrier({ cells: [{ key: 'k'.repeat(21), name: 'n', link: 'l' }] })] },
      { carriers: [carrier({ tokens: ['ab'] })] },
      { carriers: [carrier({ tokens: [{ env: 'X' }] })], server: { port: 1 } },
      { carriers: [carrier({ surprise: 1 })] },
    ];
    for (const sample of samples) expect(stock(sample)).toBe(schemaErrors(sample).length === 0);
  });
});
