// Generates the bench database once: N waybills x 8 scan events, written through the real ingest
// path (the compiled SqliteStore, which renders each waybill's reply as it ingests), and cached in
// .bench-cache/ keyed by size. A marker file written last says the database is complete; a
// database without its marker is a leftover of an interrupted run and is generated again.
//
//   node bench/track/gen-db.mjs            # BENCH_WAYBILLS (default 1000000)
//   BENCH_WAYBILLS=20000 node bench/track/gen-db.mjs
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import {
  CACHE_DIR,
  CARRIER,
  EVENTS_PER_WAYBILL,
  GEN_VERSION,
  ROOT,
  dbPathFor,
  envInt,
  fmtBytes,
  fmtInt,
  markerPathFor,
  prng,
  waybillOf,
} from './common.mjs';

/** Waybills per ingest call: 1000 x 8 = 8000 events, every waybill's events in one batch. */
const WAYBILLS_PER_BATCH = 1000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// Places: [province, city, district, the city's hub]. Real names, so replies have the byte size
// and character mix of a Chinese courier's.
const PLACES = [
  ['北京市', '北京市', '朝阳区', '北京转运中心'],
  ['北京市', '北京市', '海淀区', '北京转运中心'],
  ['上海市', '上海市', '浦东新区', '上海转运中心'],
  ['上海市', '上海市', '闵行区', '上海转运中心'],
  ['广东省', '广州市', '白云区', '广州转运中心'],
  ['广东省', '深圳市', '宝安区', '深圳转运中心'],
  ['广东省', '东莞市', '长安镇', '东莞转运中心'],
  ['浙江省', '杭州市', '余杭区', '杭州转运中心'],
  ['浙江省', '金华市', '义乌市', '义乌转运中心'],
  ['浙江省', '宁波市', '鄞州区', '宁波转运中心'],
  ['江苏省', '南京市', '江宁区', '南京转运中心'],
  ['江苏省', '苏州市', '昆山市', '苏州转运中心'],
  ['河北省', '廊坊市', '永清县', '河北廊坊转运中心'],
  ['河北省', '石家庄市', '长安区', '石家庄转运中心'],
  ['贵州省', '贵阳市', '观山湖区', '贵阳转运中心'],
  ['四川省', '成都市', '双流区', '成都转运中心'],
  ['重庆市', '重庆市', '渝北区', '重庆转运中心'],
  ['湖北省', '武汉市', '东西湖区', '武汉转运中心'],
  ['湖南省', '长沙市', '雨花区', '长沙转运中心'],
  ['河南省', '郑州市', '中牟县', '郑州转运中心'],
  ['山东省', '临沂市', '兰山区', '临沂转运中心'],
  ['山东省', '青岛市', '黄岛区', '青岛转运中心'],
  ['福建省', '厦门市', '集美区', '厦门转运中心'],
  ['陕西省', '西安市', '未央区', '西安转运中心'],
  ['辽宁省', '沈阳市', '于洪区', '沈阳转运中心'],
  ['黑龙江省', '哈尔滨市', '道里区', '哈尔滨转运中心'],
  ['新疆维吾尔自治区', '乌鲁木齐市', '新市区', '乌鲁木齐转运中心'],
  ['云南省', '昆明市', '官渡区', '昆明转运中心'],
];
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢';
const STREETS = ['幸福路', '人民路', '建设路', '解放路', '中山路', '和平街', '滨江路', '文化路'];

const pick = (rand, list) => list[Math.floor(rand() * list.length)];
const phone = (rand) =>
  '1' + pick(rand, ['3', '5', '7', '8', '9']) + String(Math.floor(rand() * 1e9)).padStart(9, '0');
/** YYYY-MM-DD in Asia/Shanghai (UTC+8, no DST). */
const shanghaiDate = (ms) => new Date(ms + 8 * HOUR).toISOString().slice(0, 10);

/** The 8 events of waybill i; `endBefore` bounds the newest event time. */
export function eventsOf(i, endBefore) {
  const rand = prng(i * 2654435761 + GEN_VERSION);
  const waybill = waybillOf(i);
  const o = pick(rand, PLACES);
  let d = pick(rand, PLACES);
  if (d === o) d = PLACES[(PLACES.indexOf(o) + 7) % PLACES.length];
  const oShop = `${o[1]}${o[2]}营业部`;
  const dShop = `${d[1]}${d[2]}营业部`;
  const oWhere = `${o[0] === o[1] ? '' : o[0]}${o[1]}${o[2]}`;
  const dWhere = `${d[0] === d[1] ? '' : d[0]}${d[1]}${d[2]}`;
  const picker = pick(rand, SURNAMES);
  const courier = pick(rand, SURNAMES);
  const courierPhone = phone(rand);

  // 7 steps of 2-14 hours, ending within the last 3 days before `endBefore`.
  const steps = Array.from(
    { length: EVENTS_PER_WAYBILL - 1 },
    () => 2 * HOUR + Math.floor(rand() * 12 * HOUR),
  );
  const span = steps.reduce((a, b) => a + b, 0);
  let t = endBefore - Math.floor(rand() * 3 * DAY) - span - 60_000;
  const times = [t];
  for (const s of steps) times.push((t += s));

  const agent = rand() < 0.2;
  const spec = [
    [1, '已揽件', `【${oShop}】已揽收，揽收员：${picker}师傅，电话：${phone(rand)}`, oWhere],
    [2, '运输中', `快件已到达【${o[3]}】`, o[1]],
    [2, '运输中', `快件离开【${o[3]}】已发往【${d[3]}】`, o[1]],
    [2, '运输中', `快件已到达【${d[3]}】`, d[1]],
    [2, '运输中', `快件离开【${d[3]}】已发往【${dShop}】`, d[1]],
    [2, '运输中', `快件已到达【${dShop}】`, dWhere],
    [3, '派送中', `【${dShop}】派件员：${courier}师傅，电话：${courierPhone}，正在为您派件`, dWhere],
    agent
      ? [6, '代签收', `快件已由【菜鸟驿站（${d[2]}${pick(rand, STREETS)}店）】代签收，请凭取件码取件`, dWhere]
      : [4, '已签收', `快件已签收，签收人：本人，派件员：${courier}师傅`, dWhere],
  ];
  return spec.map(([status, label, description, location], k) => ({
    waybill,
    eventId: `${waybill}-${k}`,
    time: times[k],
    status,
    label,
    description,
    location,
    eta: k === 0 ? shanghaiDate(times[0] + 3 * DAY) : undefined,
    cells: k === 0 ? [{ key: 'reserve', value: '预约派送', status: `wb=${waybill}` }] : undefined,
  }));
}

/** The marker of a complete database of this size, or undefined. */
export function readMarker(waybills) {
  const marker = markerPathFor(waybills);
  const db = dbPathFor(waybills);
  if (!existsSync(marker) || !existsSync(db)) return undefined;
  try {
    const m = JSON.parse(readFileSync(marker, 'utf8'));
    if (m.version !== GEN_VERSION || m.waybills !== waybills || m.eventsPerWaybill !== EVENTS_PER_WAYBILL)
      return undefined;
    if (statSync(db).size < m.dbBytes) return undefined;
    return m;
  } catch {
    return undefined;
  }
}

async function loadStoreModules() {
  const store = join(ROOT, 'dist/store/sqlite/sqlite-store.js');
  if (!existsSync(store)) {
    throw new Error('dist/ is missing the store: run `npm run build` first');
  }
  const { SqliteStore } = await import(pathToFileURL(store).href);
  return { SqliteStore };
}

/**
 * Returns the marker of a complete database of `waybills` waybills, generating it first when the
 * cache has none.
 */
export async function ensureDb(waybills, log = (s) => console.log(s)) {
  const cached = readMarker(waybills);
  if (cached) {
    log(
      `db: reusing ${cached.path} (${fmtInt(waybills)} waybills, ${fmtBytes(cached.dbBytes)}, ` +
        `generated in ${cached.genSeconds.toFixed(1)} s on ${cached.generatedAt})`,
    );
    return cached;
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  const path = dbPathFor(waybills);
  for (const f of [markerPathFor(waybills), path, path + '-wal', path + '-shm']) rmSync(f, { force: true });

  const { SqliteStore } = await loadStoreModules();
  const store = new SqliteStore({
    path,
    create: true,
    clock: { now: () => Date.now() },
  });
  const started = Date.now();
  const endBefore = started;
  log(`db: generating ${path}: ${fmtInt(waybills)} waybills x ${EVENTS_PER_WAYBILL} events`);
  let lastLog = started;
  let inserted = 0;
  try {
    for (let first = 0; first < waybills; first += WAYBILLS_PER_BATCH) {
      const last = Math.min(waybills, first + WAYBILLS_PER_BATCH);
      const batch = [];
      for (let i = first; i < last; i++) batch.push(...eventsOf(i, endBefore));
      const outcomes = await store.append(CARRIER, batch);
      for (const o of outcomes) if (o === 'inserted') inserted++;
      const now = Date.now();
      if (now - lastLog >= 5000 || last === waybills) {
        lastLog = now;
        const s = (now - started) / 1000;
        log(
          `db: ${fmtInt(last)}/${fmtInt(waybills)} waybills (${((100 * last) / waybills).toFixed(1)}%), ` +
            `${fmtInt(inserted / s)} events/s, ${s.toFixed(0)} s`,
        );
      }
    }
  } finally {
    await store.close();
  }
  const expected = waybills * EVENTS_PER_WAYBILL;
  if (inserted !== expected) throw new Error(`db: inserted ${inserted} events, expected ${expected}`);
  const genSeconds = (Date.now() - started) / 1000;
  const marker = {
    version: GEN_VERSION,
    path,
    waybills,
    eventsPerWaybill: EVENTS_PER_WAYBILL,
    events: inserted,
    carrier: CARRIER,
    dbBytes: statSync(path).size,
    genSeconds,
    generatedAt: new Date(started).toISOString(),
  };
  writeFileSync(markerPathFor(waybills), JSON.stringify(marker, null, 2) + '\n');
  log(`db: done in ${genSeconds.toFixed(1)} s, ${fmtBytes(marker.dbBytes)}`);
  return marker;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await ensureDb(envInt('BENCH_WAYBILLS', 1_000_000));
}
