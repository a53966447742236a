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
  while (i < n) {
    let field: string;
    if (text.charCodeAt(i) === QUOTE) {
      const startLine = line;
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0) throw new CsvSyntaxError('a quoted field is never closed', startLine);
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
        throw new CsvSyntaxError('unexpected text after a closing quote', line);
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
