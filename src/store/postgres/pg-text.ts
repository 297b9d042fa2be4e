// PostgreSQL text and jsonb cannot hold U+0000, but response bodies and inbound bodies are captured
// from the outside world and may contain it. One NUL must not make a whole recordResults batch fail,
// so text from outside is made storable here (U+FFFD marks where the NUL was).

export function storableText(value: string): string;
export function storableText(value: string | null): string | null;
export function storableText(value: string | null): string | null {
  return value === null ? null : value.replaceAll('\u0000', '\uFFFD');
}

/** JSON text for a jsonb column, with NULs in string values and keys replaced. */
export function storableJson(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, _key, v: unknown) {
    if (typeof v === 'string') return storableText(v);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.some(([k]) => k.includes('\u0000'))) {
        return Object.fromEntries(entries.map(([k, x]) => [storableText(k), x]));
      }
    }
    return v;
  });
}
