// JSON Schema (2020-12) checks of event data. One checker for the publish route, the ingress and the
// doctor, so "missing field" reads the same everywhere. Compiled validators are cached per schema text.

import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { FieldError } from './errors.js';
import { parseJson, type JsonSyntaxError } from './json-syntax.js';
import { linearRegExp } from './linear-regexp.js';

// ajv-formats is CommonJS; under NodeNext its callable arrives as `.default` of the default import.
const addFormats = addFormatsModule.default;

/** Tenant-supplied schemas are compiled to code: cap their size and depth. */
export const MAX_SCHEMA_BYTES = 64 * 1024;
export const MAX_SCHEMA_DEPTH = 32;

export interface SchemaChecker {
  /** Errors that make `schema` unusable (empty when it is a valid 2020-12 schema within limits). */
  validateSchema(schema: unknown): FieldError[];
  /** Every violation of `schema` by `data`, by path. */
  check(schema: Record<string, unknown>, data: unknown): FieldError[];
}

export function createSchemaChecker(): SchemaChecker {
  // Users' patterns run on the linear-time engine (linear-regexp.ts): no schema can stall the loop.
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateSchema: true, code: { regExp: linearRegExp } });
  addFormats(ajv);
  const cache = new Map<string, ValidateFunction>();

  const compile = (schema: Record<string, unknown>): ValidateFunction => {
    const key = JSON.stringify(schema);
    let fn = cache.get(key);
    if (!fn) {
      fn = ajv.compile(schema);
      if (cache.size > 1000) cache.clear();
      cache.set(key, fn);
    }
    return fn;
  };

  return {
    validateSchema(schema) {
      if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
        return [{ path: '/schema', message: 'must be a JSON Schema object' }];
      }
      const text = JSON.stringify(schema);
      if (Buffer.byteLength(text) > MAX_SCHEMA_BYTES) {
        return [{ path: '/schema', message: `must be at most ${MAX_SCHEMA_BYTES} bytes` }];
      }
      if (depthOf(schema) > MAX_SCHEMA_DEPTH) {
        return [{ path: '/schema', message: `must be nested at most ${MAX_SCHEMA_DEPTH} levels` }];
      }
      try {
        compile(schema as Record<string, unknown>);
        return [];
      } catch (err) {
        return [{ path: '/schema', message: err instanceof Error ? err.message : String(err) }];
      }
    },
    check(schema, data) {
      let fn: ValidateFunction;
      try {
        fn = compile(schema);
      } catch (err) {
        // A schema saved before a rule tightened (say, a lookahead pattern) no longer compiles: the
        // caller hears why, by path, instead of a 500.
        return [{ path: '/', message: `the event type's schema cannot be used: ${err instanceof Error ? err.message : String(err)}` }];
      }
      if (fn(data)) return [];
      return (fn.errors ?? []).map(formatAjvError);
    },
  };
}

function depthOf(value: unknown): number {
  // Iterative, so a hostile schema cannot blow the stack here.
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (d > max) max = d;
    if (max > MAX_SCHEMA_DEPTH) return max;
    for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

export function formatAjvError(e: ErrorObject): FieldError {
  const base = e.instancePath;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { path: `${base}/${String(params.missingProperty)}`, message: 'is required but missing' };
    case 'additionalProperties':
      return { path: `${base}/${String(params.additionalProperty)}`, message: 'is not allowed (unknown property)' };
    case 'type':
      return { path: base || '/', message: `must be ${String(params.type)}` };
    default:
      return { path: base || '/', message: e.message ?? e.keyword };
  }
}

export type PayloadCheck =
  | { ok: true; value: unknown }
  | { ok: false; code: 'invalid_json'; syntax: JsonSyntaxError }
  | { ok: false; code: 'schema_mismatch'; value: unknown; errors: FieldError[] };

/** Syntax first (with line and column), then the schema (every error by path). */
export function checkPayload(checker: SchemaChecker, text: string, schema: Record<string, unknown> | null): PayloadCheck {
  const parsed = parseJson(text);
  if (!parsed.ok) return { ok: false, code: 'invalid_json', syntax: parsed.error };
  if (!schema) return { ok: true, value: parsed.value };
  const errors = checker.check(schema, parsed.value);
  return errors.length === 0 ? { ok: true, value: parsed.value } : { ok: false, code: 'schema_mismatch', value: parsed.value, errors };
}
