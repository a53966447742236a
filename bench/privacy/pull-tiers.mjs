// Privacy tiers in pull mode: what a pulled query costs at the reply source, per reader, beside
// the pulled reply without tiers (the baseline: the code before served everyone the one reply).
// The upstream is answered in process (no socket: every entry is fetched once, then fresh), so
// what is timed is the cache read, the owners lookup (privacy/followed-owners.ts, warmed) and the
// tier choice. Bounded: a fixed number of queries per case and round, rounds interleaved.
// Run `npm run build` first.
//
//   node bench/privacy/pull-tiers.mjs [queriesPerRound=200000] [rounds=5]
import { performance } from 'node:perf_hooks';
import { ManualClock } from '../../dist/clock/clock.js';
import { FollowedOwners } from '../../dist/privacy/followed-owners.js';
import { hashOpenid } from '../../dist/privacy/openid-hash.js';
import { DEFAULT_PRIVACY } from '../../dist/privacy/privacy-rules.js';
import { pulledTier } from '../../dist/privacy/pulled-tiers.js';
import { PullCarrier } from '../../dist/pull/pull-carrier.js';
import { pullSettings } from '../../dist/pull/pull-settings.js';
import { SqliteStore } from '../../dist/store/sqlite/sqlite-store.js';

const N = Number(process.argv[2] ?? 200_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const KEY = 'an-owner-key-of-32-characters!!!';
const WAYBILLS = 1000;
const clock = new ManualClock(Date.UTC(2026, 6, 8));
const wb = (i) => 'YT' + String(i).padStart(13, '0');
// Waybills 0..499 carry personal data in their trace; 500..999 none (masking changes nothing).
const body = (w) => {
  const i = Number(w.slice(2));
  const data = Array.from({ length: 6 }, (_, j) => ({
    context:
      j === 0 && i < WAYBILLS / 2
        ? '已签收，签收人：张三，收件人电话13812345678，派件员电话13900001111'
        : '快件离开【杭州】已发往【贵阳】',
    ftime: `2026-07-0${7 - j} 10:00:00`,
  }));
  return JSON.stringify({ message: 'ok', state: '3', ischeck: '1', com: 'yuantong', nu: w, data });
};
const http = {
  send: (request) => {
    const param = JSON.parse(new URLSearchParams(request.body).get('param'));
    return Promise.resolve({ ok: true, status: 200, body: Buffer.from(body(param.num)) });
  },
  close: () => {},
};
const pc = new PullCarrier({
  carrier: { id: 'yto', timezone: 'Asia/Shanghai', privacy: DEFAULT_PRIVACY },
  settings: pullSettings({
    preset: 'kuaidi100',
    url: 'http://127.0.0.1:9/',
    company: 'c',
    account: 'a',
    key: 'k',
  }),
  clock,
  http,
});
const store = new SqliteStore({ path: ':memory:', clock });
// Every other personal waybill has an owner.
for (let i = 0; i < WAYBILLS / 2; i += 2)
  await store.bindOwner('yto', wb(i), hashOpenid(KEY, 'yto', 'o-owner'), 0);
const owners = new FollowedOwners({ owners: store, feed: store, clock, timer: { every: () => () => {} } });
await owners.start();
for (let i = 0; i < WAYBILLS; i++) {
  await pc.getTiers(wb(i));
  await owners.ownersOf('yto', wb(i));
}
const options = { ownerKey: KEY, owners, masks: () => true };
const tiered = (w, openid) => pulledTier(pc.getTiers(w), 'yto', w, openid, options);

async function run(get, pick, openid) {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const r = get(wb(pick(i)), openid);
    const reply = typeof r?.then === 'function' ? await r : r;
    if (reply === undefined || reply.json.length === 0) throw new Error('no reply');
  }
  return ((performance.now() - t0) * 1e6) / N; // ns per query
}
const clean = (i) => WAYBILLS / 2 + (i % (WAYBILLS / 2));
const unowned = (i) => (i * 2 + 1) % (WAYBILLS / 2);
const owned = (i) => (i * 2) % (WAYBILLS / 2);
const baseline = (w) => pc.getReply(w);
const cases = [
  ['baseline (one reply, no tiers)', () => run(baseline, unowned, 'o-stranger')],
  ['stranger, nothing masked in the trace', () => run(tiered, clean, 'o-stranger')],
  ['stranger, masked trace, nobody owns it', () => run(tiered, unowned, 'o-stranger')],
  ['stranger, masked trace, owned', () => run(tiered, owned, 'o-stranger')],
  ['owner (full reply, same entry)', () => run(tiered, owned, 'o-owner')],
];
const results = new Map(cases.map(([name]) => [name, []]));
for (let r = 0; r < ROUNDS; r++) for (const [name, f] of cases) results.get(name).push(await f());
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(results.get(cases[0][0]));
for (const [name, xs] of results) {
  const m = median(xs);
  console.log(`${name.padEnd(50)} ${m.toFixed(0).padStart(8)} ns/query  ×${(m / base).toFixed(2)}`);
}
const s = pc.snapshot();
console.log(
  `upstream calls: ${s.calls} for ${WAYBILLS} waybills; owners cache ${JSON.stringify(owners.stats())}`,
);
await owners.close();
await store.close();
