import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../main.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-apply-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = async (args: string[]) => {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
};
const config = (application: object | undefined) => {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      carriers: [
        {
          id: 'YTO',
          name: '圆通速递',
          tokens: ['token-yto-1'],
          waybillPattern: 'YT\\d{13}',
          phone: '95554',
          cells: [{ key: 'wxpay', name: '支付运单', link: 'pages/pay/index' }],
          ...(application ? { application } : {}),
        },
      ],
    }),
  );
  return file;
};
const application = {
  features: '轨迹查询、支付运单',
  miniProgramAppId: 'wx0123456789abcdef',
  productionUrl: 'https://track.yto.example/wechat/track',
  testUrl: 'https://test.yto.example/wechat/track',
  jumpAppId: 'wx0123456789abcdef',
  jumpPath: 'pages/index/index',
};
const REPORT =
  '# wxtrack check 接口自检报告\n\n- Endpoint 接口地址: `https://test.yto.example/wechat/track`\n- Result 结论: **PASS 通过**\n';

describe('wxtrack apply', () => {
  it('writes a complete email with the check report attached, and exits 0', async () => {
    const report = join(dir, 'report.md');
    writeFileSync(report, REPORT);
    const out = join(dir, 'email.txt');
    const r = await run(['apply', '--config', config(application), '--check-report', report, '--out', out]);
    expect(r.code, r.err).toBe(0);
    const email = readFileSync(out, 'utf8');
    expect(email).toMatch(/^To: wxwuliu@tencent.com\nSubject: 圆通速递 - 扫一扫快递接入申请\n/);
    expect(email).toContain('wx0123456789abcdef');
    expect(email).toContain('**PASS 通过**');
  });

  it('names what is missing and exits 1', async () => {
    const r = await run(['apply', '--config', config(undefined)]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('set carriers[0].application.miniProgramAppId');
    expect(r.out).toContain('【待补充 to fill in: carriers[0].application.features】');
  });

  it('refuses a bad application field through the schema, and needs a configuration file', async () => {
    expect((await run(['apply', '--config', config({ miniProgramAppId: 'not-an-appid' })])).code).toBe(2);
    expect((await run(['apply', '--config', config({ productionUrl: 'http://plain.example/' })])).code).toBe(
      2,
    );
    expect((await run(['apply'])).code).toBe(2);
  });
});
