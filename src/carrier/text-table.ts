/**
 * @module
 * Plain-text tables that line up in a terminal and in a monospaced email: CJK characters take two
 * columns there, so widths are counted in columns, not characters. Pure: no I/O.
 */

/** Columns a code point takes in a monospaced font: two for East Asian wide and fullwidth forms. */
function columns(codePoint: number): number {
  const wide =
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x1f300 && codePoint <= 0x1faff) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd);
  return wide ? 2 : 1;
}

/** Display width of a string in terminal columns. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += columns(ch.codePointAt(0)!);
  return width;
}

const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - displayWidth(text)));

/** A pipe table (readable as plain text, and as Markdown) with a header row. */
export function pipeTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) =>
    Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    '| ' + widths.map((w, i) => pad(cells[i] ?? '', w)).join(' | ') + ' |\n';
  return (
    line(header) + '| ' + widths.map((w) => '-'.repeat(w)).join(' | ') + ' |\n' + rows.map(line).join('')
  );
}
