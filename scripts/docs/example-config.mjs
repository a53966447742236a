// @ts-check
/**
 * @module example-config
 *
 * The README shows the example configuration in full, and a copy drifts: it once lacked the
 * `application` section the file had. This checks that the ```json block introduced as
 * `wxtrack.config.example.json` is that file, value for value (parsed, so formatting may differ).
 * Pure: the caller passes both texts.
 */

/** The line that introduces the copy; the next ```json block is compared. */
export const EXAMPLE_MARK = '`wxtrack.config.example.json` in this repository';

/**
 * @param {string} readme
 * @param {string} example the file's text
 * @returns {{ line: number, message: string }[]}
 */
export function exampleConfigFindings(readme, example) {
  const lines = readme.split('\n');
  const at = lines.findIndex((l) => l.includes(EXAMPLE_MARK));
  if (at < 0)
    return [{ line: 1, message: `no copy of the example configuration (a line with ${EXAMPLE_MARK})` }];
  const open = lines.findIndex((l, i) => i > at && /^```json\s*$/.test(l));
  const close = open < 0 ? -1 : lines.findIndex((l, i) => i > open && /^```\s*$/.test(l));
  if (open < 0 || close < 0)
    return [{ line: at + 1, message: 'the example configuration has no ```json block after it' }];
  let shown;
  try {
    shown = JSON.parse(lines.slice(open + 1, close).join('\n'));
  } catch {
    return []; // the JSON-block check reports it
  }
  const file = JSON.parse(example);
  if (JSON.stringify(canonical(shown)) === JSON.stringify(canonical(file))) return [];
  const differ = differences(shown, file, '').slice(0, 5);
  return [
    {
      line: open + 1,
      message: `the example configuration differs from wxtrack.config.example.json at ${differ.join(', ')}: copy the file in whole`,
    },
  ];
}

/** @param {unknown} v @returns {unknown} */
function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical(/** @type {Record<string, unknown>} */ (v)[k])]),
    );
  return v;
}

/**
 * The paths where two values differ (`carriers[0].application`).
 * @param {unknown} a @param {unknown} b @param {string} path
 * @returns {string[]}
 */
function differences(a, b, path) {
  if (JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))) return [];
  const isObj = (/** @type {unknown} */ v) => v !== null && typeof v === 'object';
  if (!isObj(a) || !isObj(b) || Array.isArray(a) !== Array.isArray(b)) return [path || '(root)'];
  const ra = /** @type {Record<string, unknown>} */ (a);
  const rb = /** @type {Record<string, unknown>} */ (b);
  const names = [...new Set([...Object.keys(ra), ...Object.keys(rb)])];
  return names.flatMap((k) =>
    differences(ra[k], rb[k], Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k),
  );
}
