/**
 * @module
 * Any JSON tracking API to an {@link UpstreamAnswer}, by JSON paths and a status-code table from
 * the configuration (see GenericMapping in pull-settings.ts). The paths are parsed once.
 */
import type { OrderStatus } from '../protocol/order-info.js';
import { parsePath, readPath, type PathStep } from './json-path.js';
import type { GenericMapping } from './pull-settings.js';
import {
  scalarText,
  type UpstreamAnswer,
  type UpstreamPersonal,
  type UpstreamTrace,
} from './upstream-answer.js';

const PERSONAL_KEYS = ['recipientName', 'recipientPhone', 'pickupCode'] as const;
type PersonalPaths = readonly (readonly [(typeof PERSONAL_KEYS)[number], readonly PathStep[]])[];

/** The personal fields `paths` find in `value`, or `undefined` for none. */
function readPersonal(value: unknown, paths: PersonalPaths): UpstreamPersonal | undefined {
  let out: Record<string, string> | undefined;
  for (const [key, steps] of paths) {
    const v = scalarText(readPath(value, steps));
    if (v !== undefined) (out ??= {})[key] = v;
  }
  return out;
}

export type GenericMapper = (reply: unknown, fallback: OrderStatus) => UpstreamAnswer;

/** Compiles a mapping; throws naming the bad path (the configuration checks paths first). */
export function compileGenericMapping(mapping: GenericMapping): GenericMapper {
  const path = (p: string): readonly PathStep[] => {
    const steps = parsePath(p);
    if (!steps) throw new Error(`not a JSON path: ${p}`);
    return steps;
  };
  const traces = path(mapping.traces);
  const time = path(mapping.time);
  const text = path(mapping.text);
  const place = mapping.place === undefined ? undefined : path(mapping.place);
  const traceStatus = mapping.traceStatus === undefined ? undefined : path(mapping.traceStatus);
  const status = mapping.status === undefined ? undefined : path(mapping.status);
  const eta = mapping.eta === undefined ? undefined : path(mapping.eta);
  const notFound = mapping.notFound && { path: path(mapping.notFound.path), values: mapping.notFound.values };
  // `$`-rooted: the waybill's own; otherwise within each trace (pull-settings.ts GenericMapping).
  const personal = PERSONAL_KEYS.flatMap((k) =>
    mapping[k] === undefined ? [] : [[k, mapping[k].startsWith('$'), path(mapping[k])] as const],
  );
  const waybillPersonal: PersonalPaths = personal.filter(([, w]) => w).map(([k, , p]) => [k, p]);
  const tracePersonal: PersonalPaths = personal.filter(([, w]) => !w).map(([k, , p]) => [k, p]);
  const codes = mapping.statusCodes;
  const lookup = (code: string | undefined): OrderStatus | undefined =>
    code !== undefined && Object.hasOwn(codes, code) ? codes[code] : undefined;

  return (reply, fallback) => {
    if (notFound) {
      const v = scalarText(readPath(reply, notFound.path));
      if (v !== undefined && notFound.values.includes(v)) return { kind: 'unknown' };
    }
    const list = readPath(reply, traces);
    if (!Array.isArray(list)) return { kind: 'garbage' };
    const out: UpstreamTrace[] = [];
    let newestCode: string | undefined;
    for (const item of list as unknown[]) {
      const t = scalarText(readPath(item, time));
      const x = scalarText(readPath(item, text));
      if (t === undefined || x === undefined) continue;
      const p = place && scalarText(readPath(item, place));
      const code = traceStatus && scalarText(readPath(item, traceStatus));
      const s = lookup(code);
      if (code !== undefined && (mapping.order === 'newest-first' ? newestCode === undefined : true))
        newestCode = code;
      const own = tracePersonal.length === 0 ? undefined : readPersonal(item, tracePersonal);
      out.push({
        time: t,
        text: x,
        ...(p === undefined ? {} : { place: p }),
        ...(s === undefined ? {} : { status: s }),
        ...(own === undefined ? {} : { personal: own }),
      });
    }
    const code = status ? scalarText(readPath(reply, status)) : newestCode;
    const mapped = lookup(code);
    if (status && code === undefined) return { kind: 'garbage' };
    const e = eta && scalarText(readPath(reply, eta));
    const whole = waybillPersonal.length === 0 ? undefined : readPersonal(reply, waybillPersonal);
    return {
      kind: 'found',
      status: mapped ?? (code === undefined && out.length === 0 ? 0 : fallback),
      traces: out,
      order: mapping.order,
      ...(e === undefined ? {} : { eta: e }),
      ...(mapped === undefined && code !== undefined ? { unmapped: true } : {}),
      ...(whole === undefined ? {} : { personal: whole }),
    };
  };
}
