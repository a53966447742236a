/**
 * @module
 * The waybill formats of the major Chinese couriers, for `wxtrack pattern lint` to flag a pattern
 * that would claim another courier's parcels. These are public, commonly documented shapes, not
 * the couriers' registered expressions: good enough to catch a pattern that is too broad, never a
 * reason to reject one. Each entry carries sample numbers that its pattern matches (a test checks
 * that every sample is accepted by its own pattern and passes the safety check). Pure data.
 */

export interface CatalogueCourier {
  /** Short code, as aggregators use it. */
  readonly code: string;
  /** Chinese name, as the courier is known in WeChat. */
  readonly name: string;
  /** Other ids and names by which a configured carrier is recognised as this courier. */
  readonly aliases: readonly string[];
  /** The format, as an unanchored pattern. */
  readonly pattern: string;
  /** Sample numbers in this format. */
  readonly samples: readonly string[];
}

const courier = (c: CatalogueCourier): CatalogueCourier => Object.freeze(c);

export const COURIER_CATALOGUE: readonly CatalogueCourier[] = Object.freeze([
  courier({
    code: 'SF',
    name: '顺丰',
    aliases: ['SF', 'SFEXPRESS', 'SHUNFENG', '顺丰速运'],
    pattern: 'SF\\d{12,13}',
    samples: ['SF1234567890123', 'SF123456789012', 'SF1410023456789'],
  }),
  courier({
    code: 'JD',
    name: '京东',
    aliases: ['JD', 'JDL', 'JINGDONG', '京东物流', '京东快递'],
    pattern: 'JD[A-Z0-9]{11,13}',
    samples: ['JD0012345678901', 'JDVA12345678901', 'JDX000123456789'],
  }),
  courier({
    code: 'EMS',
    name: 'EMS',
    aliases: ['EMS', 'CHINAPOST', 'YOUZHENG', '中国邮政', '邮政'],
    pattern: '[A-Z]{2}\\d{9}CN|1\\d{12}|9\\d{12}',
    samples: ['EA123456789CN', '1100012345678', '9712345678901'],
  }),
  courier({
    code: 'YTO',
    name: '圆通',
    aliases: ['YTO', 'YT', 'YUANTONG', '圆通速递'],
    pattern: 'YT\\d{13}|YT\\d{15}',
    samples: ['YT1234567890123', 'YT6012345678901', 'YT123456789012345'],
  }),
  courier({
    code: 'ZTO',
    name: '中通',
    aliases: ['ZTO', 'ZHONGTONG', '中通快递'],
    pattern: '7\\d{11}|7\\d{13}',
    samples: ['731234567890', '75123456789012', '78012345678901'],
  }),
  courier({
    code: 'STO',
    name: '申通',
    aliases: ['STO', 'SHENTONG', '申通快递'],
    pattern: '(?:77|88|22|55|33)\\d{10,11}',
    samples: ['773123456789', '7731234567890', '8812345678901'],
  }),
  courier({
    code: 'YD',
    name: '韵达',
    aliases: ['YD', 'YUNDA', '韵达快递', '韵达速递'],
    pattern: '(?:31|43|46|12)\\d{11}',
    samples: ['4312345678901', '3123456789012', '4600012345678'],
  }),
  courier({
    code: 'JT',
    name: '极兔',
    aliases: ['JT', 'JTEXPRESS', 'JITU', '极兔速递'],
    pattern: 'JT\\d{13}',
    samples: ['JT0001234567890', 'JT5012345678901'],
  }),
  courier({
    code: 'DBL',
    name: '德邦',
    aliases: ['DBL', 'DEPPON', 'DB', '德邦快递', '德邦物流'],
    pattern: 'DPK\\d{12}|\\d{10}',
    samples: ['DPK360012345678', '5012345678'],
  }),
  courier({
    code: 'HTKY',
    name: '百世',
    aliases: ['HTKY', 'BEST', 'BESTEXPRESS', '百世快递', '百世汇通'],
    pattern: 'A\\d{12}|(?:55|56|57|70|71|72)\\d{11}',
    samples: ['A001234567890', '5570123456789', '7012345678901'],
  }),
  courier({
    code: 'CAINIAO',
    name: '菜鸟',
    aliases: ['CAINIAO', 'CN', 'LP', '菜鸟速递', '菜鸟裹裹'],
    pattern: 'LP\\d{14}|CN\\d{14}',
    samples: ['LP00123456789012', 'CN00012345678901'],
  }),
]);

/** Whether a configured carrier is this catalogue courier (its own format is no collision). */
export function isSameCourier(entry: CatalogueCourier, carrier: { id: string; name: string }): boolean {
  const id = carrier.id.toUpperCase();
  return (
    entry.code === id ||
    entry.aliases.includes(id) ||
    carrier.name.includes(entry.name) ||
    entry.aliases.some((a) => /[^\x21-\x7e]/.test(a) && carrier.name.includes(a))
  );
}
