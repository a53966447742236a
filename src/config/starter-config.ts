/**
 * @module
 * The starter `wxtrack.config.json` that `wxtrack init` writes: one carrier with placeholders to
 * replace, every line explained. JSON has no comments, so the explanations travel as
 * `"$comment"` members, which the schema allows and the gateway ignores. The token is an
 * `{"env": ...}` reference from the start, so the file can go into git as it is.
 */

export interface StarterOptions {
  /** `$schema` path, relative to the file, so editors check it as it is typed. */
  readonly schemaPath: string;
  /** `server.db`, as the operator gave it, or a reference to the variable holding it. */
  readonly db: string | { readonly env: string };
  /** The carrier's id (company_id). */
  readonly carrierId: string;
}

/** The environment variable the starter's token is read from. */
export const STARTER_TOKEN_ENV = 'COURIER_TOKEN';

export function starterConfigText(options: StarterOptions): string {
  const config = {
    $schema: options.schemaPath,
    $comment:
      'wxtrack starter configuration. Replace the placeholders, then run: wxtrack config check ' +
      '(validates the file), and wxtrack serve --config <this file>. Every field is described in ' +
      'the schema named above, which editors show as you type.',
    server: {
      $comment:
        'How the gateway listens. Flags (--port) and WXTRACK_* variables override these. ' +
        'host 0.0.0.0 accepts connections from other machines (put it behind your HTTPS proxy).',
      host: '127.0.0.1',
      port: 8787,
      db: options.db,
      trackPath: '/wechat/track',
    },
    carriers: [
      {
        $comment:
          `One courier. id is the company_id WeChat sends; waybillPattern is the regular expression ` +
          `registered with WeChat (运单正则表达式), matched against the whole number; the token is ` +
          `read from the environment variable ${STARTER_TOKEN_ENV}, so this file holds no secret. ` +
          `environment "test" serves only testWaybills (for WeChat's review); switch to ` +
          `"production" when you go live.`,
        id: options.carrierId,
        name: '示例快递 (replace with your courier name)',
        tokens: [{ env: STARTER_TOKEN_ENV }],
        waybillPattern: 'YT\\d{13}',
        timezone: 'Asia/Shanghai',
        phone: '95000',
        cells: [
          {
            $comment:
              'A cell registered with WeChat (落地页Cell信息): key, the name on the button, and the link ' +
              'a tap opens. An event names the cell by key; its "status" is a URL parameter that ' +
              'wxtrack appends to this link (e.g. "state=unpaid" opens pages/pay/index?state=unpaid ' +
              "and then WeChat's timestamp, nonce, signature, orderid and openid), never the page " +
              'path itself. Remove the cell if you register none.',
            key: 'wxpay',
            name: '支付运单',
            link: 'pages/pay/index',
          },
        ],
        environment: 'test',
        testWaybills: ['YT0000000000001'],
      },
    ],
  };
  return JSON.stringify(config, null, 2) + '\n';
}
