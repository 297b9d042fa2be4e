// A type filter a person types: `chat.*` (a prefix), `chat.started` (one type), `-chat.ended` (leave
// one out), several separated by commas or spaces. Includes are OR-ed, exclusions win over includes.
// Pure, so the API applies exactly what the dashboard documents; web/components/type-filter.js is
// the browser's copy of the same grammar (kept small for that reason).

import { OPERATIONAL_EVENT_TYPES } from './endpoint-match.js';

export interface TypeTerm {
  /** The exact type, or the prefix when `prefix` is true (without the `*`). */
  value: string;
  prefix: boolean;
}

export interface TypeFilter {
  include: TypeTerm[];
  exclude: TypeTerm[];
}

/** The characters of an event type name (as endpoints' eventTypes allow). */
const NAME = /^[A-Za-z0-9_.:-]+$/;
export const MAX_TYPE_TERMS = 20;

export type ParsedTypeFilter = { ok: true; filter: TypeFilter } | { ok: false; message: string };

export function parseTypeFilter(text: string): ParsedTypeFilter {
  const filter: TypeFilter = { include: [], exclude: [] };
  const terms = text.split(/[\s,]+/).filter((t) => t.length > 0);
  if (terms.length > MAX_TYPE_TERMS) return { ok: false, message: `At most ${MAX_TYPE_TERMS} type terms; got ${terms.length}.` };
  for (const raw of terms) {
    const negated = raw.startsWith('-');
    const body = negated ? raw.slice(1) : raw;
    const prefix = body.endsWith('*');
    const value = prefix ? body.slice(0, -1) : body;
    // "*" alone (or "-*") means every type; a star anywhere but the end is not a prefix.
    if ((value.length > 0 && !NAME.test(value)) || (value.length === 0 && !prefix)) {
      return { ok: false, message: `"${raw}" is not a type filter term: use a type (chat.started), a prefix (chat.*) or an exclusion (-chat.ended).` };
    }
    (negated ? filter.exclude : filter.include).push({ value, prefix });
  }
  return { ok: true, filter };
}

function hits(term: TypeTerm, type: string): boolean {
  return term.prefix ? type.startsWith(term.value) : type === term.value;
}

export function matchesTypeFilter(filter: TypeFilter, type: string): boolean {
  if (filter.exclude.some((t) => hits(t, type))) return false;
  return filter.include.length === 0 || filter.include.some((t) => hits(t, type));
}

/** The one exact type the store can filter on by itself, when the filter is just that. */
export function singleExactType(filter: TypeFilter): string | undefined {
  const [only] = filter.include;
  return filter.include.length === 1 && filter.exclude.length === 0 && only !== undefined && !only.prefix ? only.value : undefined;
}

/** hookd's own operational events (endpoint.disabled, ...), which logs hide unless asked. */
export function isOperationalType(type: string): boolean {
  return OPERATIONAL_EVENT_TYPES.has(type);
}
