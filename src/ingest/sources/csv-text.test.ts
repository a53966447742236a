import { describe, expect, it } from 'vitest';
import { parseCsvText } from './csv-text.js';

describe('parseCsvText', () => {
  it('splits fields and records, LF and CRLF', () => {
    expect(parseCsvText('a,b,c\n1,2,3\r\n4,,6')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
      ['4', '', '6'],
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    expect(parseCsvText('"a,b","say ""hi""","x\r\ny\nz"\r\n"",plain\n')).toEqual([
      ['a,b', 'say "hi"', 'x\r\ny\nz'],
      ['', 'plain'],
    ]);
  });

  it('returns a blank line as one empty field, and keeps trailing empty fields', () => {
    expect(parseCsvText('a\n\nb,\nc,\r\n')).toEqual([['a'], [''], ['b', ''], ['c', '']]);
  });

  it('keeps a quote inside an unquoted field as text, and a lone CR inside a field', () => {
    expect(parseCsvText('5"3,a\rb\n')).toEqual([['5"3', 'a\rb']]);
  });

  it('refuses an unclosed quote and text after a closing quote, naming the line', () => {
    expect(() => parseCsvText('a\n"b\nc')).toThrow('a quoted field is never closed on line 2');
    expect(() => parseCsvText('a\n"b"x,c\n')).toThrow(/after a closing quote on line 2/);
  });

  it('agrees with the records csv-parse gave for a typical export', () => {
    const text = '运单号,描述\r\nYT1,"到达【贵阳】, 操作员 ""张三"""\r\nYT2,"多行\r\n描述"\r\n';
    expect(parseCsvText(text)).toEqual([
      ['运单号', '描述'],
      ['YT1', '到达【贵阳】, 操作员 "张三"'],
      ['YT2', '多行\r\n描述'],
    ]);
  });
});
