/**
 * @module
 * The CSV grammar of RFC 4180 over text that holds whole records: fields split by commas,
 * records by LF or CRLF, a field in double quotes may hold commas, line breaks and doubled
 * quotes (`""` for `"`). A quote inside an unquoted field is kept as text, as spreadsheet
 * exports expect. Pure and string-based: parsing decoded text directly is several times faster
 * than a byte-oriented parser that converts every field back to a string.
 */

/** Thrown for text that is not CSV; `line` is 1-based within the parsed text. */
export class CsvSyntaxError extends Error {
  constructor(
    /** What is wrong, without the line. */
    readonly reason: string,
    readonly line: number,
    /** The line the broken record starts on: where a reader resyncs from (the line after it). */
    readonly recordLine: number = line,
  ) {
    super(`${reason} on line ${line}`);
  }
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** Parses whole records. A blank line comes back as one empty field, so callers can count it. */
export function parseCsvText(text: string): string[][] {
  const rows: string[][] = [];
  const n = text.length;
  let row: string[] = [];
  let line = 1;
  let i = 0;
  let recordLine = 1;
  while (i < n) {
    let field: string;
    if (row.length === 0) recordLine = line;
    if (text.charCodeAt(i) === QUOTE) {
      const startLine = line;
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0) throw new CsvSyntaxError('a quoted field is never closed', startLine, recordLine);
        for (let k = text.indexOf('\n', from); k >= 0 && k < q; k = text.indexOf('\n', k + 1)) line++;
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += text.slice(from, q + 1);
          from = q + 2;
          continue;
        }
        value += text.slice(from, q);
        i = q + 1;
        break;
      }
      const c = i < n ? text.charCodeAt(i) : -1;
      if (c === CR && text.charCodeAt(i + 1) === LF) i++;
      else if (c !== COMMA && c !== LF && c !== -1) {
        throw new CsvSyntaxError('unexpected text after a closing quote', line, recordLine);
      }
      field = value;
    } else {
      let k = i;
      for (; k < n; k++) {
        const c = text.charCodeAt(k);
        if (c === COMMA || c === LF) break;
      }
      field = text.slice(
        i,
        k > i && text.charCodeAt(k - 1) === CR && (k === n || text.charCodeAt(k) === LF) ? k - 1 : k,
      );
      i = k;
    }
    row.push(field);
    const c = i < n ? text.charCodeAt(i) : -1;
    if (c === COMMA) {
      i++;
      // A trailing comma ends with an empty field.
      if (
        i === n ||
        text.charCodeAt(i) === LF ||
        (text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF)
      ) {
        row.push('');
        if (text.charCodeAt(i) === CR) i++;
        if (i < n) i++;
        rows.push(row);
        row = [];
        line++;
      }
    } else {
      // LF or the end: the record is complete.
      if (c === LF) i++;
      rows.push(row);
      row = [];
      line++;
    }
  }
  return rows;
}

/** A record the grammar could not read: one physical line, skipped. */
export interface CsvBrokenLine {
  readonly broken: string;
}

/**
 * Like {@link parseCsvText}, but a record that breaks the grammar (a quote never closed, text
 * after a closing quote) costs only its first line: that line comes back as a
 * {@link CsvBrokenLine} and parsing resumes on the next line. A stray quote therefore sinks one
 * record, not the file. (A stray quote that happens to pair with a later one and still forms
 * valid CSV cannot be told from intent; that is where no parser can resync.)
 */
export function parseCsvTextResync(text: string): (string[] | CsvBrokenLine)[] {
  const out: (string[] | CsvBrokenLine)[] = [];
  let rest = text;
  for (;;) {
    try {
      out.push(...parseCsvText(rest));
      return out;
    } catch (err) {
      if (!(err instanceof CsvSyntaxError)) throw err;
      const starts = lineStarts(rest, err.recordLine + 1);
      const recordAt = starts[err.recordLine - 1]!;
      if (recordAt > 0) out.push(...parseCsvText(rest.slice(0, recordAt)));
      out.push({ broken: err.reason });
      const next = starts[err.recordLine];
      if (next === undefined) return out;
      rest = rest.slice(next);
    }
  }
}

/** Offsets of the first `count` line starts of `text` (fewer when it has fewer lines). */
function lineStarts(text: string, count: number): number[] {
  const starts = [0];
  for (let nl = text.indexOf('\n'); nl >= 0 && starts.length < count; nl = text.indexOf('\n', nl + 1)) {
    starts.push(nl + 1);
  }
  return starts;
}
