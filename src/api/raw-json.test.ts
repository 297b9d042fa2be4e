import { describe, expect, it } from 'vitest';
import { RawJson, serializeWithRawJson } from './raw-json.js';

describe('serializeWithRawJson', () => {
  it('splices each RawJson as its own text, byte for byte, at any depth', () => {
    const value = { id: 'evt_1', data: new RawJson('{"n":9007199254740993,"s":"a\\u0000b"}'), list: [{ data: new RawJson('[1.50,  2]') }] };
    expect(serializeWithRawJson(value)).toBe('{"id":"evt_1","data":{"n":9007199254740993,"s":"a\\u0000b"},"list":[{"data":[1.50,  2]}]}');
  });

  it('is JSON.stringify for a value without RawJson, placeholder-shaped strings included', () => {
    const value = { status: 'ok', n: 1, nested: { a: [null, true, '0:0'] }, ':0': 'x' };
    expect(serializeWithRawJson(value)).toBe(JSON.stringify(value));
  });

  it('leaves strings that look like placeholders alone when RawJson is spliced beside them', () => {
    const value = { a: new RawJson('1'), b: '0', c: ':0', d: '"0:0"' };
    const text = serializeWithRawJson(value);
    expect(JSON.parse(text)).toEqual({ a: 1, b: '0', c: ':0', d: '"0:0"' });
  });
});
