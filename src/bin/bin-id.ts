// Bin ids are capabilities: whoever knows one may post to the bin without an API key. So they are
// 128 random bits, not the time-ordered ids of core/ids.ts (whose random part is partly a counter).

import { randomBytes } from 'node:crypto';

const BIN_ID = /^bin_[0-9a-f]{32}$/;

export function newBinId(): string {
  return `bin_${randomBytes(16).toString('hex')}`;
}

export function isBinId(value: string): boolean {
  return BIN_ID.test(value);
}
