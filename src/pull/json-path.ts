/**
 * @module
 * The JSON paths of the generic mapping: `$.data.list[0].time`, or without the `$.`. Dots and
 * `[n]` indexes only, no wildcards or filters: enough to point at a field, and nothing that can
 * take time on a hostile reply. Own properties only, so `__proto__` or `constructor` in a path
 * finds nothing.
 */

export type PathStep = string | number;

/** The steps of a path, or `undefined` when it is not a path of this form. */
export function parsePath(path: string): readonly PathStep[] | undefined {
  let rest = path.startsWith('$') ? path.slice(1) : '.' + path;
  if (rest === '') return [];
  const steps: PathStep[] = [];
  while (rest.length > 0) {
    const m = /^\.([A-Za-z_$][\w$-]*)|^\[(\d{1,6})\]/.exec(rest);
    if (!m) return undefined;
    steps.push(m[1] !== undefined ? m[1] : Number(m[2]));
    rest = rest.slice(m[0].length);
  }
  return steps;
}

export function readPath(value: unknown, steps: readonly PathStep[]): unknown {
  let at = value;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(at) || step >= at.length) return undefined;
      at = at[step];
    } else {
      if (typeof at !== 'object' || at === null || Array.isArray(at)) return undefined;
      if (!Object.prototype.hasOwnProperty.call(at, step)) return undefined;
      at = (at as Record<string, unknown>)[step];
    }
  }
  return at;
}
