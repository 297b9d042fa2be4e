// The browser's copy of the type filter grammar in src/core/event-type-filter.ts (the dashboard has
// no build step to share it): `chat.*` a prefix, `chat.started` a type, `-chat.ended` an exclusion.
// Used only to decide whether a live event belongs on the page; the server applies the real filter.

/** hookd's own operational events; the event log hides them unless asked. */
export const OPERATIONAL_TYPES = new Set(['endpoint.disabled', 'endpoint.recovered', 'delivery.exhausted']);

export function parseTypeFilter(text) {
  const include = [];
  const exclude = [];
  for (const raw of String(text ?? '').split(/[\s,]+/).filter(Boolean)) {
    const negated = raw.startsWith('-');
    const body = negated ? raw.slice(1) : raw;
    const prefix = body.endsWith('*');
    (negated ? exclude : include).push({ value: prefix ? body.slice(0, -1) : body, prefix });
  }
  return { include, exclude };
}

const hits = (t, type) => (t.prefix ? type.startsWith(t.value) : type === t.value);

export function matchesTypeFilter(filter, type) {
  if (filter.exclude.some((t) => hits(t, type))) return false;
  return filter.include.length === 0 || filter.include.some((t) => hits(t, type));
}
