import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compactJson, jsonTextsAt } from './json-text.js';

describe('jsonTextsAt', () => {
  it('returns the member as written: numbers, escapes and key order are kept', () => {
    const text = '{ "type": "a", "data" : { "big": 9007199254740993, "huge": 1e400, "x": 1.50, "s": "\\u00e9\\n", "b": 2 } }';
    expect(jsonTextsAt(text, ['data'])).toEqual(['{"big":9007199254740993,"huge":1e400,"x":1.50,"s":"\\u00e9\\n","b":2}']);
  });

  it('takes the last of duplicate keys, as JSON.parse does', () => {
    expect(jsonTextsAt('{"data":1,"data":[2, 3]}', ['data'])).toEqual(['[2,3]']);
  });

  it('walks arrays with *', () => {
    expect(jsonTextsAt('{"events":[{"data":{"a":1}},{"type":"x"},{"data":"s p"}]}', ['events', '*', 'data'])).toEqual(['{"a":1}', undefined, '"s p"']);
  });

  it('keeps white space inside strings', () => {
    expect(compactJson('{ "a b" : " c\\" d " }')).toBe('{"a b":" c\\" d "}');
  });

  it('for any JSON value, the text found parses to the value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2), (data, indent) => {
        const text = JSON.stringify({ before: [1, { data: 0 }], data, after: 'x' }, null, indent);
        const [found] = jsonTextsAt(text, ['data']);
        expect(JSON.parse(found!)).toEqual(JSON.parse(JSON.stringify(data)));
      }),
      { numRuns: 300 },
    );
  });
});
