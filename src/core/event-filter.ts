// Content filters on endpoints: one small JSON syntax over the event (`type`, `tenant`, `data`), a
// validator that reports every problem by path (at save time), and a pure evaluator that also says
// why an event did not match (POST /v1/filters/test). Evaluated inside the stores' publish
// transactions, so a filtered-out event never gets a delivery row.
//
// Syntax (a subset of MongoDB's query language, which users already know):
//   { "type": "chat.started", "data.customer.tier": { "$in": ["vip", "gold"] } }
// A filter object is an implicit $and of its keys. A key is a path (type, tenant, data, data.a.b,
// data.items.0.sku) or a logical operator ($and / $or: arrays of filters, $not: one filter). A path's
// condition is a literal (shorthand for $eq) or an object of operators ($eq $ne $in $nin $gt $gte
// $lt $lte $exists $regex). When the value at a path is an array, $eq / $in match if any element
// does (so `"data.tags": "vip"` means "tags contains vip").
//
// $regex runs on RE2 (linear time, core/linear-regexp.ts): a hostile pattern or payload costs at most
// a scan, never a stalled publish. Sizes are bounded so evaluation stays cheap inside the transaction.

import { RE2JS } from 're2js';
import type { FieldError } from './errors.js';
import { linearPatternProblem } from './linear-regexp.js';

export type EventFilter = { [key: string]: unknown };

/** What a filter sees of an event. */
export interface FilterSubject {
  type: string;
  tenant: string | null;
  data: unknown;
}

export const FILTER_LIMITS = {
  /** Serialized size of a filter. */
  maxBytes: 16 * 1024,
  /** Nesting of logical operators and operator objects. */
  maxDepth: 8,
  /** Conditions (path operators) in one filter. */
  maxConditions: 128,
  maxInItems: 256,
  maxRegexLength: 512,
  maxPathSegments: 16,
} as const;

const FIELD_OPERATORS = new Set(['$eq', '$ne', '$in', '$nin', '$gt', '$gte', '$lt', '$lte', '$exists', '$regex']);
const LOGICAL_OPERATORS = new Set(['$and', '$or', '$not']);
const ROOTS = new Set(['type', 'tenant', 'data']);

const pointer = (segments: readonly string[]): string => segments.map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every problem of `filter`, with paths under `base` (e.g. "/body/filter"); empty when valid. */
export function validateFilter(filter: unknown, base = ''): FieldError[] {
  const errors: FieldError[] = [];
  const at = (segments: string[], message: string): void => {
    if (errors.length < 50) errors.push({ path: `${base}${pointer(segments)}`, message });
  };
  if (!isPlainObject(filter)) {
    at([], 'must be an object');
    return errors;
  }
  let text: string;
  try {
    text = JSON.stringify(filter);
  } catch {
    at([], 'must be JSON');
    return errors;
  }
  if (Buffer.byteLength(text, 'utf8') > FILTER_LIMITS.maxBytes) {
    at([], `must be at most ${FILTER_LIMITS.maxBytes} bytes of JSON`);
    return errors;
  }
  let conditions = 0;

  const checkFilter = (node: unknown, segments: string[], depth: number): void => {
    if (!isPlainObject(node)) return at(segments, 'must be an object');
    if (depth > FILTER_LIMITS.maxDepth) return at(segments, `nests deeper than ${FILTER_LIMITS.maxDepth} levels`);
    for (const [key, value] of Object.entries(node)) {
      const here = [...segments, key];
      if (key.startsWith('$')) {
        if (!LOGICAL_OPERATORS.has(key)) {
          at(here, `unknown operator ${key} here (logical operators: $and, $or, $not; ${[...FIELD_OPERATORS].join(' ')} go under a path)`);
        } else if (key === '$not') {
          checkFilter(value, here, depth + 1);
        } else if (!Array.isArray(value) || value.length === 0) {
          at(here, 'must be a non-empty array of filters');
        } else if (value.length > FILTER_LIMITS.maxConditions) {
          at(here, `must have at most ${FILTER_LIMITS.maxConditions} filters`);
        } else {
          value.forEach((item, i) => checkFilter(item, [...here, String(i)], depth + 1));
        }
        continue;
      }
      const pathProblem = pathProblemOf(key);
      if (pathProblem) {
        at(here, pathProblem);
        continue;
      }
      checkCondition(value, here);
    }
  };

  const checkCondition = (cond: unknown, segments: string[]): void => {
    conditions += 1;
    if (conditions === FILTER_LIMITS.maxConditions + 1) at(segments, `the filter has more than ${FILTER_LIMITS.maxConditions} conditions`);
    if (!isOperatorObject(cond)) return; // a literal: shorthand for $eq
    for (const [op, operand] of Object.entries(cond)) {
      const here = [...segments, op];
      if (!FIELD_OPERATORS.has(op)) {
        at(here, `unknown operator ${op} (supported: ${[...FIELD_OPERATORS].join(' ')})`);
        continue;
      }
      switch (op) {
        case '$in':
        case '$nin':
          if (!Array.isArray(operand)) at(here, 'must be an array');
          else if (operand.length > FILTER_LIMITS.maxInItems) at(here, `must have at most ${FILTER_LIMITS.maxInItems} items`);
          break;
        case '$gt':
        case '$gte':
        case '$lt':
        case '$lte':
          if (typeof operand !== 'number' && typeof operand !== 'string') at(here, 'must be a number or a string');
          break;
        case '$exists':
          if (typeof operand !== 'boolean') at(here, 'must be true or false');
          break;
        case '$regex': {
          if (typeof operand !== 'string') at(here, 'must be a string (RE2 syntax)');
          else if (operand.length > FILTER_LIMITS.maxRegexLength) at(here, `must be at most ${FILTER_LIMITS.maxRegexLength} characters`);
          else {
            const problem = linearPatternProblem(operand);
            if (problem) at(here, problem);
          }
          break;
        }
        default:
          break; // $eq / $ne take any JSON value
      }
    }
  };

  checkFilter(filter, [], 1);
  return errors;
}

function pathProblemOf(path: string): string | null {
  const segments = path.split('.');
  if (!ROOTS.has(segments[0]!)) return `unknown path "${path}": paths start with type, tenant or data (e.g. data.customer.tier)`;
  if (segments[0] !== 'data' && segments.length > 1) return `"${segments[0]}" is a string and has no fields`;
  if (segments.length > FILTER_LIMITS.maxPathSegments) return `paths have at most ${FILTER_LIMITS.maxPathSegments} segments`;
  if (segments.some((s) => s === '')) return `"${path}" has an empty segment`;
  return null;
}

/** An object whose keys are all operators (`{ "$gt": 5 }`); any other object is a literal value. */
function isOperatorObject(v: unknown): v is Record<string, unknown> {
  if (!isPlainObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length > 0 && keys.every((k) => k.startsWith('$'));
}

export interface FilterVerdict {
  match: boolean;
  /** Why it did not match: the failing conditions, by path, in plain words. Empty on a match. */
  reasons: string[];
}

/** Evaluate a filter that passed validateFilter. Never throws on any event. */
export function evaluateFilter(filter: EventFilter, subject: FilterSubject): FilterVerdict {
  const reasons: string[] = [];
  const match = evalFilter(filter, subject, reasons);
  return { match, reasons: match ? [] : reasons };
}

/** The match alone, for fan-out (no reason strings built). */
export function filterMatches(filter: EventFilter, subject: FilterSubject): boolean {
  return evalFilter(filter, subject, null);
}

function evalFilter(node: EventFilter, subject: FilterSubject, reasons: string[] | null): boolean {
  let ok = true;
  for (const [key, value] of Object.entries(node)) {
    let passed: boolean;
    if (key === '$and') {
      passed = (value as EventFilter[]).every((f) => evalFilter(f, subject, reasons));
    } else if (key === '$or') {
      const inner: string[] | null = reasons ? [] : null;
      passed = (value as EventFilter[]).some((f) => evalFilter(f, subject, inner));
      if (!passed && reasons) reasons.push(`none of $or matched (${inner!.join('; ')})`);
    } else if (key === '$not') {
      passed = !evalFilter(value as EventFilter, subject, null);
      if (!passed && reasons) reasons.push(`$not: the negated filter ${JSON.stringify(value)} matched`);
    } else {
      passed = evalCondition(key, value, resolve(subject, key), reasons);
    }
    if (!passed) {
      ok = false;
      // Without reasons to collect, the first failure decides.
      if (!reasons) return false;
    }
  }
  return ok;
}

const MISSING: unique symbol = Symbol('missing');
/** A value found at a path, or MISSING (`unknown` already includes the symbol). */
type Resolved = unknown;

function resolve(subject: FilterSubject, path: string): Resolved {
  const segments = path.split('.');
  let current: unknown = segments[0] === 'type' ? subject.type : segments[0] === 'tenant' ? subject.tenant : subject.data;
  for (const segment of segments.slice(1)) {
    if (Array.isArray(current) && /^(0|[1-9][0-9]{0,8})$/.test(segment)) current = current[Number(segment)];
    else if (isPlainObject(current) && Object.hasOwn(current, segment)) current = current[segment];
    else return MISSING;
    if (current === undefined) return MISSING;
  }
  return current;
}

const show = (v: Resolved): string => (v === MISSING ? 'missing' : JSON.stringify(v) ?? String(v));

function evalCondition(path: string, cond: unknown, actual: Resolved, reasons: string[] | null): boolean {
  const ops: Array<[string, unknown]> = isOperatorObject(cond) ? Object.entries(cond) : [['$eq', cond]];
  let ok = true;
  for (const [op, operand] of ops) {
    if (!evalOperator(op, operand, actual)) {
      ok = false;
      if (!reasons) return false;
      reasons.push(`${path} is ${show(actual)}, which fails ${op} ${JSON.stringify(operand)}`);
    }
  }
  return ok;
}

function evalOperator(op: string, operand: unknown, actual: Resolved): boolean {
  switch (op) {
    case '$eq':
      return actual !== MISSING && equalsOrContains(actual, operand);
    case '$ne':
      return actual === MISSING || !equalsOrContains(actual, operand);
    case '$in':
      return actual !== MISSING && (operand as unknown[]).some((o) => equalsOrContains(actual, o));
    case '$nin':
      return actual === MISSING || !(operand as unknown[]).some((o) => equalsOrContains(actual, o));
    case '$exists':
      return (actual !== MISSING) === operand;
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      // Numbers compare with numbers, strings with strings (ISO dates sort as strings); else no match.
      if (actual === MISSING || typeof actual !== typeof operand) return false;
      const a = actual as number | string;
      const b = operand as number | string;
      return op === '$gt' ? a > b : op === '$gte' ? a >= b : op === '$lt' ? a < b : a <= b;
    }
    case '$regex':
      return typeof actual === 'string' && compiled(operand as string).test(actual);
    default:
      return false;
  }
}

function equalsOrContains(actual: unknown, expected: unknown): boolean {
  if (deepEqual(actual, expected)) return true;
  return Array.isArray(actual) && actual.some((item) => deepEqual(item, expected));
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

// Compiled RE2 programs by pattern; bounded, since patterns come from users.
const regexCache = new Map<string, RE2JS>();
function compiled(pattern: string): RE2JS {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    re = RE2JS.compile(pattern);
    if (regexCache.size >= 512) regexCache.delete(regexCache.keys().next().value!);
    regexCache.set(pattern, re);
  }
  return re;
}

/** Whether any condition looks at `data` (fan-out parses the payload only then). */
export function filterReadsData(filter: EventFilter): boolean {
  return JSON.stringify(filter).includes('"data');
}
