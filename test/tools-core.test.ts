// The pure parts of the integrator tools: examples generated from JSON Schemas (checked against the
// same schema with hookd's own checker), `--set path=value`, and the mock endpoint's decisions.

import { describe, expect, it } from 'vitest';
import { exampleFromSchema } from '../src/core/example-from-schema.js';
import { decideAnswer, DEFAULT_MOCK, parseFailRate, parseLatency, parseStatus } from '../src/core/mock-behaviour.js';
import { createSchemaChecker } from '../src/core/payload-check.js';
import { parseAssignment, parsePath, setPath, SetPathError } from '../src/core/set-path.js';

const checker = createSchemaChecker();

describe('exampleFromSchema', () => {
  const schemas: Array<[string, Record<string, unknown>]> = [
    ['flat object', { type: 'object', required: ['chatId', 'startedAt'], properties: { chatId: { type: 'string', minLength: 3 }, startedAt: { type: 'string', format: 'date-time' }, count: { type: 'integer', minimum: 5 } } }],
    ['enum, const, default', { type: 'object', required: ['a', 'b', 'c'], properties: { a: { enum: ['x', 'y'] }, b: { const: 7 }, c: { type: 'boolean', default: false } } }],
    ['arrays', { type: 'object', required: ['items'], properties: { items: { type: 'array', minItems: 2, items: { type: 'object', required: ['sku'], properties: { sku: { type: 'string' }, qty: { type: 'number', exclusiveMinimum: 0, multipleOf: 0.5 } } } } } }],
    ['refs and allOf', { $defs: { money: { type: 'object', required: ['amount', 'currency'], properties: { amount: { type: 'integer', minimum: 1 }, currency: { type: 'string', maxLength: 3, minLength: 3 } } } }, type: 'object', required: ['total'], properties: { total: { $ref: '#/$defs/money' }, note: { allOf: [{ type: 'object', properties: { x: { type: 'string' } } }] } } }],
    ['oneOf and nullable', { type: 'object', required: ['v', 'n'], properties: { v: { oneOf: [{ type: 'string', format: 'email' }, { type: 'integer' }] }, n: { type: ['null', 'string'] } } }],
    ['examples win', { type: 'object', examples: [{ hello: 'world' }] }],
  ];
  for (const [name, schema] of schemas) {
    it(`makes data that passes the schema: ${name}`, () => {
      const value = exampleFromSchema(schema);
      expect(checker.check(schema, value)).toEqual([]);
    });
  }

  it('is bounded on recursive and odd schemas', () => {
    const recursive = { $defs: { node: { type: 'object', properties: { child: { $ref: '#/$defs/node' } } } }, $ref: '#/$defs/node' };
    expect(() => JSON.stringify(exampleFromSchema(recursive))).not.toThrow();
    expect(exampleFromSchema({ $ref: 'https://elsewhere.example/schema' })).toBe('example value');
    expect(exampleFromSchema(null)).toBeNull();
    expect(exampleFromSchema({ properties: { __proto__: { type: 'string' } } })).toEqual({});
  });
});

describe('set path', () => {
  it('parses paths and JSON-or-text values', () => {
    expect(parsePath('customer.name')).toEqual(['customer', 'name']);
    expect(parsePath('items[0].sku')).toEqual(['items', 0, 'sku']);
    expect(parseAssignment('a.b=42')).toEqual({ path: ['a', 'b'], value: 42 });
    expect(parseAssignment('a=hello world')).toEqual({ path: ['a'], value: 'hello world' });
    expect(parseAssignment('a={"x":[1]}')).toEqual({ path: ['a'], value: { x: [1] } });
    expect(parseAssignment('a=')).toEqual({ path: ['a'], value: '' });
  });

  it('sets values in a copy, creating containers', () => {
    const data = { customer: { name: 'Ada' }, items: [{ sku: 'a' }] };
    expect(setPath(data, parseAssignment('customer.name=Grace'))).toEqual({ customer: { name: 'Grace' }, items: [{ sku: 'a' }] });
    expect(setPath(data, parseAssignment('items[1].sku=b'))).toEqual({ customer: { name: 'Ada' }, items: [{ sku: 'a' }, { sku: 'b' }] });
    expect(setPath({}, parseAssignment('x.y[0]=true'))).toEqual({ x: { y: [true] } });
    expect(data.customer.name).toBe('Ada');
  });

  it('refuses hostile and malformed paths', () => {
    for (const bad of ['=1', 'noequals', '__proto__.polluted=1', 'a.constructor.prototype=1', 'a[x]=1', 'a..b=1', 'a[0=1']) {
      expect(() => parseAssignment(bad), bad).toThrow(SetPathError);
    }
    expect(() => setPath({ a: [] }, parseAssignment('a[5]=1'))).toThrow(SetPathError);
    expect(() => setPath({ a: { b: 1 } }, parseAssignment('a[0]=1'))).toThrow(SetPathError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('mock behaviour', () => {
  it('parses flags and refuses bad ones', () => {
    expect(parseLatency('200..3000')).toEqual({ min: 200, max: 3000 });
    expect(parseLatency('50')).toEqual({ min: 50, max: 50 });
    for (const bad of ['3000..200', 'abc', '-1', '1..9999999']) expect(() => parseLatency(bad), bad).toThrow(RangeError);
    expect(parseFailRate('0.3')).toBe(0.3);
    for (const bad of ['1.5', '-0.1', 'x', '']) expect(() => parseFailRate(bad), bad).toThrow(RangeError);
    expect(parseStatus('410')).toBe(410);
    for (const bad of ['99', '600', '2.5']) expect(() => parseStatus(bad), bad).toThrow(RangeError);
  });

  it('decides status, delay and Retry-After from the dice', () => {
    const b = { ...DEFAULT_MOCK, failRate: 0.3, failStatus: 503, latency: { min: 200, max: 3000 }, retryAfter: 2 };
    expect(decideAnswer(b, 1, () => 0.1)).toEqual({ status: 503, delayMs: 200 + Math.floor(0.1 * 2801), headers: { 'retry-after': '2' }, failed: true });
    expect(decideAnswer(b, 1, () => 0.9)).toMatchObject({ status: 200, headers: {}, failed: false });
    expect(decideAnswer(b, 1, () => 0.999999).delayMs).toBeLessThanOrEqual(3000);
    expect(decideAnswer({ ...DEFAULT_MOCK, goneAfter: 2 }, 3)).toMatchObject({ status: 410, failed: true });
    expect(decideAnswer({ ...DEFAULT_MOCK, goneAfter: 2 }, 2)).toMatchObject({ status: 200 });
    expect(decideAnswer({ ...DEFAULT_MOCK, status: 500 }, 1)).toMatchObject({ status: 500, failed: true });
    expect(decideAnswer({ ...DEFAULT_MOCK, failFirst: 2, failStatus: 503, retryAfter: 1 }, 2)).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
    expect(decideAnswer({ ...DEFAULT_MOCK, failFirst: 2 }, 3)).toMatchObject({ status: 200, failed: false });
  });
});
