/**
 * @module
 * Security probes: each sends what an attacker (or a careless proxy) would, and reports what the
 * endpoint answered. A probe passes when the endpoint refuses: HTTP 4xx/5xx, or a JSONP reply
 * whose err_code is not 0. Replies are read leniently here (the JSON between the first `(` and
 * the last `)`), so a framing fault is named once, by the reply checks, not by every probe.
 */
import { fail, pass, skip, type CheckId, type CheckResult } from './check-result.js';
import { freshNonce, probeOpenid, signedParams, type Client, type Reply } from './wechat-client.js';

export interface ProbeInput {
  readonly token: string;
  readonly orderids: readonly string[];
  readonly companyId?: string;
  /** Epoch milliseconds: the time WeChat would stamp. */
  readonly now: () => number;
}

/** err_code of a reply, read leniently; `undefined` when there is none to read. */
export function lenientErrCode(body: string): number | undefined {
  const open = body.indexOf('(');
  const close = body.lastIndexOf(')');
  if (open < 0 || close <= open) return undefined;
  try {
    const value = JSON.parse(body.slice(open + 1, close)) as { err_code?: unknown };
    return typeof value?.err_code === 'number' ? value.err_code : undefined;
  } catch {
    return undefined;
  }
}

/** What a reply amounts to, in a few words, and whether it refused. */
export function verdict(reply: Reply): { refused: boolean; seen: string } {
  if (reply.status !== 200) return { refused: true, seen: `HTTP ${reply.status}` };
  const code = lenientErrCode(reply.body);
  if (code === undefined) return { refused: false, seen: 'HTTP 200 without a readable err_code' };
  return { refused: code !== 0, seen: `HTTP 200, err_code ${code}` };
}

export async function securityProbes(client: Client, input: ProbeInput): Promise<CheckResult[]> {
  const orderid = input.orderids[0]!;
  const stamp = (offsetSeconds = 0) => String(Math.floor(input.now() / 1000) + offsetSeconds);
  const sign = (over: { openid?: string; timestamp?: string; orderid?: string; callback?: string } = {}) =>
    signedParams({
      token: input.token,
      orderid: over.orderid ?? orderid,
      openid: over.openid ?? probeOpenid('P' + freshNonce().slice(-6)),
      timestamp: over.timestamp ?? stamp(),
      nonce: freshNonce(),
      ...(input.companyId === undefined ? {} : { companyId: input.companyId }),
      ...(over.callback === undefined ? {} : { callback: over.callback }),
    });
  const results: CheckResult[] = [];
  const expectRefusal = async (id: CheckId, attempts: [string, [string, string][]][]) => {
    const seen: string[] = [];
    let accepted = false;
    for (const [what, params] of attempts) {
      const v = verdict(await client.get(params));
      seen.push(`${what}: ${v.seen}`);
      if (!v.refused) accepted = true;
    }
    results.push(accepted ? fail(id, 'accepted. ' + seen.join('; ')) : pass(id, seen.join('; ')));
  };

  const flipped = sign().map(([k, v]): [string, string] =>
    k === 'signature' ? [k, (v[0] === '0' ? '1' : '0') + v.slice(1)] : [k, v],
  );
  await expectRefusal('bad-signature', [['one hex digit changed', flipped]]);
  await expectRefusal('stale-timestamp', [
    ['10 min old', sign({ timestamp: stamp(-600) })],
    ['10 min ahead', sign({ timestamp: stamp(600) })],
  ]);

  // Replays: one genuine query first, then its signature, timestamp and nonce with a change.
  const original = sign({ openid: probeOpenid('Original') });
  const first = verdict(await client.get(original));
  const replace = (name: string, value: string) =>
    original.map(([k, v]): [string, string] => (k === name ? [k, value] : [k, v]));
  if (first.refused) {
    const why = `the genuine query was refused (${first.seen}), so a replay proves nothing`;
    results.push(skip('replay-openid', why), skip('replay-orderid', why));
  } else {
    await expectRefusal('replay-openid', [['another openid', replace('openid', probeOpenid('Replayed'))]]);
    const other = input.orderids.find((o) => o !== orderid);
    if (other === undefined) results.push(skip('replay-orderid', 'give a second --orderid to probe this'));
    else await expectRefusal('replay-orderid', [['another orderid', replace('orderid', other)]]);
  }

  const foreign = 'wxtrackProbeCb' + freshNonce().slice(-4);
  const reply = await client.get(sign({ callback: foreign }));
  results.push(
    reply.body.includes(foreign)
      ? fail('foreign-callback', `echoed (${verdict(reply).seen})`)
      : pass('foreign-callback', `not echoed (${verdict(reply).seen})`),
  );

  const repeat = (name: string, value: string) => {
    const params = sign();
    const at = params.findIndex(([k]) => k === name);
    params.splice(at + 1, 0, [name, value]);
    return params;
  };
  const without = (name: string) => sign().filter(([k]) => k !== name);
  const other = input.orderids.find((o) => o !== orderid) ?? orderid + '0';
  await expectRefusal('repeated-parameter', [
    ['orderid twice', repeat('orderid', other)],
    ['openid twice', repeat('openid', probeOpenid('Second'))],
  ]);
  await expectRefusal('missing-parameter', [
    ['no nonce', without('nonce')],
    ['no openid', without('openid')],
    ['no signature', without('signature')],
  ]);
  return results;
}
