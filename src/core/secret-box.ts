// Encryption of secrets at rest, as an interface so stores stay free of key management.
// The implementation (security/aes-gcm-box.ts) uses AES-256-GCM.

export interface SecretBox {
  /** Returns an opaque printable string (versioned, authenticated). */
  seal(plaintext: string): string;
  /** Throws when the ciphertext was tampered with or sealed under another key. */
  open(sealed: string): string;
}

/** How many opened values withOpenCache keeps; past it, it starts over. */
export const OPEN_CACHE_SIZE = 4096;

/**
 * `box` with open() remembered by sealed text. Every claim opens its endpoints' auth and secrets
 * (two AES-GCM decryptions per endpoint per claim batch on the delivery path); the same sealed text
 * always opens to the same plaintext under one key, so the answer can be kept. Only successful
 * opens are kept: a tampered or foreign value throws every time. The plaintexts stay in this
 * process's memory, where every claimed endpoint puts them anyway; seal() is not cached (each seal
 * takes a fresh IV).
 */
export function withOpenCache(box: SecretBox, size = OPEN_CACHE_SIZE): SecretBox {
  const opened = new Map<string, string>();
  return {
    seal: (plaintext) => box.seal(plaintext),
    open(sealed) {
      let plaintext = opened.get(sealed);
      if (plaintext === undefined) {
        plaintext = box.open(sealed);
        if (opened.size >= size) opened.clear();
        opened.set(sealed, plaintext);
      }
      return plaintext;
    },
  };
}
