// Text a store cannot hold is refused at the edge. PostgreSQL text and jsonb cannot hold U+0000:
// a NUL in an idempotency key, a name, a filter or an id in a path made the store throw (500), and in
// a group commit it failed its neighbours too. Every request's path parameters, query and JSON body
// are checked before validation, so each field answers 400 naming where the NUL is. An event's `data`
// is exempt: hookd stores it as JSON text, where U+0000 is the six characters `\u0000`.

import { HookdError } from '../core/errors.js';

const NUL = '\u0000';

/** JSON pointer of the first key or string holding U+0000 in `value`, or null. */
export function nulPointer(value: unknown, base: string, exempt?: (pointer: string) => boolean): string | null {
  // Iterative: a deep body must not exhaust the stack (depth is capped by the parser anyway).
  const stack: Array<[unknown, string]> = [[value, base]];
  while (stack.length > 0) {
    const [v, pointer] = stack.pop()!;
    if (exempt?.(pointer)) continue;
    if (typeof v === 'string') {
      if (v.includes(NUL)) return pointer;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${pointer}/${i}`]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const childPointer = `${pointer}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`;
        if (k.includes(NUL)) return childPointer;
        stack.push([child, childPointer]);
      }
    }
  }
  return null;
}

/** Throws 400 validation_failed when `value` holds U+0000 anywhere outside the exempt pointers. */
export function refuseNul(value: unknown, base: string, exempt?: (pointer: string) => boolean): void {
  const at = nulPointer(value, base, exempt);
  if (at !== null) {
    throw new HookdError('validation_failed', `${at} contains U+0000 (NUL), which hookd does not store.`, { errors: [{ path: at, message: 'must not contain U+0000' }] });
  }
}
