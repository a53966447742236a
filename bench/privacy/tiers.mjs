// Privacy tiers: what a query costs a stranger and an owner at the reply source (the reply view in
// front of render on read, on an in-memory SQLite store), beside the same view without tiers (the
// baseline: the code before privacy tiers served everyone the one cached reply). Bounded: a fixed
// number of queries per round, rounds interleaved. Run `npm run build` first.
//
//   node bench/privacy/tiers.mjs [queriesPerRound=200000] [rounds=5]
import { performance } from 'node:perf_hooks';
import { ManualClock } from '../../dist/clock/clock.js';
import { DEFAULT_PRIVACY } from '../../dist/privacy/privacy-rules.js';
import { MaskedReplies } from '../../dist/privacy/masked-replies.js';
import { hashOpenid } from '../../dist/privacy/openid-hash.js';
import { storeTiers } from '../../dist/privacy/store-tiers.js';
import { oneZone, RenderOnRead } from '../../dist/reply/render-on-read.js';
import { SqliteStore } from '../../dist/store/sqlite/sqlite-store.js';
import { MemoryReplyView } from '../../dist/view/memory/memory-view.js';
import { ViewedReplies } from '../../dist/view/viewed-replies.js';

const N = Number(process.argv[2] ?? 200_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const KEY = 'an-owner-key-of-32-characters!!!';
const WAYBILLS = 1000;
const clock = new ManualClock(Date.UTC(2026, 6, 8));
const store = new SqliteStore({ path: ':memory:', clock });
const wb = (i) => 'YT' + String(i).padStart(13, '0');
const events = [];
for (let i = 0; i < WAYBILLS; i++) {
  for (let j = 0; j < 6; j++)
    events.push({
      waybill: wb(i),
      eventId: `e${i}-${j}`,
      time: clock.now() - (6 - j) * 3_600_000,
      status: j === 5 ? 4 : 2,
      label: j === 5 ? '已签收' : '运输中',
      description: j === 5 ? '已签收，签收人：张三，收件人电话13812345678' : '快件离开【杭州】已发往【贵阳】',
      location: '杭州',
      eta: undefined,
      cells: undefined,
      ...(j === 5 ? { recipientName: '张三', recipientPhone: '13812345678', pickupCode: '8-3-2011' } : {}),
    });
}
await store.append('yto', events);
// Half the waybills have an owner.
for (let i = 0; i < WAYBILLS; i += 2)
  await store.bindOwner('yto', wb(i), hashOpenid(KEY, 'yto', 'o-owner'), 0);

const timer = { every: () => () => {} };
const render = new RenderOnRead(store, oneZone());
const viewed = (source) =>
  new ViewedReplies({ source, feed: store, waybills: store, view: new MemoryReplyView(), clock, timer });
const baseline = viewed(render);
const maskedView = viewed(new MaskedReplies(store, store, oneZone(), () => DEFAULT_PRIVACY));
const tiered = storeTiers({
  masked: maskedView,
  full: render,
  rulesOf: () => DEFAULT_PRIVACY,
  ownerKey: KEY,
});
await baseline.start();
await maskedView.start();
await baseline.warm(['yto']);
await maskedView.warm(['yto']);

async function run(source, pick, openid) {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const r = source.getReply('yto', wb(pick(i)), openid);
    const reply = typeof r?.then === 'function' ? await r : r;
    if (reply === undefined) throw new Error('no reply');
    if (reply.deflated === undefined && reply.json.length === 0) throw new Error('empty');
  }
  return ((performance.now() - t0) * 1e6) / N; // ns per query
}
const unowned = (i) => (i * 2 + 1) % WAYBILLS;
const owned = (i) => (i * 2) % WAYBILLS;
const cases = [
  ['baseline (one reply, no tiers), unowned waybill', () => run(baseline, unowned, 'o-stranger')],
  ['stranger, unowned waybill', () => run(tiered, unowned, 'o-stranger')],
  ['baseline (one reply, no tiers), owned waybill', () => run(baseline, owned, 'o-stranger')],
  ['stranger, owned waybill', () => run(tiered, owned, 'o-stranger')],
  ['owner (full reply rendered on read)', () => run(tiered, owned, 'o-owner')],
];
const results = new Map(cases.map(([name]) => [name, []]));
for (let r = 0; r < ROUNDS; r++) for (const [name, f] of cases) results.get(name).push(await f());
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(results.get(cases[0][0]));
for (const [name, xs] of results) {
  const m = median(xs);
  console.log(`${name.padEnd(50)} ${m.toFixed(0).padStart(8)} ns/query  ×${(m / base).toFixed(2)}`);
}
await baseline.close();
await maskedView.close();
await store.close();
