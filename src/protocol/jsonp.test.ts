import { describe, expect, it } from 'vitest';
import { jsonpBody, parseJsonpBody, stringifyForScript } from './jsonp.js';
import { Errors } from './errors.js';
import { errorBodies, errorJson } from './order-info.js';

describe('stringifyForScript', () => {
  it('escapes the characters that could end a script or a JS line', () => {
    const json = stringifyForScript({ s: '</script><b>&\u2028\u2029' });
    expect(json).toBe('{"s":"\\u003c/script\\u003e\\u003cb\\u003e\\u0026\\u2028\\u2029"}');
    expect(JSON.parse(json)).toEqual({ s: '</script><b>&\u2028\u2029' });
  });
});

describe('jsonpBody', () => {
  it('is exactly callback + ( + json + ), with no prefix or semicolon', () => {
    expect(jsonpBody('WxOrderCb', '{"a":1}')).toBe('WxOrderCb({"a":1})');
  });

  it("round-trips through WeChat's strip-and-parse reader", () => {
    const value = { err_code: 0, text: '快件\n已到达 <x>' };
    expect(parseJsonpBody(jsonpBody('WxOrderCb', stringifyForScript(value)))).toEqual(value);
  });
});

describe('error bodies', () => {
  it('are built from the catalog only', () => {
    const bodies = errorBodies('WxOrderCb');
    expect(bodies.get(Errors.BAD_SIGNATURE)).toBe('WxOrderCb({"err_code":40001,"err_msg":"bad signature"})');
    expect(bodies.size).toBe(Object.keys(Errors).length);
  });

  it('use stable, distinct codes', () => {
    const codes = Object.values(Errors).map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(JSON.parse(errorJson(Errors.UNKNOWN_WAYBILL))).toEqual({
      err_code: 40401,
      err_msg: 'unknown waybill',
    });
  });
});

describe('parseJsonpBody', () => {
  it('reads the JSON between the callback and the last ), allowing only whitespace after it', () => {
    expect(parseJsonpBody('WxOrderCb({"a":")"})')).toEqual({ a: ')' });
    expect(parseJsonpBody('WxOrderCb({"a":1}) \n')).toEqual({ a: 1 });
    expect(parseJsonpBody('cb2({"a":2})', 'cb2')).toEqual({ a: 2 });
  });

  it.each([
    ['no callback', '({"a":1})'],
    ['text before the callback', 'x WxOrderCb({"a":1})'],
    ['another callback', 'cb2({"a":1})'],
    ['no closing parenthesis', 'WxOrderCb({"a":1}'],
    ['no closing parenthesis, one inside a string', 'WxOrderCb({"a":")"}'],
    ['text after the closing parenthesis', 'WxOrderCb({"a":1});'],
  ])('refuses a body with %s, naming the callback it expected', (_name, body) => {
    expect(() => parseJsonpBody(body)).toThrow(new Error('not a WxOrderCb(...) body'));
  });
});
