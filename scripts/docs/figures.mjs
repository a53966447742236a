// @ts-check
/**
 * @module figures
 *
 * The two languages must give the same figures: the 中文 text once kept benchmark figures two
 * rounds old (16,000–20,000 req/s) and a per-waybill size the English had corrected. Prose is not
 * comparable by a program, but a number with a unit is: `10 MiB`, `0.19 ms`, `47,000 events/s`,
 * `40 %` read the same in both languages. This pairs every English section with its 中文 twin
 * (an English `##` section and the 中文 `##` section after it, part by part: the text before the
 * first `###`, then each `###` in order, as the structure check already requires) and reports a
 * figure one part gives and its twin does not.
 *
 * A figure is a number followed by one of {@link UNITS} (or its 中文 form, {@link ALIASES}: `10 秒`
 * is `10 s`); thousands separators and the space before the unit are ignored (`47,000 events/s` =
 * `47000events/s`), and `KB`/`KiB` stay apart.
 * Fenced code is left out: the 中文 half points to the English examples instead of repeating
 * them. Pure: the caller passes the text.
 */

/**
 * Units both languages write the same way, longest first so `ms` is not read as `m` + `s`.
 * Plain `s` (seconds) counts only as `N s` or `Ns` followed by a non-letter.
 */
const UNITS = [
  'events/s',
  'min',
  'req/s',
  'q/s',
  'GiB',
  'MiB',
  'KiB',
  'GB',
  'MB',
  'KB',
  'ms',
  'µs',
  'ns',
  '%',
  's',
];

/** How the 中文 text writes the same units: `10 秒` is `10 s`, `47,000 事件/秒` is `47,000 events/s`. */
const ALIASES = new Map([
  ['请求/秒', 'req/s'],
  ['查询/秒', 'q/s'],
  ['次查询/秒', 'q/s'],
  ['次/秒', 'q/s'],
  ['事件/秒', 'events/s'],
  ['条/秒', 'events/s'],
  ['分钟', 'min'],
  ['毫秒', 'ms'],
  ['微秒', 'µs'],
  ['纳秒', 'ns'],
  ['秒', 's'],
  // English words for the same units.
  ['minutes', 'min'],
  ['minute', 'min'],
  ['seconds', 's'],
  ['second', 's'],
]);

const CJK = /[\u3400-\u9fff]/;
const escape = (/** @type {string} */ u) => u.replace(/[/%]/g, (c) => '\\' + c);
const FIGURE = new RegExp(
  String.raw`(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s?(` +
    [...ALIASES.keys(), ...UNITS]
      .sort((a, b) => b.length - a.length)
      .map(escape)
      .join('|') +
    String.raw`)(?![A-Za-z0-9])`,
  'g',
);

/**
 * The figures of a text, normalized (`47,000 events/s` → `47000events/s`), each with the offset
 * where it ends. A range written once with its unit (`16,000–20,000 req/s`) gives both ends.
 * @param {string} text
 * @returns {{ figure: string, end: number }[]}
 */
function figuresIn(text) {
  /** @type {{ figure: string, end: number }[]} */
  const out = [];
  for (const m of text.matchAll(FIGURE)) {
    const unit = ALIASES.get(m[3] ?? '') ?? m[3] ?? '';
    const end = (m.index ?? 0) + m[0].length;
    out.push({ figure: (m[1] ?? '').replace(/,/g, '') + (m[2] ?? '') + unit, end });
    const range = /(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s?[–-]\s?$/.exec(text.slice(0, m.index));
    if (range) out.push({ figure: (range[1] ?? '').replace(/,/g, '') + (range[2] ?? '') + unit, end });
  }
  return out;
}

/**
 * The figures of one line of prose, normalized (`47,000 events/s` → `47000events/s`).
 * @param {string} line
 * @returns {string[]}
 */
export function figuresOf(line) {
  return figuresIn(line).map((f) => f.figure);
}

/**
 * @typedef {{ title: string, line: number, figures: Map<string, number>, lines: [number, string][] }} Part
 * @typedef {{ heading: string, line: number, chinese: boolean, parts: Part[] }} Section
 */

/**
 * The `##` sections of a document, each cut into parts at its `###` headings, with the figures of
 * each part (fenced code left out) and the line each first appears on.
 * @param {string} text
 * @returns {Section[]}
 */
function sectionsOf(text) {
  /** @type {Section[]} */
  const sections = [];
  /** @type {Section | undefined} */
  let section;
  /** @type {Part | undefined} */
  let part;
  let fence = false;
  text.split('\n').forEach((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fence = !fence;
      return;
    }
    if (fence) return;
    const h2 = /^##\s+(.*)$/.exec(line);
    if (h2) {
      part = { title: '(before the first ###)', line: i + 1, figures: new Map(), lines: [] };
      section = { heading: h2[1] ?? '', line: i + 1, chinese: CJK.test(h2[1] ?? ''), parts: [part] };
      sections.push(section);
      return;
    }
    if (/^#\s/.test(line)) {
      section = undefined;
      part = undefined;
      return;
    }
    const h3 = /^###\s+(.*)$/.exec(line);
    if (h3 && section) {
      part = { title: `### ${h3[1] ?? ''}`, line: i + 1, figures: new Map(), lines: [] };
      section.parts.push(part);
      return;
    }
    if (!part) return;
    // An HTML comment (e.g. the english-only mark) holds no figure.
    if (/^\s*<!--.*-->\s*$/.test(line)) return;
    part.lines.push([i + 1, line]);
  });
  // A figure may wrap (`115,000` at a line's end, `events/s` on the next): read each part as one
  // text, lines joined by a space, and name the line a figure ends on.
  for (const sec of sections) {
    for (const p of sec.parts) {
      let text = '';
      /** @type {number[]} */
      const ends = [];
      for (const [, line] of p.lines) {
        text += (text === '' ? '' : ' ') + line.trim();
        ends.push(text.length);
      }
      for (const { figure, end } of figuresIn(text)) {
        const at = ends.findIndex((e) => e >= end);
        if (!p.figures.has(figure)) p.figures.set(figure, p.lines[at]?.[0] ?? p.line);
      }
    }
  }
  return sections;
}

/**
 * Every figure a part gives that its twin does not. Sections without a twin, or whose `###`
 * counts differ, are left to the structure check, which reports them.
 * @param {string} text
 * @returns {{ line: number, message: string }[]}
 */
export function figureFindings(text) {
  const sections = sectionsOf(text);
  /** @type {{ line: number, message: string }[]} */
  const findings = [];
  sections.forEach((en, i) => {
    const zh = sections[i + 1];
    if (en.chinese || zh === undefined || !zh.chinese || zh.parts.length !== en.parts.length) return;
    en.parts.forEach((enPart, j) => {
      const zhPart = /** @type {Part} */ (zh.parts[j]);
      const where = (/** @type {Section} */ s, /** @type {Part} */ p) =>
        `"## ${s.heading}"${p.title.startsWith('###') ? ` ${p.title}` : ''}`;
      for (const [figure, line] of enPart.figures) {
        if (!zhPart.figures.has(figure)) {
          findings.push({
            line,
            message: `${figure} is in ${where(en, enPart)} but not in its 中文 twin ${where(zh, zhPart)} (line ${zhPart.line})`,
          });
        }
      }
      for (const [figure, line] of zhPart.figures) {
        if (!enPart.figures.has(figure)) {
          findings.push({
            line,
            message: `${figure} is in ${where(zh, zhPart)} but not in its English twin ${where(en, enPart)} (line ${enPart.line})`,
          });
        }
      }
    });
  });
  return findings.sort((a, b) => a.line - b.line);
}
