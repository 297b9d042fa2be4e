import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, parseJson } from './json-syntax.js';

const error = (text: string) => {
  const r = parseJson(text);
  if (r.ok) throw new Error('expected a syntax error');
  return r.error;
};

describe('parseJson', () => {
  it('parses valid JSON', () => {
    expect(parseJson('{"a":[1,2,{"b":null}]}')).toEqual({ ok: true, value: { a: [1, 2, { b: null }] } });
  });

  it('names line, column and expectation for the classic missing comma', () => {
    const e = error('{\n  "a": 1\n  "b": 2\n}');
    expect(e).toMatchObject({ line: 3, column: 3, expected: "',' or '}' after the property value", found: "'\"'" });
    expect(e.message).toContain('line 3, column 3');
  });

  it.each([
    ['{"a":1,}', 1, 8, 'a double-quoted property name (no trailing comma)'],
    ['[1,2', 1, 5, "',' or ']' after the array element"],
    ['', 1, 1, 'a value'],
    ['{"a": tru}', 1, 7, "'true'"],
    ['{"a":"x\ny"}', 1, 8, "'\"' to close the string (control characters must be escaped)"],
    ['{"a":1}x', 1, 8, 'end of input after the JSON value'],
    ['{"a" 1}', 1, 6, "':' after the property name"],
    ["{'a':1}", 1, 2, "a double-quoted property name or '}'"],
    ['[1,]', 1, 4, 'a value (no trailing comma)'],
    ['{"a":"\\x"}', 1, 8, 'a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)'],
    ['{"a":-}', 1, 6, 'a number'],
  ])('%j -> line %i column %i expected %s', (text, line, column, expected) => {
    expect(error(text)).toMatchObject({ line, column, expected });
  });

  it('refuses nesting deeper than the limit without overflowing the stack', () => {
    const deep = '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1);
    expect(error(deep).expected).toContain('levels of nesting');
    const hostile = '['.repeat(200_000);
    expect(parseJson(hostile).ok).toBe(false);
    expect(parseJson('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH)).ok).toBe(true);
  });

  it('keeps __proto__ as a plain own key (no prototype pollution)', () => {
    const r = parseJson('{"__proto__":{"polluted":true}}');
    expect(r.ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
