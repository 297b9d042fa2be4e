// Event data in API answers, exactly as stored. `data` is kept as the JSON text the caller published
// (core/json-text.ts); rendering it through JSON.parse would bring back the loss that storing the text
// avoids (9007199254740993 read back as 9007199254740992). A RawJson value is spliced into the answer
// as its text by serializeWithRawJson; anywhere else it still serialises, via toJSON, as parsed JSON.

import { randomHex } from '../core/ids.js';

export class RawJson {
  constructor(readonly text: string) {}
  toJSON(): unknown {
    return JSON.parse(this.text) as unknown;
  }
}

/** JSON.stringify, except that each RawJson appears as its own text, byte for byte. */
export function serializeWithRawJson(value: unknown): string {
  const raws: string[] = [];
  // The holder's own property is the RawJson itself; the value the replacer is given has been through
  // toJSON already. Placeholders carry a per-call nonce, so no other string can be mistaken for one.
  // It is drawn at the first RawJson: most answers (health, publish, lists without data) have none,
  // and a randomBytes call per answer was ~17 us of each API request in a paced profile.
  let nonce = '';
  const text = JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const own = this[key];
    if (own instanceof RawJson) {
      if (nonce === '') nonce = randomHex(3);
      raws.push(own.text);
      return `${nonce}:${raws.length - 1}`;
    }
    return v;
  });
  if (raws.length === 0) return text;
  return text.replace(new RegExp(`"${nonce}:(\\d+)"`, 'g'), (_m, i: string) => raws[Number(i)]!);
}
