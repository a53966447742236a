/**
 * @module
 * The application email a courier sends WeChat to join 扫一扫查快递 (spec §接入流程 1.邮件申请):
 * subject `快递公司名称 - 扫一扫快递接入申请`, and a body with every field the spec lists (计划实现的功能,
 * 运力小程序的appid, 正式/测试服务器地址, 运单正则表达式, 运力名称, 运力客服电话, 跳转小程序appid和path,
 * 自定义cell跳转), written from the configuration. Whatever is not configured is marked in the body
 * and named, with its place in the configuration file, so the courier knows what to fill in.
 * Pure: the check report comes in as text.
 */
import type { Carrier } from '../carrier/carrier.js';

export interface ApplicationEmail {
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  /** What is still missing, each naming where to set it; empty when the email is ready. */
  readonly missing: readonly string[];
}

/** WeChat's address for applications (spec §1.邮件申请). */
export const APPLICATION_ADDRESS = 'wxwuliu@tencent.com';

const REPORT_HEADING = '# wxtrack check';

/** A URL without its query, as the check report names its endpoint. */
const bare = (url: string | undefined): string | undefined => {
  if (url === undefined) return undefined;
  try {
    const u = new URL(url);
    return u.origin + u.pathname;
  } catch {
    return url;
  }
};

export interface ApplicationInput {
  readonly carrier: Carrier;
  /** Where the carrier sits in the configuration file, e.g. `carriers[0]`, for the missing list. */
  readonly at: string;
  /** The Markdown written by `wxtrack check --report`, to attach. */
  readonly checkReport?: string;
}

export function applicationEmail(input: ApplicationInput): ApplicationEmail {
  const { carrier, at } = input;
  const app = carrier.application ?? {};
  const missing: string[] = [];
  const value = (text: string | undefined, path: string, what: string): string => {
    if (text !== undefined && text !== '') return text;
    missing.push(`${what}: set ${at}.${path}`);
    return `【待补充 to fill in: ${at}.${path}】`;
  };
  const cells = carrier.cells ?? [];
  if (cells.length === 0)
    missing.push(`custom cells 自定义cell: add ${at}.cells (key, name, link), or say none are wanted`);

  const lines = [
    '您好,',
    '',
    `${carrier.name}申请接入微信「扫一扫查快递」,申请信息如下。`,
    `${carrier.name} applies to join WeChat 扫一扫查快递 (scan-to-track); the details follow.`,
    '',
    `1. 计划实现的功能 (features planned): ${value(app.features, 'application.features', 'features 计划实现的功能')}`,
    `2. 运力小程序的appid (mini-program appid, WeChat-certified): ${value(app.miniProgramAppId, 'application.miniProgramAppId', 'mini-program appid 运力小程序appid')}`,
    `3. 运力的正式服务器地址 (production server URL): ${value(app.productionUrl, 'application.productionUrl', 'production URL 正式服务器地址')}`,
    `4. 运力的测试服务器地址 (test server URL): ${value(app.testUrl, 'application.testUrl', 'test URL 测试服务器地址')}`,
    `5. 运力的运单正则表达式 (waybill regex): ${carrier.waybillPattern}`,
    `6. 运力名称 (company name): ${carrier.name}`,
    `7. 运力客服电话 (customer-service phone): ${value(carrier.phone, 'phone', 'customer-service phone 运力客服电话')}`,
    `8. 运力跳转小程序appid和path (jump mini program): appid ${value(app.jumpAppId, 'application.jumpAppId', 'jump appid 跳转小程序appid')}, path ${value(app.jumpPath, 'application.jumpPath', 'jump path 跳转小程序path')}`,
    `9. 自定义cell跳转 (custom cells):${cells.length === 0 ? ' 【待补充 to fill in】' : ''}`,
    ...cells.map((c) => `   - Key: ${c.key} | Name: ${c.name} | Link: ${c.link}`),
    '',
    ...(carrier.testWaybills && carrier.testWaybills.size > 0
      ? [`测试运单 (test waybills): ${[...carrier.testWaybills].join(', ')}`, '']
      : []),
    '附件 (attachments): 《营业执照》、《快递业务经营许可证》扫描件 (business licence, express-delivery licence: scans).',
  ];

  if (input.checkReport !== undefined) {
    const report = input.checkReport.trim();
    if (!report.startsWith(REPORT_HEADING)) {
      missing.push('check report: the file is not a report written by wxtrack check --report');
    } else {
      if (!/\*\*PASS/.test(report))
        missing.push('check report: it shows failed checks; fix them and run wxtrack check again');
      const endpoint = /接口地址: `([^`]+)`/.exec(report)?.[1];
      const configured = [app.productionUrl, app.testUrl].map(bare);
      if (endpoint !== undefined && !configured.includes(bare(endpoint))) {
        missing.push('check report: it checked another endpoint than the production or test URL');
      }
      lines.push('', '接口自检报告 (conformance report, wxtrack check):', '', report);
    }
  } else {
    missing.push(
      'check report: run wxtrack check --report FILE against the test URL and pass --check-report FILE',
    );
  }
  lines.push('', '谢谢! Thank you.', '', carrier.name, '');
  return {
    to: APPLICATION_ADDRESS,
    subject: `${carrier.name} - 扫一扫快递接入申请`,
    body: lines.join('\n'),
    missing,
  };
}
