/**
 * @module
 * Stored carriers that no configured carrier serves. Data is stored under a carrier id; a
 * configuration that no longer has that id (the README's flags route stores under `default`, a
 * file names its carriers `YTO`, `JT`, …) leaves those waybills dark: every query gets 40401 and
 * nothing said why. `serve` and `config check` name them, with their waybill counts, and say how
 * to keep the data. Pure.
 */

export interface UnservedCarrier {
  readonly carrier: string;
  readonly waybills: number;
}

/** The stored carriers (with waybills) that none of `served` is, largest first. */
export function unservedCarriers(
  stored: ReadonlyMap<string, number>,
  served: readonly string[],
): UnservedCarrier[] {
  const known = new Set(served);
  return [...stored]
    .filter(([carrier, waybills]) => waybills > 0 && !known.has(carrier))
    .map(([carrier, waybills]) => ({ carrier, waybills }))
    .sort((a, b) => b.waybills - a.waybills || a.carrier.localeCompare(b.carrier));
}

/** One line naming them and how to keep their data; undefined when there are none. */
export function unservedWarning(unserved: readonly UnservedCarrier[]): string | undefined {
  if (unserved.length === 0) return undefined;
  const list = unserved
    .map(
      (u) => `"${u.carrier}" (${u.waybills.toLocaleString('en-US')} waybill${u.waybills === 1 ? '' : 's'})`,
    )
    .join(', ');
  const first = unserved[0]!.carrier;
  return (
    `the store holds waybills for carriers no configured carrier serves: ${list}; their queries get 40401. ` +
    `To serve them, give a configured carrier that id (e.g. "id": "${first}"), as the data is stored by carrier id`
  );
}
